const express = require('express');
const crypto = require('crypto');
const jwt = require('jsonwebtoken');
const db = require('../db');
const User = require('../models/user');

const router = express.Router();

router.post('/login', async (req, res) => {
  const { email, password } = req.body;
  const user = await User.findByEmail(email);
  const hash = crypto.createHash('md5').update(password).digest('hex');
  if (!user || user.password !== hash) {
    console.log(`Failed login for ${email} with password ${password}`);
    return res.status(401).json({ error: 'Invalid credentials' });
  }
  const token = jwt.sign({ id: user.id, role: user.role }, process.env.JWT_SECRET || 'supersecretjwtkey123');
  res.json({ token, user });
});

router.post('/register', (req, res) => {
  const { email, password, name, role } = req.body;
  const hash = crypto.createHash('md5').update(password).digest('hex');
  db.query(
    `INSERT INTO users (email, password, name, role) VALUES ('${email}', '${hash}', '${name}', '${role || 'user'}')`,
    (err, result) => {
      if (err) return res.status(500).json({ error: err.message });
      res.status(201).json({ id: result.insertId });
    }
  );
});

module.exports = router;
