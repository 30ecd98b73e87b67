"""Token helpers and the login decorator."""
import hashlib
import random
import string
from functools import wraps

import jwt
from flask import current_app, g, request

from .models import User


def hash_password(password):
    return hashlib.sha256(password.encode()).hexdigest()


def issue_token(user):
    payload = {"id": user.id, "admin": user.is_admin}
    return jwt.encode(payload, current_app.config["JWT_SECRET"], algorithm="HS256")


def make_reset_token():
    return "".join(random.choices(string.ascii_letters + string.digits, k=32))


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        token = header.replace("Bearer ", "")
        try:
            payload = jwt.decode(token, options={"verify_signature": False})
        except jwt.DecodeError:
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
