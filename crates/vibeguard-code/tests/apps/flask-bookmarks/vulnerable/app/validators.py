"""Input validation helpers."""
import re
from urllib.parse import urlparse

TAG_PATTERN = re.compile(r"^[a-z0-9-]{1,32}$")
MAX_TITLE = 255


class ValidationError(ValueError):
    """Raised for bad input; the message is safe to show to the client."""


def require(data, *fields):
    missing = [field for field in fields if not data.get(field)]
    if missing:
        raise ValidationError("missing: " + ", ".join(missing))
    return [data[field] for field in fields]


def clean_title(title):
    title = str(title or "").strip()
    if len(title) > MAX_TITLE:
        raise ValidationError("title too long")
    return title


def clean_tag(tag):
    tag = str(tag).strip().lower()
    if not TAG_PATTERN.match(tag):
        raise ValidationError("bad tag")
    return tag


def is_http_url(value):
    parsed = urlparse(str(value))
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def page_args(args):
    try:
        page = max(1, int(args.get("page", 1)))
        size = min(100, max(1, int(args.get("size", 20))))
    except (TypeError, ValueError):
        raise ValidationError("bad paging")
    return (page - 1) * size, size
