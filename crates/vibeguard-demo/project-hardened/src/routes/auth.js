const express = require('express');
const bcrypt = require('bcryptjs');
const jwt = require('jsonwebtoken');
const rateLimit = require('express-rate-limit');
const db = require('../db');
const User = require('../models/user');

const router = express.Router();

// Ten attempts per address every fifteen minutes.
const loginLimiter = rateLimit({ windowMs: 15 * 60 * 1000, limit: 10 });

const isEmail = (value) => typeof value === 'string' && value.length <= 254 && /^[^@\s]+@[^@\s]+$/.test(value);

router.post('/login', loginLimiter, async (req, res) => {
  const { email, password } = req.body;
  if (!isEmail(email) || typeof password !== 'string') {
    return res.status(400).json({ error: 'An e-mail and a password are required' });
  }
  const user = await User.findCredentials(email);
  const valid = user ? await bcrypt.compare(password, user.password_hash) : false;
  if (!valid) {
    return res.status(401).json({ error: 'Invalid credentials' });
  }
  const token = jwt.sign({ sub: user.id, role: user.role }, process.env.JWT_SECRET, {
    algorithm: 'HS256',
    expiresIn: '15m',
  });
  res.json({ token });
});

router.post('/register', loginLimiter, async (req, res) => {
  const { email, password, name } = req.body;
  if (!isEmail(email) || typeof password !== 'string' || password.length < 12 || typeof name !== 'string') {
    return res.status(400).json({ error: 'A valid e-mail, a name and a password of 12 characters or more are required' });
  }
  const passwordHash = await bcrypt.hash(password, 12);
  db.query(
    'INSERT INTO users (email, password_hash, name, role) VALUES (?, ?, ?, ?)',
    [email, passwordHash, name, 'user'],
    (err, result) => {
      if (err) return res.status(400).json({ error: 'Could not register' });
      res.status(201).json({ id: result.insertId });
    }
  );
});

module.exports = router;
