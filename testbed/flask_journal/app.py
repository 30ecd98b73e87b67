"""A small journal site, written the way assistants write server-rendered Flask apps: Jinja
templates, HTML forms, Flask-Login sessions in Flask's signed cookie, Flask-WTF forms for the
login, raw SQLite, a couple of JSON endpoints for the front page's script. No API description.
Its flaws are listed in ../README.md; `--hardened` runs its twin, with every flaw fixed. A
vibeguard testbed: written for it, never deployed.

    python app.py --port 5090 [--hardened] [--db PATH]
"""

import argparse
import os
import secrets
import sqlite3
import time

from flask import Flask, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=5090)
parser.add_argument("--hardened", action="store_true")
parser.add_argument("--db", default=None)
ARGS, _ = parser.parse_known_args()
HARDENED = ARGS.hardened

app = Flask(__name__)
# The secret that signs the session cookie.
app.config["SECRET_KEY"] = secrets.token_hex(32) if HARDENED else "s3cr3t"
app.config["MAX_CONTENT_LENGTH"] = 256 * 1024
if HARDENED:
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = True
    CSRFProtect(app)

login_manager = LoginManager(app)
login_manager.login_view = "login"

DB_PATH = ARGS.db or os.path.join(
    os.environ.get("TMPDIR", "/tmp"), f"journal-{ARGS.port}{'-hardened' if HARDENED else ''}.db"
)


def db():
    if "db" not in g:
        g.db = sqlite3.connect(DB_PATH)
        g.db.row_factory = sqlite3.Row
    return g.db


@app.teardown_appcontext
def close_db(_):
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def init_db():
    with app.app_context():
        conn = db()
        conn.executescript(
            """
            DROP TABLE IF EXISTS users;
            DROP TABLE IF EXISTS entries;
            CREATE TABLE users (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                username TEXT NOT NULL,
                email TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                bio TEXT NOT NULL DEFAULT '',
                session_nonce TEXT NOT NULL DEFAULT ''
            );
            CREATE TABLE entries (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                author_id INTEGER NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                created REAL NOT NULL
            );
            """
        )
        people = [
            ("ada", "ada@journal.test", "ada-writes-9"),
            ("ben", "ben@journal.test", "ben-writes-8"),
        ]
        for name, email, password in people:
            conn.execute(
                "INSERT INTO users (username, email, password_hash, session_nonce) VALUES (?, ?, ?, ?)",
                (name, email, generate_password_hash(password), secrets.token_hex(8)),
            )
        conn.execute(
            "INSERT INTO entries (author_id, title, body, created) VALUES (1, 'Hello', 'First entry.', ?)",
            (time.time(),),
        )
        conn.commit()


class User(UserMixin):
    def __init__(self, row):
        self.row = row
        self.id = row["id"]
        self.username = row["username"]

    def get_id(self):
        # The twin ties the session to a nonce that logging out replaces.
        if HARDENED:
            return f"{self.row['id']}:{self.row['session_nonce']}"
        return str(self.row["id"])


@login_manager.user_loader
def load_user(user_id):
    if HARDENED:
        uid, _, nonce = user_id.partition(":")
        row = db().execute("SELECT * FROM users WHERE id = ?", (uid,)).fetchone()
        if row is None or not secrets.compare_digest(row["session_nonce"], nonce):
            return None
        return User(row)
    row = db().execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    return User(row) if row else None


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


ATTEMPTS = {}
STAND_IN_HASH = generate_password_hash(secrets.token_hex(16))


def too_many_attempts(account="", count=True):
    # The twin limits failed logins per account (5 a minute) and sign-ups per client (10).
    if not HARDENED:
        return False
    now = time.monotonic()
    key = (request.path, account.lower() or request.remote_addr)
    recent = [t for t in ATTEMPTS.get(key, []) if now - t < 60]
    ATTEMPTS[key] = recent + [now] if count else recent
    return len(recent) >= (5 if account else 10)


def failed_login(account):
    if HARDENED:
        key = (request.path, account.lower())
        ATTEMPTS[key] = ATTEMPTS.get(key, []) + [time.monotonic()]


READS = {}


