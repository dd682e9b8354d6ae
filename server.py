"""The HTTP layer of stadtgraph: ``create_app(settings)`` builds the Flask app, registers the blueprints
of ``web/`` and renders every error in one place (problem+json for machines, a page for browsers).

Run it with ``stadtgraph serve`` (gunicorn) or, for a quick look, ``flask --app server run``.
"""
from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from flask import Flask, Response, g, json, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from graph import errors
from graph.errors import StadtgraphError
from graph.resources import shipped
from graph.settings import Settings
from graph.store import Store, open_store
from web.context import wants_html

log = logging.getLogger("stadtgraph.server")
REQUEST_ID_SHAPE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
HTTP_PROBLEMS: dict[int, type[StadtgraphError]] = {
    400: errors.BadRequest, 401: errors.Unauthorized, 404: errors.NotFound, 405: errors.MethodNotAllowed,
    406: errors.NotAcceptable, 413: errors.PayloadTooLarge, 414: errors.UriTooLong,
    415: errors.UnsupportedMediaType,
}
HTTP_DETAILS: dict[int, str] = {
    404: "Unter dieser Adresse gibt es nichts. / There is nothing at this address.",
    405: "Diese Adresse kennt die Methode nicht; erlaubt sind die im Allow-Kopf genannten. / "
         "This address does not support the method; the Allow header lists those it does.",
    413: "Die Anfrage ist zu groß. / The request is too large.",
}


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> Flask:
    """The application. ``store`` lets tests hand in a store they built; otherwise the settings'
    store is opened (an on-disk store read-only, so several worker processes can share it)."""
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        static_folder=str(shipped("static")),
        static_url_path="/static",
        template_folder=str(shipped("templates")),
    )
    app.config["SETTINGS"] = settings
    if store is None:
        from graph.pipeline.writes import open_read_write

        # A server that takes writes on the embedded store is its single writer (graph.pipeline.writes).
        store = open_store(settings, read_only=not open_read_write(settings))
    app.config["STORE"] = store
    from graph.pipeline.writes import repair_after_crash, writes_enabled

    if writes_enabled(settings) and not store.read_only:
        # A write killed between the store write and the inference refresh left a marker: repair first.
        repair_after_crash(settings, store)
    from web.search import check_index

    check_index(app, settings, store)  # the full-text index: rebuilt here if missing or out of step
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    # First of all hooks: every later hook, log line and error body carries the request id.
    @app.before_request
    def _request_id() -> None:
        given = request.headers.get("X-Request-Id", "")
        # A caller's id is kept for tracing across services, but only in a harmless shape.
        g.request_id = given if REQUEST_ID_SHAPE.fullmatch(given) else uuid.uuid4().hex

    from web import register_blueprints

    register_blueprints(app)

    @app.after_request
    def _common_headers(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    @app.errorhandler(StadtgraphError)
    def _library_error(exc: StadtgraphError) -> Response:
        return render_problem(exc.problem(), exc.status, headers=getattr(exc, "headers", None))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        known = HTTP_PROBLEMS.get(exc.code or 500)
        if known is not None:
            # Our own words (German first) instead of Werkzeug's English text.
            body = {**known().problem(), "detail": HTTP_DETAILS.get(exc.code or 500, known.title)}
        else:
            body = {"type": "about:blank", "title": exc.name, "status": exc.code or 500, "detail": exc.name}
        headers = dict(exc.get_response().headers)
        headers.pop("Content-Type", None)
        headers.pop("Content-Length", None)
        return render_problem(body, exc.code or 500, headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error (request %s)", g.get("request_id"),
                      extra={"method": request.method, "path": request.path})
        body = {
            "type": "about:blank",
            "title": "Interner Fehler / internal error",
            "status": 500,
            "detail": "Ein unerwarteter Fehler ist aufgetreten. / An unexpected error occurred.",
        }
        return render_problem(body, 500)

    return app


def render_problem(body: dict[str, Any], status: int, headers: dict | None = None) -> Response:
    """Render a problem as problem+json, or as an HTML page for a browser."""
    body = dict(body)
    body.setdefault("instance", request.path)
    body["request_id"] = g.get("request_id", "")
    if wants_html():
        response = Response(_problem_page(body), status=status, mimetype="text/html")
    else:
        response = Response(
            json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json"
        )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _problem_page(body: dict[str, Any]) -> str:
    try:
        return render_template("problem.html", problem=body)
    except Exception:
        # The error page must not fail in turn (a broken link in the site's frame, say): log why, and
        # answer with a bare page that still escapes everything.
        log.exception("problem page could not be rendered (request %s)", body.get("request_id"))
        return (f"<!doctype html><meta charset=utf-8><title>{escape(body['status'])}</title>"
                f"<h1>{escape(body['status'])} – {escape(body['title'])}</h1><p>{escape(body['detail'])}</p>"
                f"<p>Anfrage-ID / request id: <code>{escape(body['request_id'])}</code></p>")
