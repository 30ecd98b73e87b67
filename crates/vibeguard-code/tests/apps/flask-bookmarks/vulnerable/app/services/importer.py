"""Netscape bookmark-file import, parsed without executing anything."""
import html
import re

from ..models import Bookmark, db
from ..validators import clean_title, is_http_url

LINK = re.compile(r'<A HREF="([^"]+)"[^>]*>([^<]*)</A>', re.IGNORECASE)


def parse_netscape(text):
    for match in LINK.finditer(text):
        url, title = html.unescape(match.group(1)), html.unescape(match.group(2))
        if is_http_url(url):
            yield url, clean_title(title)


def import_file(owner_id, text):
    count = 0
    for url, title in parse_netscape(text):
        db.session.add(Bookmark(owner_id=owner_id, url=url, title=title))
        count += 1
    db.session.commit()
    return count
