"""Conditional requests (RFC 9110 §13) for everything the data decides: an ``ETag`` on every successful
``GET``/``HEAD`` answer of the endpoint, the curated queries, the pages and the catalog, and ``304 Not
Modified`` for an ``If-None-Match`` that still holds — answered before the view runs, so a repeated
request costs neither a query nor a page.

The tag is computed from the request alone: the store's version (:mod:`graph.store.version`, which every
accepted write changes), the code and templates that render (:func:`release`), and whatever the answer
varies by — host, path and query string, ``Accept``, ``Accept-Language``, ``Accept-Profile``,
``Accept-Datetime`` and the language cookie. Same tag, same answer; a write, a harvest or a new release
changes it. Answers that are not the data's — health, readiness, status, metrics, static files and dumps
(which carry tags of their own), anything marked ``no-store`` — get no tag from here.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, g, request

from graph.resources import shipped
from web.context import store
from web.i18n import COOKIE

#: Paths whose answers are not decided by the data alone (or that tag themselves).
NOT_THE_DATA = ("/health", "/ready", "/status", "/metrics", "/static/", "/dumps/", "/graph-store")
VARIES_BY = ("Host", "Accept", "Accept-Language", "Accept-Profile", "Accept-Datetime")
_ROOT = Path(__file__).resolve().parent.parent


def release() -> str:
    """What renders the answers: the code and the templates (their names, sizes and times). Computed
    once per process; a deployment of new code or templates changes every tag."""
    h = hashlib.sha256()
    folders = [_ROOT / "graph", _ROOT / "web", shipped("templates")]
    files = [_ROOT / "server.py", *(f for d in folders for f in sorted(d.rglob("*")) if f.suffix in (".py", ".html"))]
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()[:16]


def _applies() -> bool:
    return request.method in ("GET", "HEAD") and not request.path.startswith(NOT_THE_DATA)


def current_tag(code: str) -> str:
    """The entity tag of the answer the current request would get."""
    h = hashlib.sha256(code.encode())
    h.update(store().version.current().encode())
    h.update(request.full_path.encode("utf-8", "surrogateescape"))
    for name in VARIES_BY:
        h.update(b"\0" + request.headers.get(name, "").encode("latin-1", "replace"))
    h.update(b"\0" + request.cookies.get(COOKIE, "").encode("utf-8", "replace"))
    return h.hexdigest()[:32]


def init_app(app: Flask) -> None:
    code = release()

    @app.before_request
    def _not_modified() -> Response | None:
        if not _applies():
            return None
        # Taken before the view reads anything: a write during the request can only make the tag older
        # than the answer (the next request then gets the answer again), never newer.
        g.etag = tag = current_tag(code)
        if request.if_none_match.contains_weak(tag):
            response = Response(status=304)
            response.set_etag(tag, weak=True)
            response.headers["Cache-Control"] = "no-cache"
            return response
        return None

    @app.after_request
    def _tag(response: Response) -> Response:
        tag = g.get("etag")
        if (tag is None or response.status_code != 200 or "ETag" in response.headers
                or "no-store" in response.headers.get("Cache-Control", "")):
            return response
        response.set_etag(tag, weak=True)
        response.headers.setdefault("Cache-Control", "no-cache")  # keep it, but ask again (cheap: 304)
        return response
