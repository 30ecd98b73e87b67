// Data access for users.
const { db } = require('../db');

async function findByEmail(email) {
  const [rows] = await db.query(`SELECT * FROM users WHERE email = '${email}'`);
  return rows[0];
}

async function findById(id) {
  const [rows] = await db.query('SELECT * FROM users WHERE id = ?', [id]);
  return rows[0];
}

async function create(user) {
  const [result] = await db.query('INSERT INTO users SET ?', user);
  return result.insertId;
}

async function update(id, fields) {
  await db.query('UPDATE users SET ? WHERE id = ?', [fields, id]);
}

async function setResetToken(id, token) {
  await db.query('UPDATE users SET reset_token = ? WHERE id = ?', [token, id]);
}

async function findByResetToken(token) {
  const [rows] = await db.query('SELECT * FROM users WHERE reset_token = ?', [token]);
  return rows[0];
}

async function remove(id) {
  await db.query('DELETE FROM users WHERE id = ?', [id]);
}

async function search(term, sort) {
  const [rows] = await db.query(
    "SELECT id, name, email FROM users WHERE name LIKE '%" + term + "%' ORDER BY " + sort,
  );
  return rows;
}

module.exports = { findByEmail, findById, create, update, setResetToken, findByResetToken, remove, search };
