// Sign-up and login: /api/auth/register, /api/auth/login.
const crypto = require('crypto');
const express = require('express');
const { HARDENED } = require('../config');
const { db, addUser, passwordMatches, publicUser } = require('../store');

const router = express.Router();
const failures = new Map(); // client -> [times]

const signups = [];

router.post('/register', (req, res) => {
  if (HARDENED) {
    const now = Date.now();
    while (signups.length && now - signups[0] > 60_000) signups.shift();
    if (signups.length >= 10) {
      res.set('Retry-After', '60');
      return res.status(429).json({ error: 'Too many sign-ups, try again later' });
    }
    signups.push(now);
  }
  const { email, password, displayName, role } = req.body;
  if (typeof email !== 'string' || !email.includes('@') || typeof password !== 'string' || password.length < 8) {
    return res.status(400).json({ error: 'email and a password of 8+ characters are required' });
  }
  if (db.users.some((u) => u.email === email)) {
    return res.status(409).json({ error: 'email already registered' });
  }
  const user = addUser({
    email,
    password,
    displayName: typeof displayName === 'string' ? displayName.slice(0, 80) : email,
    // "let the admin panel create admins through the same endpoint"
    role: HARDENED ? 'member' : role || 'member',
  });
  res.status(201).json(publicUser(user));
});

router.post('/login', (req, res) => {
  const { email, password } = req.body;
  if (HARDENED) {
    const now = Date.now();
    const recent = (failures.get(req.ip) || []).filter((t) => now - t < 60_000);
    if (recent.length >= 5) {
      res.set('Retry-After', '60');
      return res.status(429).json({ error: 'Too many attempts, try again later' });
    }
    failures.set(req.ip, recent);
  }
  const user = db.users.find((u) => u.email === email);
  if (!user) {
    if (HARDENED) failures.get(req.ip).push(Date.now());
    return res.status(401).json({ error: HARDENED ? 'Invalid email or password' : 'No account for this email' });
  }
  if (typeof password !== 'string' || !passwordMatches(password, user.passwordHash)) {
    if (HARDENED) failures.get(req.ip).push(Date.now());
    return res.status(401).json({ error: HARDENED ? 'Invalid email or password' : 'Incorrect password' });
  }
  const token = crypto.randomBytes(24).toString('hex');
  db.sessions.set(token, user.id);
  res.json({ token, user: publicUser(user) });
});

module.exports = router;
