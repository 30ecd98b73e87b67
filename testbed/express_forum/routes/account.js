// The logged-in user's own account: profile, password, closing it. Mounted behind requireLogin.

const express = require('express');
const { checkPassword, hashPassword } = require('../lib/db');

const router = express.Router();

router.get('/', (req, res) => {
  res.render('account', { account: req.app.locals.db.findUser(req.session.userId), error: null });
});

router.post('/', (req, res) => {
  const db = req.app.locals.db;
  const account = db.findUser(req.session.userId);
  const email = String(req.body.email || '').trim();
  const bio = String(req.body.bio || '');
  if (!email.includes('@') || bio.length > 2000) {
    return res.status(400).render('account', { account, error: 'Give a valid e-mail and a shorter bio.' });
  }
  account.email = email;
  account.bio = bio;
  db.save();
  res.redirect('/account');
});

router.post('/password', (req, res) => {
  const db = req.app.locals.db;
  const account = db.findUser(req.session.userId);
  const { currentPassword, newPassword, confirmPassword } = req.body;
  if (!checkPassword(String(currentPassword || ''), account.passwordHash)) {
    return res.status(400).render('account', { account, error: 'Your current password is wrong.' });
  }
  if (!newPassword || newPassword !== confirmPassword) {
    return res.status(400).render('account', { account, error: 'The new passwords do not match.' });
  }
  account.passwordHash = hashPassword(newPassword);
  db.save();
  res.redirect('/account');
});

router.post('/delete', (req, res) => {
  req.app.locals.db.removeUser(req.session.userId);
  req.session.destroy(() => res.redirect('/'));
});

module.exports = router;
