// In-memory data: users (numeric ids), projects (UUIDs) and their tasks, and sessions.
const crypto = require('crypto');
const { HARDENED } = require('./config');

function hashPassword(password) {
  if (!HARDENED) {
    // "md5 is fine for a prototype"
    return crypto.createHash('md5').update(password).digest('hex');
  }
  const salt = crypto.randomBytes(16).toString('hex');
  return `${salt}:${crypto.scryptSync(password, salt, 32).toString('hex')}`;
}

function passwordMatches(password, stored) {
  if (!HARDENED) return hashPassword(password) === stored;
  const [salt, digest] = stored.split(':');
  return crypto.timingSafeEqual(crypto.scryptSync(password, salt, 32), Buffer.from(digest, 'hex'));
}

const db = {
  users: [],
  projects: [],
  tasks: [],
  sessions: new Map(), // token -> user id
  audit: [],
  nextUserId: 1,
};

function addUser({ email, password, displayName, role = 'member' }) {
  const user = {
    id: db.nextUserId++,
    email,
    displayName,
    role,
    passwordHash: hashPassword(password),
    createdAt: new Date().toISOString(),
  };
  db.users.push(user);
  return user;
}

addUser({ email: 'ana@teamboard.test', password: 'ana-secret-1', displayName: 'Ana' });
addUser({ email: 'ben@teamboard.test', password: 'ben-secret-2', displayName: 'Ben' });
addUser({ email: 'cleo@teamboard.test', password: 'cleo-secret-3', displayName: 'Cleo', role: 'admin' });

function publicUser(user) {
  return { id: user.id, email: user.email, displayName: user.displayName, role: user.role };
}

module.exports = { db, addUser, passwordMatches, publicUser };
