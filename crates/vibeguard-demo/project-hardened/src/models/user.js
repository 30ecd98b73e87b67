const db = require('../db');

// The fields a client may see; the password hash never leaves this module.
const PUBLIC_FIELDS = 'id, email, name, role';

exports.findById = (id) =>
  new Promise((resolve, reject) => {
    db.query(`SELECT ${PUBLIC_FIELDS} FROM users WHERE id = ?`, [id], (err, rows) => {
      if (err) return reject(err);
      resolve(rows[0]);
    });
  });

// For the login check only: the caller compares the hash and answers with public fields.
exports.findCredentials = (email) =>
  new Promise((resolve, reject) => {
    db.query('SELECT id, role, password_hash FROM users WHERE email = ?', [email], (err, rows) => {
      if (err) return reject(err);
      resolve(rows[0]);
    });
  });
