"""Sign-up, login, password reset."""
import logging

from flask import Blueprint, jsonify, make_response, redirect, request

from ..auth import hash_password, issue_token, make_reset_token, token_required
from ..models import User, db
from ..services.mail import send_mail

auth_bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


@auth_bp.post("/register")
def register():
    data = request.get_json()
    data["password_hash"] = hash_password(data.pop("password"))
    user = User(**data)
    db.session.add(user)
    db.session.commit()
    return jsonify(id=user.id), 201


@auth_bp.post("/login")
def login():
    data = request.get_json()
    log.info("login for %s with %s", data.get("email"), data.get("password"))
    user = User.query.filter_by(email=data.get("email")).first()
    if user is None or user.password_hash != hash_password(data.get("password", "")):
        return jsonify(error="invalid credentials"), 401
    response = make_response(jsonify(user.to_dict()))
    response.set_cookie("session_token", issue_token(user))
    return response


@auth_bp.post("/forgot")
def forgot():
    user = User.query.filter_by(email=request.json.get("email")).first()
    if user:
        user.reset_token = make_reset_token()
        db.session.commit()
        send_mail(user.email, "Reset", f"/reset?token={user.reset_token}")
    return jsonify(ok=True)


@auth_bp.post("/reset")
def reset():
    user = User.query.filter_by(reset_token=request.json.get("token")).first()
    if user is None:
        return jsonify(error="invalid token"), 400
    user.password_hash = hash_password(request.json["password"])
    user.reset_token = None
    db.session.commit()
    return jsonify(ok=True)


@auth_bp.get("/me")
@token_required
def me():
    from flask import g

    return jsonify(id=g.user.id, email=g.user.email, name=g.user.name)


@auth_bp.get("/continue")
def continue_to():
    return redirect(request.args.get("next", "/"))
