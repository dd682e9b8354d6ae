"""Safe responses and bounded requests for every route, those of today and those added later: security
headers on every response, and limits on URL length, parameters and body size before any view runs.

A view that takes uploads (``/validate``, Graph Store writes) says so with :func:`large_body`; it then
accepts bodies up to ``max_upload_bytes`` instead of ``max_body_bytes``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from graph.errors import BadRequest, PayloadTooLarge, UriTooLong
from web.context import settings

# No inline script or style anywhere: pages load their code and styles from /static only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}
LARGE_BODY_ATTRIBUTE = "stadtgraph_large_body"

View = TypeVar("View", bound=Callable)


def large_body(view: View) -> View:
    """Mark a view that accepts uploads up to ``max_upload_bytes`` (decorator; order does not matter)."""
    setattr(view, LARGE_BODY_ATTRIBUTE, True)
    return view


def body_limit() -> int:
    """The largest body the current request's view accepts."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, LARGE_BODY_ATTRIBUTE, False):
        return settings().max_upload_bytes
    return settings().max_body_bytes


def limit_for_route(app: Flask, method: str, path: str) -> int:
    """The body limit of the view that ``method`` and ``path`` reach: for the server's front door
    (:mod:`serving.frontdoor`), which reads no body over it. An unknown route gets the ordinary limit."""
    s = app.config["SETTINGS"]
    try:
        endpoint, _ = app.url_map.bind("localhost").match(path, method=method)
    except HTTPException:
        return s.max_body_bytes
    view = app.view_functions.get(endpoint)
    return s.max_upload_bytes if getattr(view, LARGE_BODY_ATTRIBUTE, False) else s.max_body_bytes


def check_limits() -> None:
    """Refuse an over-long URL (414), too many parameters (400) or a too-large body (413) before a view
    reads anything. A body sent without Content-Length is cut off by Werkzeug at the same limit."""
    s = settings()
    target = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
    if len(target) > s.max_url_length:
        raise UriTooLong(
            f"Die Adresse ist länger als {s.max_url_length} Zeichen; lange Anfragen bitte per POST. / "
            f"The URL is longer than {s.max_url_length} characters; send long requests by POST.",
            limit=s.max_url_length)
    parameters = sum(len(values) for _, values in request.args.lists())
    if parameters > s.max_parameters:
        raise BadRequest(f"Mehr als {s.max_parameters} Parameter / more than {s.max_parameters} parameters",
                         title="Zu viele Parameter / too many parameters", limit=s.max_parameters)
    limit = body_limit()
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"Mehr als {limit} Bytes / more than {limit} bytes", limit=limit)


def add_headers(response: Response) -> Response:
    """The security headers, unless a view chose its own value for one of them."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    s = app.config["SETTINGS"]
    # Werkzeug's own limits, for what check_limits cannot see ahead: chunked bodies and form parsing.
    app.config["MAX_CONTENT_LENGTH"] = s.max_body_bytes
    app.config["MAX_FORM_PARTS"] = s.max_parameters
    # A text field is bounded by the body limit of its route already; this only must not be smaller.
    app.config["MAX_FORM_MEMORY_SIZE"] = s.max_upload_bytes
    app.stadtgraph_body_limit = lambda method, path: limit_for_route(app, method, path)  # type: ignore[attr-defined]
    app.before_request(check_limits)
    app.after_request(add_headers)
