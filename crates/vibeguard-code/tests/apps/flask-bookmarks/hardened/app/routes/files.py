"""Files attached to bookmarks, hardened."""
import json
import os
import uuid

from flask import Blueprint, current_app, jsonify, request, send_from_directory

from ..auth import token_required

files_bp = Blueprint("files", __name__)
ALLOWED_EXTENSIONS = {"png", "jpg", "pdf"}


@files_bp.post("/")
@token_required
def upload():
    file = request.files["file"]
    extension = file.filename.rsplit(".", 1)[-1].lower()
    if extension not in ALLOWED_EXTENSIONS:
        return jsonify(error="file type not allowed"), 400
    name = f"{uuid.uuid4().hex}.{extension}"
    file.save(os.path.join(current_app.config["UPLOAD_FOLDER"], name))
    return jsonify(name=name), 201


@files_bp.get("/<path:name>")
@token_required
def download(name):
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], name)


@files_bp.post("/restore")
@token_required
def restore():
    state = json.loads(request.data)
    return jsonify(keys=list(state))
