"""Blueprints of the HTTP layer, one module per concern; ``server.create_app`` registers them all."""
from __future__ import annotations

from flask import Flask, current_app

from graph.settings import Settings
from graph.store import Store


def settings() -> Settings:
    return current_app.config["SETTINGS"]


def store() -> Store:
    return current_app.config["STORE"]


def register_blueprints(app: Flask) -> None:
    from web import home, sparql

    for module in (home, sparql):
        app.register_blueprint(module.bp)
