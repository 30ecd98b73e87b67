"""Admin tools, hardened."""
import logging
import subprocess
from datetime import date

from flask import Blueprint, jsonify

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
    target = f"/backups/bookmarks-{date.today().isoformat()}.sql"
    try:
        subprocess.run(["pg_dump", "--file", target, "bookmarks"], check=True)
    except subprocess.CalledProcessError:
        logging.getLogger(__name__).exception("export failed")
        return jsonify(error="export failed"), 500
    return jsonify(ok=True)
