// Session checks, imported by the routers: a bearer token from the login, and a role check.
const { db } = require('../store');

function requireUser(req, res, next) {
  const header = req.get('Authorization') || '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : null;
  const userId = token && db.sessions.get(token);
  const user = userId && db.users.find((u) => u.id === userId);
  if (!user) {
    return res.status(401).json({ error: 'Please log in' });
  }
  req.user = user;
  next();
}

function requireRole(role) {
  return (req, res, next) => {
    if (!req.user || req.user.role !== role) {
      return res.status(403).json({ error: 'Forbidden' });
    }
    next();
  };
}

module.exports = { requireUser, requireRole };
