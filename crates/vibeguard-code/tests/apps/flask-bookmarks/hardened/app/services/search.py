"""Bookmark search with raw SQL for speed, parameterized."""
from sqlalchemy import text

from ..models import db


def search_bookmarks(owner_id, term):
    sql = "SELECT id, url, title FROM bookmarks WHERE owner_id = :owner AND title ILIKE :term"
    rows = db.session.execute(text(sql), {"owner": owner_id, "term": f"%{term}%"}).mappings().all()
    return [dict(row) for row in rows]
