"""Configuration."""
import os


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "bookmarks-dev-key")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "postgresql://bookmarks:B00kmarks!@localhost/bookmarks")
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", "uploads")
    JWT_SECRET = os.environ.get("JWT_SECRET", "change-me-jwt")
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://localhost:5000")