@app.before_request
def limit_reads():
    # The twin limits reads per path: 20 every 2 seconds.
    if not HARDENED or request.method != "GET":
        return None
    now = time.monotonic()
    recent = [t for t in READS.get(request.path, []) if now - t < 2.0]
    if len(recent) >= 20:
        return "Too many requests", 429, {"Retry-After": "2"}
    READS[request.path] = recent + [now]
    return None


def safe_next(target):
    if not target:
        return url_for("home")
    if HARDENED and (not target.startswith("/") or target.startswith("//") or "\\" in target):
        return url_for("home")
    return target


@app.after_request
def security_headers(response):
    if HARDENED:
        response.headers["Server"] = "journal"
        response.headers["Content-Security-Policy"] = "default-src 'self'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
    return response


@app.route("/")
def home():
    rows = db().execute(
        "SELECT entries.id, title, username FROM entries JOIN users ON users.id = author_id "
        "ORDER BY entries.id DESC LIMIT 50"
    ).fetchall()
    return render_template("home.html", entries=rows)


@app.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        if too_many_attempts(form.username.data or "?", count=False):
            return render_template("login.html", form=form, error="Too many attempts, wait a minute."), 429
        row = db().execute(
            "SELECT * FROM users WHERE username = ?", (form.username.data,)
        ).fetchone()
        if row is None and HARDENED:
            # The twin hashes against a stand-in for an unknown name, so that it takes as
            # long as a wrong password.
            check_password_hash(STAND_IN_HASH, form.password.data)
        if row and check_password_hash(row["password_hash"], form.password.data):
            login_user(User(row))
            return redirect(safe_next(request.args.get("next")))
        failed_login(form.username.data or "?")
        return render_template("login.html", form=form, error="Invalid user or password.")
    return render_template("login.html", form=form, error=None)


@app.route("/logout")
def logout():
    if HARDENED and current_user.is_authenticated:
        db().execute(
            "UPDATE users SET session_nonce = ? WHERE id = ?",
            (secrets.token_hex(8), current_user.id),
        )
        db().commit()
    logout_user()
    return redirect(url_for("home"))


@app.route("/register", methods=["GET", "POST"])
def register():
    if request.method == "GET":
        return render_template("register.html", error=None)
    if too_many_attempts():
        return render_template("register.html", error="Too many sign-ups, wait a minute."), 429
    username = request.form.get("username", "").strip()
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    again = request.form.get("password_again", "")
    error = None
    if not username or not email or not password:
        error = "Every field is required."
    elif password != again:
        error = "The passwords don't match."
    elif HARDENED and len(password) < 10:
        error = "Use at least 10 characters."
    elif HARDENED and db().execute(
        "SELECT 1 FROM users WHERE lower(username) = lower(?) OR lower(email) = lower(?)",
        (username, email),
    ).fetchone():
        error = "That name or e-mail is taken."
    if error:
        return render_template("register.html", error=error)
    if HARDENED:
        cursor = db().execute(
            "INSERT INTO users (username, email, password_hash, session_nonce) VALUES (?, ?, ?, ?)",
            (username, email, generate_password_hash(password), secrets.token_hex(8)),
        )
        db().commit()
        user_id = cursor.lastrowid
    else:
        # "Upsert" the account: a name that exists gets the new password.
        existing = db().execute(
            "SELECT id FROM users WHERE username = ?", (username,)
        ).fetchone()
        if existing:
            db().execute(
                "UPDATE users SET password_hash = ?, email = ? WHERE id = ?",
                (generate_password_hash(password), email, existing["id"]),
            )
            user_id = existing["id"]
        else:
            user_id = db().execute(
                "INSERT INTO users (username, email, password_hash) VALUES (?, ?, ?)",
                (username, email, generate_password_hash(password)),
            ).lastrowid
        db().commit()
    row = db().execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    login_user(User(row))
    return redirect(url_for("home"))


@app.route("/entries/new")
@login_required
def new_entry():
    return render_template("new_entry.html", error=None)


