// Notes, hardened: every query is scoped to the caller.
const express = require('express');
const axios = require('axios');

const { authenticate } = require('../middleware/auth');
const notes = require('../models/note');
const { db } = require('../db');

const router = express.Router();
router.use(authenticate);
const PREVIEW_HOSTS = ['example.com', 'docs.example.com'];

router.get('/', async (req, res, next) => {
  try {
    res.json(await notes.listForOwner(req.user.id));
  } catch (err) {
    next(err);
  }
});

router.get('/search', async (req, res, next) => {
  try {
    res.json(await notes.search(req.user.id, String(req.query.q || '')));
  } catch (err) {
    next(err);
  }
});

router.get('/:id', async (req, res, next) => {
  try {
    const note = await notes.get(req.params.id, req.user.id);
    if (!note) return res.status(404).json({ error: 'Not found' });
    res.json(note);
  } catch (err) {
    next(err);
  }
});

router.post('/', async (req, res, next) => {
  try {
    const id = await notes.create({ title: String(req.body.title), body: String(req.body.body), ownerId: req.user.id });
    res.status(201).json({ id });
  } catch (err) {
    next(err);
  }
});

router.put('/:id', async (req, res, next) => {
  try {
    await db.query('UPDATE notes SET title = ?, body = ? WHERE id = ? AND owner_id = ?', [
      req.body.title,
      req.body.body,
      req.params.id,
      req.user.id,
    ]);
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

router.delete('/:id', async (req, res, next) => {
  try {
    await db.query('DELETE FROM notes WHERE id = ? AND owner_id = ?', [req.params.id, req.user.id]);
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

// Fetches a page to attach its title to a note, from known hosts only.
router.post('/:id/link-preview', async (req, res, next) => {
  try {
    const url = new URL(String(req.body.url));
    if (url.protocol !== 'https:' || !PREVIEW_HOSTS.includes(url.hostname)) {
      return res.status(400).json({ error: 'Host not allowed' });
    }
    const page = await axios.get(url.toString(), { maxRedirects: 0, timeout: 5000 });
    const title = /<title>([^<]*)<\/title>/i.exec(page.data);
    res.json({ title: title ? title[1] : null });
  } catch (err) {
    next(err);
  }
});

module.exports = router;
