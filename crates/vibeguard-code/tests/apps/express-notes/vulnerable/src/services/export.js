// CSV export of a user's notes.
const { db } = require('../db');

function csvCell(value) {
  const text = value === null || value === undefined ? '' : String(value);
  if (/[",\n]/.test(text)) {
    return `"${text.replace(/"/g, '""')}"`;
  }
  return text;
}

async function exportNotes(ownerId) {
  const [rows] = await db.query('SELECT id, title, body FROM notes WHERE owner_id = ? ORDER BY id', [ownerId]);
  const lines = ['id,title,body'];
  for (const row of rows) {
    lines.push([row.id, row.title, row.body].map(csvCell).join(','));
  }
  return lines.join('\n');
}

module.exports = { exportNotes };
