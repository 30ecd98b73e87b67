"""Bookmarks API: the hardened twin."""
import logging

from flask import Flask
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman

from .config import Config
from .models import db

limiter = Limiter(get_remote_address, default_limits=["200 per hour"])


def create_app(config_class=Config):
    app = Flask(__name__)
    app.config.from_object(config_class)
    Talisman(app, content_security_policy={"default-src": "'self'"})
    CORS(app, origins=app.config["ALLOWED_ORIGINS"], supports_credentials=True)
    limiter.init_app(app)
    db.init_app(app)

    from .routes.auth import auth_bp
    from .routes.bookmarks import bookmarks_bp
    from .routes.admin import admin_bp
    from .routes.files import files_bp
    from .routes.collections import collections_bp
    from .routes.health import health_bp
    from .routes.tags import tags_bp
    from . import cli

    app.register_blueprint(auth_bp, url_prefix="/api/auth")
    app.register_blueprint(bookmarks_bp, url_prefix="/api/bookmarks")
    app.register_blueprint(admin_bp, url_prefix="/api/admin")
    app.register_blueprint(files_bp, url_prefix="/api/files")
    app.register_blueprint(collections_bp, url_prefix="/api/collections")
    app.register_blueprint(health_bp)
    app.register_blueprint(tags_bp, url_prefix="/api/tags")
    cli.register(app)

    @app.errorhandler(Exception)
    def handle_error(error):
        logging.getLogger(__name__).exception("unhandled error")
        return {"error": "internal server error"}, 500

    return app
