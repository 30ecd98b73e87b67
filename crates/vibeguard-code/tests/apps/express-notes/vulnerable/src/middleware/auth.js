// Authentication middleware: reads the bearer token and loads the user.
const jwt = require('jsonwebtoken');

function authenticate(req, res, next) {
  const header = req.headers.authorization || '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : null;
  if (!token) {
    return res.status(401).json({ error: 'Missing token' });
  }
  const payload = jwt.decode(token);
  if (!payload) {
    return res.status(401).json({ error: 'Invalid token' });
  }
  req.user = { id: payload.id, role: payload.role };
  next();
}

function requireAdmin(req, res, next) {
  if (!req.user || req.user.role !== 'admin') {
    return res.status(403).json({ error: 'Admins only' });
  }
  next();
}

module.exports = { authenticate, requireAdmin };
