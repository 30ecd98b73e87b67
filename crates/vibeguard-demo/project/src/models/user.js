const db = require('../db');

exports.findById = (id) =>
  new Promise((resolve, reject) => {
    db.query('SELECT * FROM users WHERE id = ' + id, (err, rows) => {
      if (err) return reject(err);
      resolve(rows[0]);
    });
  });

exports.findByEmail = (email) =>
  new Promise((resolve, reject) => {
    db.query(`SELECT * FROM users WHERE email = '${email}'`, (err, rows) => {
      if (err) return reject(err);
      resolve(rows[0]);
    });
  });
