// User profiles, hardened.
const express = require('express');

const { authenticate, requireAdmin } = require('../middleware/auth');
const users = require('../models/user');

const router = express.Router();

router.get('/search', authenticate, async (req, res, next) => {
  try {
    res.json(await users.search(String(req.query.name || ''), String(req.query.sort || 'name')));
  } catch (err) {
    next(err);
  }
});

router.get('/:id', authenticate, async (req, res, next) => {
  try {
    const user = await users.findById(req.params.id);
    if (!user) return res.status(404).json({ error: 'Not found' });
    res.json(user);
  } catch (err) {
    next(err);
  }
});

router.patch('/me', authenticate, async (req, res, next) => {
  try {
    await users.updateProfile(req.user.id, { name: String(req.body.name) });
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

router.delete('/:id', authenticate, requireAdmin, async (req, res, next) => {
  try {
    await users.remove(req.params.id);
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

module.exports = router;
