"""Health and version endpoints."""
import platform

from flask import Blueprint, jsonify

from ..models import db

health_bp = Blueprint("health", __name__)


@health_bp.get("/health")
def health():
    db.session.execute(db.select(1))
    return jsonify(status="ok")


@health_bp.get("/version")
def version():
    return jsonify(version="2.3.0", python=platform.python_version())
