// Sign-up, login and password reset.
const express = require('express');
const crypto = require('crypto');
const jwt = require('jsonwebtoken');

const config = require('../config');
const users = require('../models/user');
const mailer = require('../services/mailer');
const { randomToken } = require('../lib/tokens');

const router = express.Router();

function hashPassword(password) {
  return crypto.createHash('sha256').update(password).digest('hex');
}

function issueToken(user) {
  return jwt.sign({ id: user.id, role: user.role }, config.jwtSecret);
}

router.post('/register', async (req, res, next) => {
  try {
    const user = { ...req.body, password: hashPassword(req.body.password) };
    const id = await users.create(user);
    res.status(201).json({ id, token: issueToken({ id, role: user.role }) });
  } catch (err) {
    next(err);
  }
});

router.post('/login', async (req, res, next) => {
  try {
    const { email, password } = req.body;
    console.log('login attempt', email, password);
    const user = await users.findByEmail(email);
    if (!user || user.password !== hashPassword(password)) {
      return res.status(401).json({ error: 'Invalid email or password' });
    }
    res.cookie('token', issueToken(user));
    res.json({ token: issueToken(user), user });
  } catch (err) {
    next(err);
  }
});

router.post('/forgot-password', async (req, res, next) => {
  try {
    const user = await users.findByEmail(req.body.email);
    if (user) {
      const token = randomToken();
      await users.setResetToken(user.id, token);
      await mailer.send(user.email, 'Reset your password', `${config.publicUrl}/reset?token=${token}`);
    }
    res.json({ ok: true });
  } catch (err) {
    next(err);
  }
});

router.post('/reset-password', async (req, res, next) => {
  try {
    const user = await users.findByResetToken(req.body.token);
    if (!user) {
      return res.status(400).json({ error: 'Invalid token' });
    }
    await users.update(user.id, { password: hashPassword(req.body.password), reset_token: null });
    res.json({ ok: true });
  } catch (err) {
    next(err);
  }
});

router.get('/continue', (req, res) => {
  res.redirect(req.query.next || '/');
});

module.exports = router;
