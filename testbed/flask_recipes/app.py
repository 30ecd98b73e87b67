"""A recipe-sharing API, written the way assistants write Flask apps that grew: blueprints in a
package registered under prefixes, a JSON login issuing bearer tokens, decorators imported from
a module, recipes keyed by a slug made from their title, raw SQLite. No API description. Its
flaws are listed in ../README.md; `--hardened` runs its twin, with every flaw fixed. A vibeguard
testbed: written for it, never deployed.

    python app.py --port 5060 [--hardened]
"""

from flask import Flask, jsonify, request

from blueprints import auth, people, recipes
from settings import ARGS, HARDENED

app = Flask(__name__)
if HARDENED:
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
app.register_blueprint(auth.bp, url_prefix="/api/auth")
app.register_blueprint(recipes.bp)
app.register_blueprint(people.bp, url_prefix="/api")

MAX_NESTING = 32


@app.before_request
def refuse_deep_bodies():
    if not HARDENED or not request.data:
        return None
    depth = deepest = 0
    for byte in request.data:
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif byte in b"]}":
            depth -= 1
    if deepest > MAX_NESTING:
        return jsonify(message="body nested too deeply"), 400
    return None


READS = {}


@app.before_request
def limit_reads():
    if not HARDENED or request.method != "GET":
        return None
    import time

    now = time.monotonic()
    recent = [t for t in READS.get(request.path, []) if now - t < 2.0]
    if len(recent) >= 20:
        return jsonify(message="too many requests"), 429, {"Retry-After": "2"}
    READS[request.path] = recent + [now]
    return None


@app.after_request
def headers(response):
    if HARDENED:
        response.headers.update(
            {
                "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
                "X-Content-Type-Options": "nosniff",
                "X-Frame-Options": "DENY",
                "Referrer-Policy": "no-referrer",
                "Cache-Control": "no-store",
            }
        )
        response.headers["Server"] = "recipes"
    return response


if __name__ == "__main__":
    from werkzeug.serving import WSGIRequestHandler

    if HARDENED:
        WSGIRequestHandler.server_version = "recipes"
        WSGIRequestHandler.sys_version = ""
    app.run(host="127.0.0.1", port=ARGS.port, threaded=True)
