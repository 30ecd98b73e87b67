"""Sign-up, login, password reset, hardened."""
import logging
from datetime import datetime, timedelta

from flask import Blueprint, jsonify, make_response, redirect, request, url_for

from .. import limiter
from ..auth import digest, hash_password, issue_token, make_reset_token, token_required, verify_password
from ..models import User, db
from ..services.mail import send_mail
from ..validators import ValidationError, require

auth_bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


@auth_bp.post("/register")
@limiter.limit("5 per minute")
def register():
    try:
        email, name, password = require(request.get_json() or {}, "email", "name", "password")
    except ValidationError as error:
        return jsonify(error=str(error)), 400
    user = User(email=str(email), name=str(name), password_hash=hash_password(str(password)))
    db.session.add(user)
    db.session.commit()
    return jsonify(id=user.id), 201


@auth_bp.post("/login")
@limiter.limit("10 per minute")
def login():
    data = request.get_json() or {}
    log.info("login for %s", data.get("email"))
    user = User.query.filter_by(email=str(data.get("email"))).first()
    if user is None or not verify_password(user, str(data.get("password", ""))):
        return jsonify(error="invalid credentials"), 401
    response = make_response(jsonify(id=user.id, email=user.email, name=user.name))
    response.set_cookie("session_token", issue_token(user), httponly=True, secure=True, samesite="Strict")
    return response


@auth_bp.post("/forgot")
@limiter.limit("3 per minute")
def forgot():
    user = User.query.filter_by(email=str(request.json.get("email"))).first()
    if user:
        token = make_reset_token()
        user.reset_token = digest(token)
        user.reset_expires_at = datetime.utcnow() + timedelta(minutes=30)
        db.session.commit()
        send_mail(user.email, "Reset", f"/reset?token={token}")
    return jsonify(ok=True)


@auth_bp.post("/reset")
@limiter.limit("5 per minute")
def reset():
    user = User.query.filter_by(reset_token=digest(str(request.json.get("token")))).first()
    if user is None or user.reset_expires_at < datetime.utcnow():
        return jsonify(error="invalid token"), 400
    user.password_hash = hash_password(str(request.json["password"]))
    user.reset_token = None
    user.reset_expires_at = None
    db.session.commit()
    return jsonify(ok=True)


@auth_bp.get("/me")
@token_required
def me():
    from flask import g

    return jsonify(id=g.user.id, email=g.user.email, name=g.user.name)


@auth_bp.get("/continue")
def continue_to():
    return redirect(url_for("bookmarks.list_bookmarks"))
