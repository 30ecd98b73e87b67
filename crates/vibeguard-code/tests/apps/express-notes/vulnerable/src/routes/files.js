// Attachments.
const express = require('express');
const multer = require('multer');
const path = require('path');
const fs = require('fs');

const config = require('../config');
const { authenticate } = require('../middleware/auth');

const router = express.Router();
const upload = multer({ dest: config.uploadDir });

router.post('/', authenticate, upload.single('file'), (req, res) => {
  res.status(201).json({ name: req.file.filename });
});

router.get('/:name', authenticate, (req, res) => {
  const file = path.join(__dirname, '..', '..', config.uploadDir, req.params.name);
  fs.readFile(file, (err, data) => {
    if (err) return res.status(404).json({ error: 'Not found' });
    res.send(data);
  });
});

module.exports = router;
