"""Tags on bookmarks, stored in a small table through parameterized SQL."""
from flask import Blueprint, g, jsonify, request
from sqlalchemy import text

from ..auth import token_required
from ..models import Bookmark, db
from ..validators import ValidationError, clean_tag

tags_bp = Blueprint("tags", __name__)

CREATE_TAGS = """
CREATE TABLE IF NOT EXISTS tags (
    bookmark_id INTEGER NOT NULL,
    name VARCHAR(32) NOT NULL,
    PRIMARY KEY (bookmark_id, name)
)
"""


def ensure_table():
    db.session.execute(text(CREATE_TAGS))


@tags_bp.get("/")
@token_required
def my_tags():
    rows = db.session.execute(
        text(
            "SELECT DISTINCT t.name FROM tags t JOIN bookmarks b ON b.id = t.bookmark_id "
            "WHERE b.owner_id = :owner ORDER BY t.name"
        ),
        {"owner": g.user.id},
    ).all()
    return jsonify([row.name for row in rows])


@tags_bp.post("/<int:bookmark_id>")
@token_required
def tag_bookmark(bookmark_id):
    bookmark = Bookmark.query.filter_by(id=bookmark_id, owner_id=g.user.id).first_or_404()
    try:
        tag = clean_tag((request.get_json() or {}).get("name", ""))
    except ValidationError as error:
        return jsonify(error=str(error)), 400
    db.session.execute(
        text("INSERT INTO tags (bookmark_id, name) VALUES (:bookmark, :name) ON CONFLICT DO NOTHING"),
        {"bookmark": bookmark.id, "name": tag},
    )
    db.session.commit()
    return jsonify(bookmark=bookmark.id, tag=tag), 201


@tags_bp.delete("/<int:bookmark_id>/<name>")
@token_required
def untag_bookmark(bookmark_id, name):
    bookmark = Bookmark.query.filter_by(id=bookmark_id, owner_id=g.user.id).first_or_404()
    db.session.execute(
        text("DELETE FROM tags WHERE bookmark_id = :bookmark AND name = :name"),
        {"bookmark": bookmark.id, "name": name},
    )
    db.session.commit()
    return "", 204


@tags_bp.get("/popular")
@token_required
def popular():
    limit = min(50, max(1, int(request.args.get("limit", 10))))
    rows = db.session.execute(
        text(f"SELECT name, COUNT(*) AS uses FROM tags GROUP BY name ORDER BY uses DESC LIMIT {limit}")
    ).all()
    return jsonify([{"name": row.name, "uses": row.uses} for row in rows])
