"""Profiles and the admin's list of accounts; registered under /api."""

from flask import Blueprint, g, jsonify

from guards import admin_required, token_required
from settings import HARDENED
from store import query

bp = Blueprint("people", __name__)


def public(user):
    return {"id": user["id"], "email": user["email"], "name": user["name"]}


@bp.get("/users/<int:user_id>")
@token_required
def get_user(user_id):
    rows = query("SELECT * FROM users WHERE id = ?", (user_id,))
    if not rows or (HARDENED and rows[0]["id"] != g.user["id"]):
        return jsonify(message="not found"), 404
    return jsonify(public(rows[0]) if HARDENED else rows[0])


def admin_only(view):
    # The admin check was added to the twin only: "the admin page is hidden anyway".
    return admin_required(view) if HARDENED else view


@bp.get("/admin/accounts")
@token_required
@admin_only
def accounts():
    return jsonify([public(u) for u in query("SELECT * FROM users")])
