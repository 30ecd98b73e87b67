"""A reading-list API, written the way assistants write Flask apps: Flask + SQLAlchemy, opaque
tokens in an `Authorization: Token ...` header, shelves keyed by their name and users by their
username. Its flaws are listed in ../README.md. `--hardened` runs its twin, with every flaw
fixed. A vibeguard testbed: written for it, never deployed.

    python app.py --port 5050 [--hardened] [--db /tmp/library.db]
"""

import argparse
import hashlib
import secrets
import tempfile
import time
from functools import wraps

from flask import Flask, g, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text
from werkzeug.serving import WSGIRequestHandler

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=5050)
parser.add_argument("--db", help="SQLite file (default: a new temporary file)")
parser.add_argument("--hardened", action="store_true")
args = parser.parse_args()
HARDENED = args.hardened

app = Flask(__name__)
DB_PATH = args.db or tempfile.mkstemp(prefix="library-", suffix=".db")[1]
app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{DB_PATH}"
db = SQLAlchemy(app)


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), unique=True, nullable=False)
    email = db.Column(db.String(120), nullable=False)
    password = db.Column(db.String(200), nullable=False)  # the clear text, for "support"
    password_hash = db.Column(db.String(200), nullable=False)
    is_admin = db.Column(db.Boolean, default=False)
    token = db.Column(db.String(64), unique=True)


class Shelf(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), unique=True, nullable=False)
    description = db.Column(db.String(500), default="")
    private_notes = db.Column(db.String(500), default="")
    owner = db.Column(db.String(80), nullable=False)


def hash_password(password):
    if HARDENED:
        salt = secrets.token_hex(8)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 200_000)
        return f"pbkdf2${salt}${digest.hex()}"
    return hashlib.md5(password.encode()).hexdigest()


def public_user(user):
    return {"username": user.username, "email": user.email}


def login_required(view):
    @wraps(view)
    def wrapper(*a, **kw):
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Token ").strip()
        user = User.query.filter_by(token=token).first() if token else None
        if user is None:
            return jsonify(error="authentication required"), 401
        g.user = user
        return view(*a, **kw)

    return wrapper


@app.after_request
def headers(response):
    if HARDENED:
        response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


ATTEMPTS = {}
RECENT_SEARCHES = []
MAX_NESTING = 32


@app.before_request
def refuse_deep_bodies():
    """The twin refuses JSON nested deeper than any client needs (Python's parser would
    otherwise recurse until it fails with a 500)."""
    if not HARDENED or not request.data:
        return None
    depth = deepest = 0
    for byte in request.data:
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif byte in b"]}":
            depth -= 1
    if deepest > MAX_NESTING:
        return jsonify(error="body nested too deeply"), 400
    return None


@app.post("/auth/login")
def login():
    data = request.get_json(silent=True) or {}
    username, password = str(data.get("username", "")), str(data.get("password", ""))
    if HARDENED:
        count = ATTEMPTS.get(request.remote_addr, 0) + 1
        ATTEMPTS[request.remote_addr] = count
        if count > 10:
            return jsonify(error="too many attempts"), 429, {"Retry-After": "60"}
    user = User.query.filter_by(username=username).first()
    if user is None:
        if HARDENED:
            return jsonify(error="invalid username or password"), 401
        return jsonify(error=f"no user named {username}"), 404
    if not check_password(user, password):
        if HARDENED:
            return jsonify(error="invalid username or password"), 401
        return jsonify(error="wrong password"), 401
    if HARDENED:
        ATTEMPTS[request.remote_addr] = 0
    user.token = secrets.token_hex(24)
    db.session.commit()
    return jsonify(token=user.token, username=user.username)


def check_password(user, password):
    if HARDENED:
        _, salt, digest = user.password_hash.split("$")
        again = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 200_000)
        return secrets.compare_digest(again.hex(), digest)
    return hashlib.md5(password.encode()).hexdigest() == user.password_hash


@app.get("/members")
def members():
    if HARDENED:
        return members_hardened()
    # "Temporary" support page: every member, with what they log in with.
    return jsonify(
        [
            {"username": u.username, "email": u.email, "password": u.password}
            for u in User.query.all()
        ]
    )


