"""Records a HAR 1.2 file of a user's journey through a testbed app, the way a browser's
developer tools or a proxy would: every request with its headers (credentials included, as in a
real recording), its body, and the response with its status, headers and content.

    python record_har.py --base http://127.0.0.1:5050 --journey flask_library/journey.json --out run.har

A journey is a JSON list of steps: `method`, `path`, an optional `json` or `form` body, optional
`headers`, and `save` (name -> key or JSON pointer of the JSON response) for values later steps use as `{name}`
in their path, headers and bodies. Standard library only.
"""

import argparse
import datetime
import json
import urllib.error
import urllib.parse
import urllib.request


def substitute(value, saved):
    if isinstance(value, str):
        for name, saved_value in saved.items():
            value = value.replace("{" + name + "}", str(saved_value))
        return value
    if isinstance(value, dict):
        return {k: substitute(v, saved) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, saved) for v in value]
    return value


def pointer(document, key):
    """`key` of the document, or the value at a JSON pointer (`/data/0/_id`)."""
    if not key.startswith("/"):
        return document[key]
    for token in key[1:].split("/"):
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


def send(base, step, saved):
    url = base + substitute(step["path"], saved)
    headers = substitute(step.get("headers", {}), saved)
    body = None
    mime = None
    if "json" in step:
        body = json.dumps(substitute(step["json"], saved)).encode()
        mime = "application/json"
    elif "form" in step:
        body = urllib.parse.urlencode(substitute(step["form"], saved)).encode()
        mime = "application/x-www-form-urlencoded"
    if mime:
        headers["Content-Type"] = mime
    headers.setdefault("Accept", "application/json")
    headers.setdefault("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) testbed-recorder")
    request = urllib.request.Request(url, data=body, method=step["method"], headers=headers)
    started = datetime.datetime.now(datetime.timezone.utc)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, reason = response.status, response.reason
            response_headers = list(response.headers.items())
            content = response.read(1_000_000)
    except urllib.error.HTTPError as error:
        status, reason = error.code, error.reason
        response_headers = list(error.headers.items())
        content = error.read(1_000_000)
    elapsed = (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds() * 1000
    text = content.decode("utf-8", "replace")
    if status < 400 and step.get("save"):
        document = json.loads(text)
        for name, key in step["save"].items():
            saved[name] = pointer(document, key)
    parsed = urllib.parse.urlsplit(url)
    entry = {
        "startedDateTime": started.isoformat(),
        "time": elapsed,
        "request": {
            "method": step["method"],
            "url": url,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [{"name": k, "value": v} for k, v in headers.items()],
            "queryString": [
                {"name": k, "value": v} for k, v in urllib.parse.parse_qsl(parsed.query)
            ],
            "headersSize": -1,
            "bodySize": len(body) if body else 0,
        },
        "response": {
            "status": status,
            "statusText": reason or "",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [{"name": k, "value": v} for k, v in response_headers],
            "content": {
                "size": len(content),
                "mimeType": dict((k.lower(), v) for k, v in response_headers).get(
                    "content-type", ""
                ),
                "text": text,
            },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(content),
        },
        "cache": {},
        "timings": {"send": 0, "wait": elapsed, "receive": 0},
    }
    if body is not None:
        entry["request"]["postData"] = {"mimeType": mime, "text": body.decode()}
    return entry


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--journey", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.journey, encoding="utf-8") as file:
        steps = json.load(file)
    saved = {}
    entries = [send(args.base.rstrip("/"), step, saved) for step in steps]
    har = {
        "log": {
            "version": "1.2",
            "creator": {"name": "vibeguard testbed recorder", "version": "1"},
            "pages": [],
            "entries": entries,
        }
    }
    with open(args.out, "w", encoding="utf-8") as file:
        json.dump(har, file, indent=1)


if __name__ == "__main__":
    main()
