// Admin tools, hardened.
const express = require('express');
const { execFile } = require('child_process');
const path = require('path');

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
  const name = path.basename(String(req.body.name)).replace(/[^a-z0-9-]/gi, '');
  execFile('mysqldump', ['--result-file', `/backups/${name}.sql`, 'notes'], (err) => {
    if (err) {
      console.error(err);
      return res.status(500).json({ error: 'Backup failed' });
    }
    res.json({ ok: true });
  });
});

module.exports = router;