@login_required
def members_hardened():
    return jsonify([{"username": u.username} for u in User.query.all()])


@app.get("/users/<username>")
@login_required
def get_user(username):
    user = User.query.filter_by(username=username).first_or_404()
    if HARDENED:
        if user.id != g.user.id:
            return jsonify(error="not found"), 404
        return jsonify(public_user(user))
    return jsonify(
        {
            "username": user.username,
            "email": user.email,
            "password_hash": user.password_hash,
            "is_admin": user.is_admin,
        }
    )


@app.put("/users/<username>")
@login_required
def update_user(username):
    user = User.query.filter_by(username=username).first_or_404()
    if HARDENED and user.id != g.user.id:
        return jsonify(error="not found"), 404
    data = request.get_json(silent=True) or {}
    if "email" in data:
        user.email = str(data["email"])
    if "password" in data:
        user.password = "" if HARDENED else str(data["password"])
        user.password_hash = hash_password(str(data["password"]))
    db.session.commit()
    return jsonify(public_user(user))


@app.get("/shelves")
@login_required
def list_shelves():
    shelves = Shelf.query.filter_by(owner=g.user.username).all()
    return jsonify([{"name": s.name, "description": s.description} for s in shelves])


@app.post("/shelves")
@login_required
def create_shelf():
    data = request.get_json(silent=True) or {}
    name = str(data.get("name", "")).strip()
    if not name or len(name) > 120:
        return jsonify(error="name is required (at most 120 characters)"), 400
    if Shelf.query.filter_by(name=name).first():
        return jsonify(error="a shelf with that name exists"), 409
    shelf = Shelf(
        name=name,
        description=str(data.get("description", ""))[:500],
        private_notes=str(data.get("private_notes", ""))[:500],
        owner=g.user.username,
    )
    db.session.add(shelf)
    db.session.commit()
    return jsonify(message="shelf created"), 201


def own_shelf(name):
    shelf = Shelf.query.filter_by(name=name).first()
    if shelf is None or (HARDENED and shelf.owner != g.user.username):
        return None
    return shelf


@app.get("/shelves/<name>")
@login_required
def get_shelf(name):
    shelf = own_shelf(name)
    if shelf is None:
        return jsonify(error="not found"), 404
    return jsonify(
        {
            "name": shelf.name,
            "description": shelf.description,
            "private_notes": shelf.private_notes,
            "owner": shelf.owner,
        }
    )


@app.delete("/shelves/<name>")
@login_required
def delete_shelf(name):
    shelf = own_shelf(name)
    if shelf is None:
        return jsonify(error="not found"), 404
    db.session.delete(shelf)
    db.session.commit()
    return "", 204


@app.get("/search")
@login_required
def search():
    q = request.args.get("q", "")
    if HARDENED:
        now = time.monotonic()
        RECENT_SEARCHES[:] = [at for at in RECENT_SEARCHES if now - at < 2.0]
        if len(RECENT_SEARCHES) >= 15:
            return jsonify(error="too many searches"), 429, {"Retry-After": "2"}
        RECENT_SEARCHES.append(now)
        rows = db.session.execute(
            text("SELECT name, description FROM shelf WHERE owner = :o AND name LIKE :q"),
            {"o": g.user.username, "q": f"%{q}%"},
        )
    else:
        try:
            rows = db.session.execute(
                text(
                    f"SELECT name, description FROM shelf WHERE owner = '{g.user.username}' "
                    f"AND name LIKE '%{q}%'"
                )
            )
        except Exception as error:  # noqa: BLE001 - shown to help debugging
            db.session.rollback()
            return jsonify(error=str(error)), 500
    return jsonify([{"name": r[0], "description": r[1]} for r in rows])


def seed():
    for username, password in [("alice", "alice-pw-1"), ("bob", "bob-pw-2"), ("carol", "carol-pw-3")]:
        db.session.add(
            User(
                username=username,
                email=f"{username}@library.test",
                password="" if HARDENED else password,
                password_hash=hash_password(password),
            )
        )
    db.session.commit()


if __name__ == "__main__":
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed()
    if HARDENED:
        # No software names or versions in the Server header.
        WSGIRequestHandler.version_string = lambda self: "library"
    app.run(host="127.0.0.1", port=args.port, threaded=True)
