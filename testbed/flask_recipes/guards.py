"""The decorators the blueprints import: a bearer token, and the admin flag."""

from functools import wraps

from flask import g, jsonify, request

from store import query


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else None
        rows = query(
            "SELECT users.* FROM tokens JOIN users ON users.id = tokens.user_id WHERE token = ?",
            (token,),
        ) if token else []
        if not rows:
            return jsonify(message="authentication required"), 401
        g.user = rows[0]
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not g.user["is_admin"]:
            return jsonify(message="admins only"), 403
        return view(*args, **kwargs)

    return wrapper
