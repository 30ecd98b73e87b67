"""Bookmark search with raw SQL for speed."""
from sqlalchemy import text

from ..models import db


def search_bookmarks(owner_id, term):
    sql = f"SELECT id, url, title FROM bookmarks WHERE owner_id = {int(owner_id)} AND title ILIKE '%{term}%'"
    rows = db.session.execute(text(sql)).mappings().all()
    return [dict(row) for row in rows]