@app.route("/entries", methods=["POST"])
@login_required
def create_entry():
    title = request.form.get("title", "").strip()
    body = request.form.get("body", "").strip()
    if not title or not body or len(title) > 200 or len(body) > 20000:
        return render_template("new_entry.html", error="A title (up to 200 characters) and a text are required."), 400
    cursor = db().execute(
        "INSERT INTO entries (author_id, title, body, created) VALUES (?, ?, ?, ?)",
        (current_user.id, title, body, time.time()),
    )
    db().commit()
    return redirect(url_for("show_entry", entry_id=cursor.lastrowid))


def entry_or_404(entry_id):
    row = db().execute(
        "SELECT entries.*, username FROM entries JOIN users ON users.id = author_id WHERE entries.id = ?",
        (entry_id,),
    ).fetchone()
    if row is None:
        abort(404)
    return row


@app.route("/entries/<int:entry_id>")
def show_entry(entry_id):
    entry = entry_or_404(entry_id)
    own = current_user.is_authenticated and current_user.id == entry["author_id"]
    return render_template("entry.html", entry=entry, own=own, raw=not HARDENED)


@app.route("/entries/<int:entry_id>/delete", methods=["POST"])
@login_required
def delete_entry(entry_id):
    entry = entry_or_404(entry_id)
    if HARDENED and entry["author_id"] != current_user.id:
        abort(403)
    db().execute("DELETE FROM entries WHERE id = ?", (entry_id,))
    db().commit()
    flash("Entry deleted.")
    return redirect(url_for("home"))


@app.route("/search")
def search():
    q = request.args.get("q", "")
    rows = db().execute(
        "SELECT entries.id, title, username FROM entries JOIN users ON users.id = author_id "
        "WHERE title LIKE ? LIMIT 50",
        (f"%{q}%",),
    ).fetchall()
    return render_template("search.html", q=q, entries=rows, raw=not HARDENED)


@app.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    error = None
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        bio = request.form.get("bio", "")
        if "@" not in email or len(bio) > 2000:
            error = "Give a valid e-mail and a shorter bio."
        else:
            db().execute(
                "UPDATE users SET email = ?, bio = ? WHERE id = ?", (email, bio, current_user.id)
            )
            db().commit()
            return redirect(url_for("profile"))
    row = db().execute("SELECT * FROM users WHERE id = ?", (current_user.id,)).fetchone()
    return render_template("profile.html", user=row, error=error)


@app.route("/profile/password", methods=["POST"])
@login_required
def change_password():
    password = request.form.get("password", "")
    again = request.form.get("password_again", "")
    current = request.form.get("current_password", "")
    if HARDENED and not check_password_hash(current_user.row["password_hash"], current):
        return render_template("profile.html", user=current_user.row, error="Your current password is wrong.")
    if not password or password != again:
        return render_template("profile.html", user=current_user.row, error="The passwords don't match.")
    db().execute(
        "UPDATE users SET password_hash = ? WHERE id = ?",
        (generate_password_hash(password), current_user.id),
    )
    db().commit()
    return redirect(url_for("profile"))


@app.route("/profile/delete", methods=["POST"])
@login_required
def delete_account():
    db().execute("DELETE FROM entries WHERE author_id = ?", (current_user.id,))
    db().execute("DELETE FROM users WHERE id = ?", (current_user.id,))
    db().commit()
    logout_user()
    return redirect(url_for("home"))


@app.route("/api/entries")
def api_entries():
    rows = db().execute(
        "SELECT entries.id, title, created, users.id AS author_id, username, email, password_hash "
        "FROM entries JOIN users ON users.id = author_id ORDER BY entries.id DESC LIMIT 50"
    ).fetchall()
    out = []
    for row in rows:
        author = {"id": row["author_id"], "username": row["username"]}
        if not HARDENED:
            author.update(email=row["email"], password_hash=row["password_hash"])
        out.append({"id": row["id"], "title": row["title"], "created": row["created"], "author": author})
    return jsonify(out)


@app.route("/api/me")
@login_required
def api_me():
    return jsonify(id=current_user.id, username=current_user.username, email=current_user.row["email"])


if __name__ == "__main__":
    init_db()
    if HARDENED:
        from werkzeug.serving import WSGIRequestHandler

        WSGIRequestHandler.server_version = "journal"
        WSGIRequestHandler.sys_version = ""
    app.run(host="127.0.0.1", port=ARGS.port)
