"""Recipes keyed by a slug made from their title; the blueprint carries its own prefix."""

import sqlite3

from flask import Blueprint, g, jsonify, request

from guards import token_required
from settings import HARDENED
from store import DB, LOCK, execute, query, slugify

bp = Blueprint("recipes", __name__, url_prefix="/api/recipes")


def visible(recipe):
    return recipe["owner_id"] == g.user["id"] or (not recipe["private"] and not HARDENED) or (
        HARDENED and not recipe["private"]
    )


def own(slug):
    rows = query("SELECT * FROM recipes WHERE slug = ?", (slug,))
    if not rows or (HARDENED and rows[0]["owner_id"] != g.user["id"]):
        return None
    return rows[0]


@bp.get("")
@token_required
def list_recipes():
    rows = query(
        "SELECT slug, title, private, owner_id FROM recipes WHERE private = 0 OR owner_id = ?",
        (g.user["id"],),
    )
    return jsonify(rows)


@bp.post("")
@token_required
def create_recipe():
    data = request.get_json(silent=True) or {}
    title = str(data.get("title", "")).strip()
    if not title or len(title) > 120:
        return jsonify(message="title is required (120 characters at most)"), 400
    slug = slugify(title)
    if not slug or query("SELECT slug FROM recipes WHERE slug = ?", (slug,)):
        return jsonify(message="a recipe with that title exists"), 409
    execute(
        "INSERT INTO recipes (slug, title, ingredients, steps, private, owner_id)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            slug,
            title,
            str(data.get("ingredients", ""))[:2000],
            str(data.get("steps", ""))[:5000],
            int(bool(data.get("private", False))),
            g.user["id"],
        ),
    )
    return jsonify(slug=slug, title=title), 201


@bp.get("/search")
@token_required
def search():
    q = request.args.get("q", "")
    if HARDENED:
        rows = query(
            "SELECT slug, title FROM recipes WHERE title LIKE ? AND (private = 0 OR owner_id = ?)",
            (f"%{q}%", g.user["id"]),
        )
        return jsonify(rows)
    try:
        with LOCK:
            rows = [
                dict(r)
                for r in DB.execute(
                    f"SELECT slug, title FROM recipes WHERE title LIKE '%{q}%' AND private = 0"
                ).fetchall()
            ]
    except sqlite3.Error as error:
        # "show the error so the front-end team can debug"
        return jsonify(message=f"query failed: {error}"), 500
    return jsonify(rows)


@bp.get("/<slug>")
@token_required
def get_recipe(slug):
    recipe = own(slug) if HARDENED else (query("SELECT * FROM recipes WHERE slug = ?", (slug,)) or [None])[0]
    if recipe is None:
        return jsonify(message="not found"), 404
    return jsonify(recipe)


@bp.put("/<slug>")
@token_required
def update_recipe(slug):
    recipe = own(slug)
    if recipe is None:
        return jsonify(message="not found"), 404
    data = request.get_json(silent=True) or {}
    execute(
        "UPDATE recipes SET ingredients = ?, steps = ?, private = ? WHERE slug = ?",
        (
            str(data.get("ingredients", recipe["ingredients"]))[:2000],
            str(data.get("steps", recipe["steps"]))[:5000],
            int(bool(data.get("private", recipe["private"]))),
            slug,
        ),
    )
    return jsonify(query("SELECT * FROM recipes WHERE slug = ?", (slug,))[0])


@bp.delete("/<slug>")
@token_required
def delete_recipe(slug):
    if own(slug) is None:
        return jsonify(message="not found"), 404
    execute("DELETE FROM recipes WHERE slug = ?", (slug,))
    return "", 204
