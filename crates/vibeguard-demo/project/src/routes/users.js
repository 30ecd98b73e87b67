const express = require('express');
const auth = require('../middleware/auth');
const db = require('../db');
const User = require('../models/user');

const router = express.Router();

// Close your own account.
router.delete('/me', auth, (req, res) => {
  db.query('DELETE FROM tasks WHERE owner_id = ?', [req.user.sub], () => {
    db.query('DELETE FROM users WHERE id = ?', [req.user.sub], (err) => {
      if (err) return res.status(500).json({ error: err.message });
      res.status(204).end();
    });
  });
});

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
