"""Sign-up and a JSON login issuing bearer tokens; registered under /api/auth."""

import secrets
import time

from flask import Blueprint, jsonify, request

from settings import HARDENED
from store import execute, hash_password, password_matches, query

bp = Blueprint("auth", __name__)
ATTEMPTS = {}


def too_many(kind):
    if not HARDENED:
        return False
    now = time.monotonic()
    key = (kind, request.remote_addr)
    ATTEMPTS[key] = [t for t in ATTEMPTS.get(key, []) if now - t < 60] + [now]
    return len(ATTEMPTS[key]) > 8


@bp.post("/register")
def register():
    if too_many("register"):
        return jsonify(message="too many sign-ups"), 429, {"Retry-After": "60"}
    data = request.get_json(silent=True) or {}
    email, password = str(data.get("email", "")), str(data.get("password", ""))
    if "@" not in email or len(password) < 8:
        return jsonify(message="an e-mail and a password of 8+ characters are required"), 400
    if query("SELECT id FROM users WHERE email = ?", (email,)):
        return jsonify(message="e-mail already registered"), 409
    # "the admin UI posts is_admin for new staff"
    is_admin = 0 if HARDENED else int(bool(data.get("is_admin")))
    user_id = execute(
        "INSERT INTO users (email, name, password_hash, is_admin) VALUES (?, ?, ?, ?)",
        (email, str(data.get("name", email))[:80], hash_password(password), is_admin),
    )
    return jsonify(id=user_id, email=email, is_admin=bool(is_admin)), 201


@bp.post("/login")
def login():
    if too_many("login"):
        return jsonify(message="too many attempts"), 429, {"Retry-After": "60"}
    data = request.get_json(silent=True) or {}
    rows = query("SELECT * FROM users WHERE email = ?", (str(data.get("email", "")),))
    if not rows:
        return jsonify(message="invalid credentials" if HARDENED else "unknown e-mail"), 401
    if not password_matches(str(data.get("password", "")), rows[0]["password_hash"]):
        return jsonify(message="invalid credentials" if HARDENED else "wrong password"), 401
    token = secrets.token_urlsafe(32)
    execute("INSERT INTO tokens (token, user_id) VALUES (?, ?)", (token, rows[0]["id"]))
    return jsonify(access_token=token, token_type="bearer")
