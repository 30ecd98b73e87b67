const express = require('express');
const auth = require('../middleware/auth');
const db = require('../db');
const User = require('../models/user');

const router = express.Router();

router.get('/:id', auth, async (req, res) => {
  const user = await User.findById(req.params.id);
  if (!user) return res.status(404).json({ error: 'Not found' });
  res.json(user);
});

router.delete('/:id', auth, (req, res) => {
  db.query('DELETE FROM users WHERE id = ' + req.params.id, (err) => {
    if (err) return res.status(500).json({ error: err.message });
    res.status(204).end();
  });
});

module.exports = router;
