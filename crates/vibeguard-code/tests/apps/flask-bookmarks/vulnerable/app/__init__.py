"""Bookmarks API: a Flask app as an assistant writes it."""
from flask import Flask
from flask_cors import CORS

from .config import Config
from .models import db


def create_app(config_class=Config):
    app = Flask(__name__)
    app.config.from_object(config_class)
    CORS(app, supports_credentials=True)
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
        return {"error": str(error)}, 500

    return app
