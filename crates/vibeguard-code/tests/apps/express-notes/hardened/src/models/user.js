// Data access for users.
const { db } = require('../db');

async function findByEmail(email) {
  const [rows] = await db.query('SELECT id, email, name, role, password FROM users WHERE email = ?', [email]);
  return rows[0];
}

async function findById(id) {
  const [rows] = await db.query('SELECT id, email, name, role FROM users WHERE id = ?', [id]);
  return rows[0];
}

async function create({ email, name, passwordHash }) {
  const [result] = await db.query('INSERT INTO users (email, name, password) VALUES (?, ?, ?)', [email, name, passwordHash]);
  return result.insertId;
}

async function updateProfile(id, { name }) {
  await db.query('UPDATE users SET name = ? WHERE id = ?', [name, id]);
}

async function setPassword(id, passwordHash) {
  await db.query('UPDATE users SET password = ?, reset_token = NULL, reset_expires_at = NULL WHERE id = ?', [passwordHash, id]);
}

async function setResetToken(id, tokenHash, expiresAt) {
  await db.query('UPDATE users SET reset_token = ?, reset_expires_at = ? WHERE id = ?', [tokenHash, expiresAt, id]);
}

async function findByResetToken(tokenHash) {
  const [rows] = await db.query('SELECT id, reset_expires_at FROM users WHERE reset_token = ?', [tokenHash]);
  return rows[0];
}

async function remove(id) {
  await db.query('DELETE FROM users WHERE id = ?', [id]);
}

const SORTABLE = ['name', 'email'];

async function search(term, sort) {
  const column = SORTABLE.includes(sort) ? sort : 'name';
  const [rows] = await db.query(`SELECT id, name FROM users WHERE name LIKE ? ORDER BY ${column}`, [`%${term}%`]);
  return rows;
}

module.exports = { findByEmail, findById, create, updateProfile, setPassword, setResetToken, findByResetToken, remove, search };
