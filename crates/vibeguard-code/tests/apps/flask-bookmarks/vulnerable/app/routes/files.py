"""Files attached to bookmarks."""
import os
import pickle

from flask import Blueprint, current_app, jsonify, request, send_file

from ..auth import token_required

files_bp = Blueprint("files", __name__)


@files_bp.post("/")
@token_required
def upload():
    file = request.files["file"]
    file.save(os.path.join(current_app.config["UPLOAD_FOLDER"], file.filename))
    return jsonify(name=file.filename), 201


@files_bp.get("/<path:name>")
@token_required
def download(name):
    return send_file(os.path.join(current_app.config["UPLOAD_FOLDER"], name))


@files_bp.post("/restore")
@token_required
def restore():
    state = pickle.loads(request.data)
    return jsonify(keys=list(state))
