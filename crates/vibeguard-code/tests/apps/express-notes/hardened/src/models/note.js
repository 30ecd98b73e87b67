// Data access for notes.
const { db } = require('../db');

async function listForOwner(ownerId) {
  const [rows] = await db.query('SELECT id, title, shared FROM notes WHERE owner_id = ?', [ownerId]);
  return rows;
}

async function search(ownerId, text) {
  const [rows] = await db.query('SELECT id, title FROM notes WHERE owner_id = ? AND body LIKE ?', [ownerId, `%${text}%`]);
  return rows;
}

async function get(id, ownerId) {
  const [rows] = await db.query('SELECT id, title, body, shared FROM notes WHERE id = ? AND owner_id = ?', [id, ownerId]);
  return rows[0];
}

async function create({ title, body, ownerId }) {
  const [result] = await db.query('INSERT INTO notes (title, body, owner_id) VALUES (?, ?, ?)', [title, body, ownerId]);
  return result.insertId;
}

module.exports = { listForOwner, search, get, create };
