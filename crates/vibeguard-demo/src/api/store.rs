//! The demo API's SQLite database, in memory, seeded with four users (alice, bob, an admin, and
//! carol, the account the password-reset test may change).

use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

/// A seeded account: email, password, name, role.
pub const ACCOUNTS: &[(&str, &str, &str, &str)] = &[
    (
        "alice@taskboard.example",
        "alice-Pa55word!",
        "Alice",
        "user",
    ),
    ("bob@taskboard.example", "bob-Pa55word!", "Bob", "user"),
    (
        "admin@taskboard.example",
        "admin-Pa55word!",
        "Admin",
        "admin",
    ),
    (
        "carol@taskboard.example",
        "carol-Pa55word!",
        "Carol",
        "user",
    ),
];

/// The password hash as the vulnerable code stores it: an unsalted SHA-256 hex digest.
pub fn weak_hash(password: &str) -> String {
    Sha256::digest(password.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fresh database with the schema and the seeded accounts and tasks.
pub fn open() -> rusqlite::Result<Connection> {
    let connection = Connection::open_in_memory()?;
    connection.execute_batch(
        "CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT UNIQUE NOT NULL,
            password_hash TEXT NOT NULL,
            name TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT 'user',
            api_key TEXT NOT NULL
         );
         CREATE TABLE tasks (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            done INTEGER NOT NULL DEFAULT 0,
            owner_id INTEGER NOT NULL REFERENCES users(id)
         );",
    )?;
    for (index, (email, password, name, role)) in ACCOUNTS.iter().enumerate() {
        connection.execute(
            "INSERT INTO users (email, password_hash, name, role, api_key) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![email, weak_hash(password), name, role, format!("tb_live_{:032x}", 0x5eed_u128 * (index as u128 + 7))],
        )?;
        connection.execute(
            "INSERT INTO tasks (title, done, owner_id) VALUES (?1, 0, ?2)",
            params![format!("{name}'s first task"), index as i64 + 1],
        )?;
    }
    Ok(connection)
}
