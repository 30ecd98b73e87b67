"""Configuration: secrets come from the environment and have no defaults."""
import os


class Config:
    SECRET_KEY = os.environ["SECRET_KEY"]
    SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", "uploads")
    JWT_SECRET = os.environ["JWT_SECRET"]
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://localhost:5000")
    ALLOWED_ORIGINS = os.environ.get("ALLOWED_ORIGINS", "http://localhost:5173").split(",")
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
