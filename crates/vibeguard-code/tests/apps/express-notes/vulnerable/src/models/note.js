// Data access for notes.
const { db } = require('../db');

async function listForOwner(ownerId) {
  const [rows] = await db.query('SELECT id, title, shared FROM notes WHERE owner_id = ?', [ownerId]);
  return rows;
}

async function search(ownerId, text) {
  const [rows] = await db.query(
    `SELECT id, title FROM notes WHERE owner_id = ${ownerId} AND body LIKE '%${text}%'`,
  );
  return rows;
}

async function get(id) {
  const [rows] = await db.query('SELECT * FROM notes WHERE id = ?', [id]);
  return rows[0];
}

async function create(note) {
  const [result] = await db.query('INSERT INTO notes SET ?', note);
  return result.insertId;
}

module.exports = { listForOwner, search, get, create };
