"""What every view asks of the app it runs in: its settings, its store, and whether the client is a browser."""
from __future__ import annotations

from flask import current_app, request

from graph.formats import best_media_type
from graph.settings import Settings
from graph.store import Store


def settings() -> Settings:
    return current_app.config["SETTINGS"]


def store() -> Store:
    return current_app.config["STORE"]


def wants_html() -> bool:
    """True when the client (a browser) prefers HTML; ``*/*`` alone means a machine."""
    best = best_media_type(request.accept_mimetypes, ["application/json", "application/problem+json", "text/html"])
    return best == "text/html"
