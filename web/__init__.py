"""Blueprints of the HTTP layer, one module per concern; ``server.create_app`` registers them all
with :func:`register_blueprints`. What views share of the app is in :mod:`web.context`."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from web import (
        api,
        capacity,
        catalog,
        conditional,
        graph_store,
        history,
        home,
        i18n,
        linked,
        lists,
        ops,
        resources,
        search,
        security,
        sparql,
        validation,
    )

    # ops before security: the request is timed from before the limits are checked, and its access line
    # is written after the security headers are set.
    ops.init_app(app)
    security.init_app(app)
    # after the limits: an over-long URL is refused before it takes a place among the expensive requests
    capacity.init_app(app)
    i18n.init_app(app)
    # after the limits and the request id: a 304 is still counted, logged and bounded like any answer
    conditional.init_app(app)
    linked.init_app(app)
    # resources holds the catch-all for minted IRIs; Werkzeug ranks it below every fixed route.
    for module in (ops, home, search, sparql, api, catalog, validation, graph_store, history, lists, resources):
        app.register_blueprint(module.bp)
