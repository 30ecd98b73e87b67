"""Token helpers and the login decorator, hardened."""
import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from functools import wraps

import jwt
from flask import current_app, g, request
from werkzeug.security import check_password_hash, generate_password_hash

from .models import User


def hash_password(password):
    return generate_password_hash(password)


def verify_password(user, password):
    return check_password_hash(user.password_hash, password)


def issue_token(user):
    payload = {"id": user.id, "exp": datetime.now(timezone.utc) + timedelta(minutes=15)}
    return jwt.encode(payload, current_app.config["JWT_SECRET"], algorithm="HS256")


def make_reset_token():
    return secrets.token_urlsafe(32)


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        token = header.replace("Bearer ", "")
        try:
            payload = jwt.decode(token, current_app.config["JWT_SECRET"], algorithms=["HS256"])
        except jwt.InvalidTokenError:
            return {"error": "invalid token"}, 401
        g.user = User.query.get(payload["id"])
        if g.user is None:
            return {"error": "unknown user"}, 401
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not g.user.is_admin:
            return {"error": "admins only"}, 403
        return view(*args, **kwargs)

    return wrapper
