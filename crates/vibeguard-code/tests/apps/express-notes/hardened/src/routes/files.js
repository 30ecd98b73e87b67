// Attachments, hardened.
const express = require('express');
const multer = require('multer');
const path = require('path');

const config = require('../config');
const { authenticate } = require('../middleware/auth');

const router = express.Router();
const ALLOWED_TYPES = ['image/png', 'image/jpeg', 'application/pdf'];
const upload = multer({
  dest: config.uploadDir,
  limits: { fileSize: 5 * 1024 * 1024 },
  fileFilter: (req, file, cb) => cb(null, ALLOWED_TYPES.includes(file.mimetype)),
});

router.post('/', authenticate, upload.single('file'), (req, res) => {
  res.status(201).json({ name: req.file.filename });
});

router.get('/:name', authenticate, (req, res) => {
  res.sendFile(path.basename(req.params.name), { root: path.resolve(config.uploadDir) });
});

module.exports = router;
