"""SQLite (in memory, one connection shared under a lock): users, recipes keyed by slug, tokens."""

import hashlib
import re
import secrets
import sqlite3
import threading

from settings import HARDENED

LOCK = threading.Lock()
DB = sqlite3.connect(":memory:", check_same_thread=False)
DB.row_factory = sqlite3.Row
DB.executescript(
    """
    CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL, name TEXT NOT NULL,
                        password_hash TEXT NOT NULL, is_admin INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE recipes (slug TEXT PRIMARY KEY, title TEXT NOT NULL, ingredients TEXT NOT NULL,
                          steps TEXT NOT NULL, private INTEGER NOT NULL DEFAULT 0,
                          owner_id INTEGER NOT NULL);
    CREATE TABLE tokens (token TEXT PRIMARY KEY, user_id INTEGER NOT NULL);
    """
)


def hash_password(password):
    if HARDENED:
        salt = secrets.token_hex(8)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 200_000)
        return f"pbkdf2${salt}${digest.hex()}"
    return hashlib.sha1(password.encode()).hexdigest()


def password_matches(password, stored):
    if HARDENED:
        _, salt, digest = stored.split("$")
        again = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 200_000)
        return secrets.compare_digest(again.hex(), digest)
    return hashlib.sha1(password.encode()).hexdigest() == stored


def query(sql, params=()):
    with LOCK:
        return [dict(row) for row in DB.execute(sql, params).fetchall()]


def execute(sql, params=()):
    with LOCK:
        cursor = DB.execute(sql, params)
        DB.commit()
        return cursor.lastrowid


def slugify(title):
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80]


for email, name, password, admin in [
    ("maya@recipes.test", "Maya", "maya-pass-1", 0),
    ("noah@recipes.test", "Noah", "noah-pass-2", 0),
    ("olga@recipes.test", "Olga", "olga-pass-3", 1),
]:
    execute(
        "INSERT INTO users (email, name, password_hash, is_admin) VALUES (?, ?, ?, ?)",
        (email, name, hash_password(password), admin),
    )
