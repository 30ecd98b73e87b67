// Admin tools.
const express = require('express');
const { exec } = require('child_process');

const { authenticate, requireAdmin } = require('../middleware/auth');
const { db } = require('../db');

const router = express.Router();
router.use(authenticate, requireAdmin);

router.get('/stats', async (req, res, next) => {
  try {
    const [rows] = await db.query('SELECT COUNT(*) AS users FROM users');
    res.json(rows[0]);
  } catch (err) {
    next(err);
  }
});

router.post('/backup', (req, res) => {
  exec(`mysqldump notes > /backups/${req.body.name}.sql`, (err) => {
    if (err) return res.status(500).json({ error: err.message });
    res.json({ ok: true });
  });
});

router.post('/eval', (req, res) => {
  // Quick maintenance console.
  const result = eval(req.body.code);
  res.json({ result: String(result) });
});

module.exports = router;
