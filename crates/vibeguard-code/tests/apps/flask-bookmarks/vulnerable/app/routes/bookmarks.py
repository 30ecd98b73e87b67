"""Bookmarks."""
import requests
from flask import Blueprint, g, jsonify, request

from ..auth import token_required
from ..models import Bookmark, db
from ..services.search import search_bookmarks

bookmarks_bp = Blueprint("bookmarks", __name__)


@bookmarks_bp.get("/")
@token_required
def list_bookmarks():
    items = Bookmark.query.filter_by(owner_id=g.user.id).all()
    return jsonify([item.to_dict() for item in items])


@bookmarks_bp.get("/search")
@token_required
def search():
    return jsonify(search_bookmarks(g.user.id, request.args.get("q", "")))


@bookmarks_bp.post("/")
@token_required
def create():
    bookmark = Bookmark(**request.get_json(), owner_id=g.user.id)
    db.session.add(bookmark)
    db.session.commit()
    return jsonify(bookmark.to_dict()), 201


@bookmarks_bp.put("/<int:bookmark_id>")
@token_required
def update(bookmark_id):
    bookmark = Bookmark.query.get_or_404(bookmark_id)
    bookmark.title = request.json.get("title", bookmark.title)
    bookmark.notes = request.json.get("notes", bookmark.notes)
    db.session.commit()
    return jsonify(bookmark.to_dict())


@bookmarks_bp.delete("/<int:bookmark_id>")
@token_required
def delete(bookmark_id):
    bookmark = Bookmark.query.get_or_404(bookmark_id)
    db.session.delete(bookmark)
    db.session.commit()
    return "", 204


@bookmarks_bp.post("/preview")
@token_required
def preview():
    url = request.json["url"]
    page = requests.get(url, timeout=5)
    return jsonify(status=page.status_code, length=len(page.text))


@bookmarks_bp.post("/import")
def import_bookmarks():
    items = request.get_json()
    for item in items:
        db.session.add(Bookmark(url=item["url"], title=item.get("title"), owner_id=item["owner_id"]))
    db.session.commit()
    return jsonify(imported=len(items)), 201
