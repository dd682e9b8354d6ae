"""The home page (what the graph holds) and the liveness check."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from graph import overview
from web import settings, store

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template("home.html", overview=overview.summary(store()), settings=settings())


@bp.get("/health")
def health():
    return jsonify({"status": "ok"})
