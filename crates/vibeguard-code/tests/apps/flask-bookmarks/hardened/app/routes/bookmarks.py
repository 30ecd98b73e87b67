"""Bookmarks, hardened: every query is scoped to the caller."""
from urllib.parse import urlparse

import requests
from flask import Blueprint, g, jsonify, request

from ..auth import token_required
from ..models import Bookmark, db
from ..services.search import search_bookmarks
from ..validators import ValidationError, clean_title, is_http_url

bookmarks_bp = Blueprint("bookmarks", __name__)
PREVIEW_HOSTS = {"example.com", "docs.example.com"}


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
    data = request.get_json() or {}
    if not is_http_url(data.get("url")):
        return jsonify(error="bad url"), 400
    try:
        title = clean_title(data.get("title"))
    except ValidationError as error:
        return jsonify(error=str(error)), 400
    bookmark = Bookmark(url=str(data["url"]), title=title, notes=str(data.get("notes", "")), owner_id=g.user.id)
    db.session.add(bookmark)
    db.session.commit()
    return jsonify(bookmark.to_dict()), 201


@bookmarks_bp.put("/<int:bookmark_id>")
@token_required
def update(bookmark_id):
    bookmark = Bookmark.query.filter_by(id=bookmark_id, owner_id=g.user.id).first_or_404()
    bookmark.title = request.json.get("title", bookmark.title)
    bookmark.notes = request.json.get("notes", bookmark.notes)
    db.session.commit()
    return jsonify(bookmark.to_dict())


@bookmarks_bp.delete("/<int:bookmark_id>")
@token_required
def delete(bookmark_id):
    Bookmark.query.filter_by(id=bookmark_id, owner_id=g.user.id).delete()
    db.session.commit()
    return "", 204


@bookmarks_bp.post("/preview")
@token_required
def preview():
    url = str(request.json["url"])
    if urlparse(url).netloc not in PREVIEW_HOSTS:
        return jsonify(error="host not allowed"), 400
    page = requests.get(url, timeout=5, allow_redirects=False)
    return jsonify(status=page.status_code, length=len(page.text))


@bookmarks_bp.post("/import")
@token_required
def import_bookmarks():
    items = request.get_json() or []
    for item in items[:500]:
        if is_http_url(item.get("url")):
            db.session.add(Bookmark(url=str(item["url"]), title=clean_title(item.get("title")), owner_id=g.user.id))
    db.session.commit()
    return jsonify(imported=len(items)), 201
