const express = require('express');
const multer = require('multer');
const auth = require('../middleware/auth');
const db = require('../db');

const router = express.Router();

// Images up to 2 MB, nothing else.
const upload = multer({
  dest: 'uploads/',
  limits: { fileSize: 2 * 1024 * 1024, files: 1 },
  fileFilter: (req, file, done) => done(null, ['image/png', 'image/jpeg'].includes(file.mimetype)),
});

router.use(auth);

router.get('/', (req, res) => {
  const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 100) : '';
  db.query(
    'SELECT id, title, done FROM tasks WHERE owner_id = ? AND title LIKE ? LIMIT 50',
    [req.user.sub, `%${q}%`],
    (err, rows) => {
      if (err) return res.status(500).json({ error: 'Internal server error' });
      res.json(rows);
    }
  );
});

router.post('/', (req, res) => {
  const { title, done } = req.body;
  if (typeof title !== 'string' || title.length > 200) {
    return res.status(400).json({ error: 'A title of at most 200 characters is required' });
  }
  const task = { title, done: done === true, owner_id: req.user.sub };
  db.query('INSERT INTO tasks (title, done, owner_id) VALUES (?, ?, ?)', [task.title, task.done, task.owner_id], (err, result) => {
    if (err) return res.status(500).json({ error: 'Internal server error' });
    res.status(201).json({ id: result.insertId, title: task.title, done: task.done });
  });
});

router.post('/:id/attachment', upload.single('file'), (req, res) => {
  db.query('SELECT id FROM tasks WHERE id = ? AND owner_id = ?', [req.params.id, req.user.sub], (err, rows) => {
    if (err) return res.status(500).json({ error: 'Internal server error' });
    if (!rows.length || !req.file) return res.status(404).json({ error: 'Not found' });
    res.status(201).json({ attached: true });
  });
});

router.delete('/:id', (req, res) => {
  db.query('DELETE FROM tasks WHERE id = ? AND owner_id = ?', [req.params.id, req.user.sub], (err, result) => {
    if (err) return res.status(500).json({ error: 'Internal server error' });
    if (!result.affectedRows) return res.status(404).json({ error: 'Not found' });
    res.status(204).end();
  });
});

module.exports = router;
