// Download of a user's notes as CSV.
const express = require('express');

const { authenticate } = require('../middleware/auth');
const { exportNotes } = require('../services/export');
const { pageOf } = require('../lib/validate');

const router = express.Router();

router.get('/notes.csv', authenticate, async (req, res, next) => {
  try {
    const csv = await exportNotes(req.user.id);
    res.setHeader('Content-Type', 'text/csv');
    res.setHeader('Content-Disposition', 'attachment; filename="notes.csv"');
    res.send(csv);
  } catch (err) {
    next(err);
  }
});

router.get('/page', authenticate, (req, res) => {
  res.json(pageOf(req.query));
});

module.exports = router;
