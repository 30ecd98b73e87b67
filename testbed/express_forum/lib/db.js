// The forum's data: users and posts in memory, written to a JSON file after every change (the
// way small apps start before they get a database). The file is what the testbed lists after an
// audit to see what was left behind.

const crypto = require('crypto');
const fs = require('fs');

function hashPassword(password, salt = crypto.randomBytes(16).toString('hex')) {
  const hash = crypto.scryptSync(password, salt, 32).toString('hex');
  return `${salt}:${hash}`;
}

function checkPassword(password, stored) {
  const [salt, hash] = stored.split(':');
  const candidate = crypto.scryptSync(password, salt, 32);
  return crypto.timingSafeEqual(candidate, Buffer.from(hash, 'hex'));
}

class Store {
  constructor(file) {
    this.file = file;
    this.nextUserId = 1;
    this.nextPostId = 1;
    this.users = [];
    this.posts = [];
  }

  seed() {
    for (const [username, email, password] of [
      ['mara', 'mara@forum.test', 'mara-posts-7'],
      ['joel', 'joel@forum.test', 'joel-posts-6'],
    ]) {
      this.addUser({ username, email, password });
    }
    this.addPost({ authorId: 1, title: 'Welcome', body: 'Say hello below.' });
  }

  save() {
    const data = { users: this.users, posts: this.posts };
    fs.writeFileSync(this.file, JSON.stringify(data, null, 2));
  }

  addUser({ username, email, password }) {
    const user = {
      id: this.nextUserId++,
      username,
      email,
      passwordHash: hashPassword(password),
      bio: '',
      createdAt: new Date().toISOString(),
    };
    this.users.push(user);
    this.save();
    return user;
  }

  findUserByName(username) {
    return this.users.find((u) => u.username.toLowerCase() === String(username).toLowerCase());
  }

  findUser(id) {
    return this.users.find((u) => u.id === Number(id));
  }

  removeUser(id) {
    this.users = this.users.filter((u) => u.id !== id);
    this.posts = this.posts.filter((p) => p.authorId !== id);
    this.save();
  }

  addPost({ authorId, title, body }) {
    const post = { id: this.nextPostId++, authorId, title, body, createdAt: new Date().toISOString() };
    this.posts.push(post);
    this.save();
    return post;
  }

  findPost(id) {
    return this.posts.find((p) => p.id === Number(id));
  }

  removePost(id) {
    this.posts = this.posts.filter((p) => p.id !== id);
    this.save();
  }
}

module.exports = { Store, hashPassword, checkPassword };
