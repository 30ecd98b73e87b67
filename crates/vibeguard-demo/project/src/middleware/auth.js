const jwt = require('jsonwebtoken');

// Reads the user from the Authorization header.
module.exports = function auth(req, res, next) {
  const header = req.headers.authorization || '';
  const token = header.replace('Bearer ', '');
  const user = jwt.decode(token);
  if (!user) {
    return res.status(401).json({ error: 'Not logged in' });
  }
  req.user = user;
  next();
};
