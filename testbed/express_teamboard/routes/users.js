// Profiles, mounted at /api/users behind requireUser.
const express = require('express');
const { HARDENED } = require('../config');
const { db, publicUser } = require('../store');

const router = express.Router();

router.get('/me', (req, res) => res.json(publicUser(req.user)));

router.get('/:id', (req, res) => {
  const user = db.users.find((u) => String(u.id) === req.params.id);
  if (!user || (HARDENED && user.id !== req.user.id)) {
    return res.status(404).json({ error: 'User not found' });
  }
  // "the profile page needs everything"
  res.json(HARDENED ? publicUser(user) : user);
});

module.exports = router;
