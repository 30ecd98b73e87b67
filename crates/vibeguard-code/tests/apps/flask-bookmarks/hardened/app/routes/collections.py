"""Collections of bookmarks: written with ownership checks throughout."""
from flask import Blueprint, abort, g, jsonify, request

from ..auth import token_required
from ..models import Bookmark, db
from ..validators import ValidationError, clean_title, page_args, require

collections_bp = Blueprint("collections", __name__)

_collections = {}


def _owned(collection_id):
    collection = _collections.get(collection_id)
    if collection is None or collection["owner_id"] != g.user.id:
        abort(404)
    return collection


@collections_bp.get("/")
@token_required
def list_collections():
    offset, size = page_args(request.args)
    mine = [c for c in _collections.values() if c["owner_id"] == g.user.id]
    return jsonify(mine[offset : offset + size])


@collections_bp.post("/")
@token_required
def create_collection():
    try:
        (name,) = require(request.get_json() or {}, "name")
        name = clean_title(name)
    except ValidationError as error:
        return jsonify(error=str(error)), 400
    collection_id = len(_collections) + 1
    _collections[collection_id] = {"id": collection_id, "name": name, "owner_id": g.user.id, "bookmarks": []}
    return jsonify(_collections[collection_id]), 201


@collections_bp.post("/<int:collection_id>/bookmarks/<int:bookmark_id>")
@token_required
def add_bookmark(collection_id, bookmark_id):
    collection = _owned(collection_id)
    bookmark = Bookmark.query.filter_by(id=bookmark_id, owner_id=g.user.id).first_or_404()
    collection["bookmarks"].append(bookmark.id)
    return jsonify(collection)


@collections_bp.delete("/<int:collection_id>")
@token_required
def delete_collection(collection_id):
    _owned(collection_id)
    del _collections[collection_id]
    return "", 204


@collections_bp.get("/<int:collection_id>/bookmarks")
@token_required
def collection_bookmarks(collection_id):
    collection = _owned(collection_id)
    items = Bookmark.query.filter(Bookmark.id.in_(collection["bookmarks"]), Bookmark.owner_id == g.user.id).all()
    return jsonify([item.to_dict() for item in items])


@collections_bp.get("/stats")
@token_required
def stats():
    total = db.session.query(Bookmark).filter_by(owner_id=g.user.id).count()
    public = db.session.query(Bookmark).filter_by(owner_id=g.user.id, public=True).count()
    return jsonify(total=total, public=public)
