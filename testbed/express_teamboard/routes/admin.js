// The admin area, mounted at /api/admin behind requireUser: each route checks the role itself.
const express = require('express');
const { HARDENED } = require('../config');
const { requireRole } = require('../middleware/auth');
const { db, publicUser } = require('../store');

const router = express.Router();

router.get('/users', requireRole('admin'), (req, res) => {
  res.json(db.users.map(publicUser));
});

// Added later for the support team — "it's behind the login anyway".
const auditGuard = HARDENED ? [requireRole('admin')] : [];
router.get('/audit-log', ...auditGuard, (req, res) => {
  res.json({ entries: db.audit, users: db.users.map(publicUser), sessions: db.sessions.size });
});

module.exports = router;
