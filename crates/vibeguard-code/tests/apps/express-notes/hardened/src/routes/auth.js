// Sign-up, login and password reset, hardened.
const express = require('express');
const crypto = require('crypto');
const bcrypt = require('bcryptjs');
const jwt = require('jsonwebtoken');
const rateLimit = require('express-rate-limit');

const config = require('../config');
const users = require('../models/user');
const mailer = require('../services/mailer');
const { randomToken } = require('../lib/tokens');

const router = express.Router();
const authLimiter = rateLimit({ windowMs: 15 * 60 * 1000, limit: 20 });
const RESET_TTL_MS = 30 * 60 * 1000;

function issueToken(user) {
  return jwt.sign({ id: user.id, role: user.role }, config.jwtSecret, { expiresIn: '15m', algorithm: 'HS256' });
}

function sha256(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

router.post('/register', authLimiter, async (req, res, next) => {
  try {
    const { email, name, password } = req.body;
    const passwordHash = await bcrypt.hash(String(password), 12);
    const id = await users.create({ email: String(email), name: String(name), passwordHash });
    res.status(201).json({ id });
  } catch (err) {
    next(err);
  }
});

router.post('/login', authLimiter, async (req, res, next) => {
  try {
    const { email, password } = req.body;
    console.log('login attempt', email);
    const user = await users.findByEmail(String(email));
    if (!user || !(await bcrypt.compare(String(password), user.password))) {
      return res.status(401).json({ error: 'Invalid email or password' });
    }
    res.cookie('token', issueToken(user), { httpOnly: true, secure: true, sameSite: 'strict', maxAge: 15 * 60 * 1000 });
    res.json({ id: user.id, email: user.email, name: user.name });
  } catch (err) {
    next(err);
  }
});

router.post('/forgot-password', authLimiter, async (req, res, next) => {
  try {
    const user = await users.findByEmail(String(req.body.email));
    if (user) {
      const token = randomToken();
      await users.setResetToken(user.id, sha256(token), Date.now() + RESET_TTL_MS);
      await mailer.send(user.email, 'Reset your password', `${config.publicUrl}/reset?token=${token}`);
    }
    res.json({ ok: true });
  } catch (err) {
    next(err);
  }
});

router.post('/reset-password', authLimiter, async (req, res, next) => {
  try {
    const user = await users.findByResetToken(sha256(String(req.body.token)));
    if (!user || user.reset_expires_at < Date.now()) {
      return res.status(400).json({ error: 'Invalid token' });
    }
    await users.setPassword(user.id, await bcrypt.hash(String(req.body.password), 12));
    res.json({ ok: true });
  } catch (err) {
    next(err);
  }
});

router.get('/continue', (req, res) => {
  const next = String(req.query.next || '/');
  res.redirect(next.startsWith('/') && !next.startsWith('//') ? next : '/');
});

module.exports = router;
