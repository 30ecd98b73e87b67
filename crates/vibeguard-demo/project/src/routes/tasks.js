const express = require('express');
const multer = require('multer');
const auth = require('../middleware/auth');
const db = require('../db');

const router = express.Router();
const upload = multer({ dest: 'uploads/' });

router.get('/', (req, res) => {
  const q = req.query.q || '';
  db.query(`SELECT * FROM tasks WHERE title LIKE '%${q}%'`, (err, rows) => {
    if (err) return res.status(500).json({ error: err.message, sql: err.sql });
    res.json(rows);
  });
});

router.post('/', auth, (req, res) => {
  const task = { ...req.body, ownerId: req.body.ownerId || req.user.id };
  db.query('INSERT INTO tasks SET ?', task, (err, result) => {
    if (err) return res.status(500).json({ error: err.message });
    res.status(201).json({ id: result.insertId, ...task });
  });
});

router.post('/:id/attachment', auth, upload.single('file'), (req, res) => {
  res.json({ path: req.file.path });
});

router.delete('/:id', auth, (req, res) => {
  db.query(`DELETE FROM tasks WHERE id = ${req.params.id}`, (err) => {
    if (err) return res.status(500).json({ error: err.message });
    res.status(204).end();
  });
});

module.exports = router;
