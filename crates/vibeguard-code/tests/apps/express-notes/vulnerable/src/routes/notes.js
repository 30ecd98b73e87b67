// Notes: list, search, read, change, delete, share.
const express = require('express');
const axios = require('axios');

const { authenticate } = require('../middleware/auth');
const notes = require('../models/note');
const { db } = require('../db');

const router = express.Router();
router.use(authenticate);

router.get('/', async (req, res, next) => {
  try {
    res.json(await notes.listForOwner(req.user.id));
  } catch (err) {
    next(err);
  }
});

router.get('/search', async (req, res, next) => {
  try {
    res.json(await notes.search(req.user.id, req.query.q));
  } catch (err) {
    next(err);
  }
});

router.get('/:id', async (req, res, next) => {
  try {
    const note = await notes.get(req.params.id);
    if (!note) return res.status(404).json({ error: 'Not found' });
    res.json(note);
  } catch (err) {
    next(err);
  }
});

router.post('/', async (req, res, next) => {
  try {
    const id = await notes.create({ ...req.body, owner_id: req.user.id });
    res.status(201).json({ id });
  } catch (err) {
    next(err);
  }
});

router.put('/:id', async (req, res, next) => {
  try {
    await db.query('UPDATE notes SET title = ?, body = ? WHERE id = ?', [req.body.title, req.body.body, req.params.id]);
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

router.delete('/:id', async (req, res, next) => {
  try {
    await db.query('DELETE FROM notes WHERE id = ?', [req.params.id]);
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

// Fetches a page to attach its title to a note.
router.post('/:id/link-preview', async (req, res, next) => {
  try {
    const page = await axios.get(req.body.url);
    const title = /<title>([^<]*)<\/title>/i.exec(page.data);
    res.json({ title: title ? title[1] : null });
  } catch (err) {
    next(err);
  }
});

module.exports = router;
