const express = require('express');
const auth = require('../middleware/auth');
const db = require('../db');
const User = require('../models/user');

const router = express.Router();

router.use(auth);

// Close your own account.
router.delete('/me', (req, res) => {
  db.query('DELETE FROM tasks WHERE owner_id = ?', [req.user.sub], () => {
    db.query('DELETE FROM users WHERE id = ?', [req.user.sub], (err) => {
      if (err) return res.status(500).json({ error: 'Internal server error' });
      res.status(204).end();
    });
  });
});

// A user reads their own record; an administrator reads any.
router.get('/:id', async (req, res) => {
  if (String(req.user.sub) !== req.params.id && req.user.role !== 'admin') {
    return res.status(404).json({ error: 'Not found' });
  }
  const user = await User.findById(req.params.id);
  if (!user) return res.status(404).json({ error: 'Not found' });
  res.json({ id: user.id, email: user.email, name: user.name });
});

// Only administrators delete accounts.
router.delete('/:id', (req, res) => {
  if (req.user.role !== 'admin') {
    return res.status(403).json({ error: 'Forbidden' });
  }
  db.query('DELETE FROM users WHERE id = ?', [req.params.id], (err) => {
    if (err) return res.status(500).json({ error: 'Internal server error' });
    res.status(204).end();
  });
});

module.exports = router;
