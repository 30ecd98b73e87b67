// Database pool and schema.
const mysql = require('mysql2');

const pool = mysql.createPool({
  host: process.env.DB_HOST || 'localhost',
  user: process.env.DB_USER || 'notes',
  password: process.env.DB_PASSWORD || 'N0tes-Passw0rd!',
  database: process.env.DB_NAME || 'notes',
  connectionLimit: 10,
});

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id INT AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(255) NOT NULL UNIQUE,
  name VARCHAR(255),
  password VARCHAR(255) NOT NULL,
  role VARCHAR(20) DEFAULT 'user',
  reset_token VARCHAR(64),
  api_key VARCHAR(64)
);
CREATE TABLE IF NOT EXISTS notes (
  id INT AUTO_INCREMENT PRIMARY KEY,
  owner_id INT NOT NULL,
  title VARCHAR(255),
  body TEXT,
  shared BOOLEAN DEFAULT FALSE
);
`;

function migrate() {
  return pool.promise().query(SCHEMA);
}

module.exports = { pool, db: pool.promise(), migrate };
