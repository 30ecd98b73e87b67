// Tags on notes: written carefully, with parameters and ownership in every query.
const express = require('express');

const { authenticate } = require('../middleware/auth');
const { db } = require('../db');
const { requireFields, cleanTag } = require('../lib/validate');

const router = express.Router();
router.use(authenticate);

router.get('/', async (req, res, next) => {
  try {
    const [rows] = await db.query(
      'SELECT DISTINCT t.name FROM tags t JOIN notes n ON n.id = t.note_id WHERE n.owner_id = ? ORDER BY t.name',
      [req.user.id],
    );
    res.json(rows.map((row) => row.name));
  } catch (err) {
    next(err);
  }
});

router.post('/:noteId', requireFields(['name']), async (req, res, next) => {
  try {
    const [owned] = await db.query('SELECT id FROM notes WHERE id = ? AND owner_id = ?', [req.params.noteId, req.user.id]);
    if (owned.length === 0) {
      return res.status(404).json({ error: 'Not found' });
    }
    await db.query('INSERT INTO tags (note_id, name) VALUES (?, ?)', [req.params.noteId, cleanTag(req.body.name)]);
    res.status(201).end();
  } catch (err) {
    next(err);
  }
});

router.delete('/:noteId/:name', async (req, res, next) => {
  try {
    await db.query(
      'DELETE t FROM tags t JOIN notes n ON n.id = t.note_id WHERE t.note_id = ? AND t.name = ? AND n.owner_id = ?',
      [req.params.noteId, req.params.name, req.user.id],
    );
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

module.exports = router;
