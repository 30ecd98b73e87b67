"""Admin tools."""
import subprocess

from flask import Blueprint, jsonify, request

from ..auth import admin_required, token_required
from ..models import User

admin_bp = Blueprint("admin", __name__)


@admin_bp.get("/users")
@token_required
@admin_required
def users():
    return jsonify([user.to_dict() for user in User.query.all()])


@admin_bp.post("/export")
@token_required
@admin_required
def export():
    target = request.json.get("path", "/tmp/export.sql")
    try:
        subprocess.run(f"pg_dump bookmarks > {target}", shell=True, check=True)
    except subprocess.CalledProcessError as error:
        return jsonify(error=str(error)), 500
    return jsonify(ok=True)
