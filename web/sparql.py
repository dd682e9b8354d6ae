"""``/sparql``: the SPARQL 1.1 Protocol endpoint, its Service Description and, for browsers, YASGUI.

Thin view: :mod:`graph.query.protocol` reads and plans the request, :mod:`graph.query.executors` runs it under the
time limit, :mod:`graph.query.service_description` describes the service. CORS is open for reads.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import re

from flask import Blueprint, Response, current_app, render_template, request, url_for

from graph.errors import Overloaded, PayloadTooLarge, QueryTimeout
from graph.formats import RDF_FORMATS, best_media_type, by_name, media_ranges
from graph.namespaces import PREFIXES
from graph.pipeline import tokens
from graph.pipeline.update import run_update
from graph.pipeline.writes import writes_enabled
from graph.query import protocol
from graph.query.curated import CuratedQuery
from graph.query.executors import Executor, Outcome, executor_for
from graph.query.service_description import describe_service, graph_sizes, serialize_description
from graph.resources import shipped
from web.context import settings, store
from web.graph_store import writer
from web.i18n import t
from web.security import CONTENT_SECURITY_POLICY

bp = Blueprint("sparql", __name__)

EXPOSED_HEADERS = ("X-Result-Truncated, X-Result-Rows, X-Result-Limit, X-Request-Id, Content-Type, Server-Timing, "
                   "X-Cache, ETag")


def executor() -> Executor:
    return executor_for(store(), settings())


def cors(response: Response) -> Response:
    """CORS for reads: any origin may read, nobody sends credentials."""
    response.headers["Access-Control-Allow-Origin"] = settings().cors_origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if settings().cors_origin != "*":
        response.vary.add("Origin")
    return response


def preflight(methods: str) -> Response:
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = methods
    # Reads carry no credentials, so whatever headers the client wants to send are harmless.
    response.headers["Access-Control-Allow-Headers"] = (
        request.headers.get("Access-Control-Request-Headers") or "Accept, Content-Type")
    response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["Allow"] = methods
    return response


bp.after_request(cors)


def result_response(outcome: Outcome) -> Response:
    """The runner's bytes with the headers that say what they are (and whether they were cut)."""
    fmt = by_name(outcome.format_name)
    response = Response(outcome.written.body, status=200, content_type=fmt.content_type)
    response.vary.add("Accept")
    response.headers["X-Result-Rows"] = str(outcome.written.rows)
    if outcome.written.truncated:
        response.headers["X-Result-Truncated"] = "true"
        response.headers["X-Result-Limit"] = str(settings().row_limit)
    response.headers["Server-Timing"] = f"query;dur={outcome.seconds * 1000:.1f}"
    response.headers["X-Cache"] = "hit" if outcome.cached else "miss"
    return response


def _wants_ui() -> bool:
    accept = request.accept_mimetypes
    listed = {value for value, _ in media_ranges(accept)}
    best = best_media_type(accept, ["text/html", *(f.media_type for f in RDF_FORMATS)])
    return "text/html" in listed and best == "text/html"


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    if request.method == "OPTIONS":
        return preflight("GET, HEAD, POST, OPTIONS")
    s = settings()
    body = b""
    if request.method == "POST":
        if (request.content_length or 0) > s.max_body_bytes:
            raise PayloadTooLarge(f"Mehr als {s.max_body_bytes} Bytes / more than {s.max_body_bytes} bytes")
        body = request.get_data(cache=False)
        update = protocol.update_text(request.headers.get("Content-Type"), request.query_string, body, s,
                                      writable=writes_enabled(s))
        if update is not None:
            return run_update_request(update)
    req = protocol.parse_request(request.method, request.headers.get("Content-Type"), request.query_string,
                                 body, s)
    if req.query is None:
        if _wants_ui() and not req.format_params:
            return ui_page()
        return service_description(req.format_params)
    job, _info = protocol.plan(req, store(), s, request.accept_mimetypes)
    return result_response(executor().run(job))


def run_update_request(update: str) -> Response:
    """An update operation: token first (401 with ``WWW-Authenticate``), then the one write path
    (:mod:`graph.pipeline.update`). 200 with what changed."""
    name = tokens.authenticate(settings(), request.headers.get("Authorization"))
    result = run_update(writer(), update, name)
    return current_app.json.response({"written": result.written, "dropped": result.dropped,
                                      "inferred": result.inferred})


def endpoint_url() -> str:
    public = settings().public_url
    return (public.rstrip("/") + "/sparql") if public else url_for("sparql.endpoint", _external=True)


def service_description(format_params: list[str]) -> Response:
    fmt = protocol.choose_format(request.accept_mimetypes, RDF_FORMATS, format_params)
    cache = current_app.extensions.setdefault("stadtgraph.sd_sizes", {})
    if "sizes" not in cache:
        # Counted once per worker: the store a worker serves does not change under it.
        try:
            cache["sizes"] = graph_sizes(executor(), settings())
        except (QueryTimeout, Overloaded):
            return_sizes = None  # too big to count in time: described without sizes, tried again next time
            body = serialize_description(describe_service(endpoint_url(), settings(), return_sizes), fmt)
            return _sd_response(body, fmt)
    body = serialize_description(describe_service(endpoint_url(), settings(), cache["sizes"]), fmt)
    return _sd_response(body, fmt)


def _sd_response(body: bytes, fmt) -> Response:
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


def ui_page() -> Response:
    catalog: dict[str, CuratedQuery] = current_app.extensions["stadtgraph.curated"]
    config = {
        "endpoint": endpoint_url(),
        "prefixes": PREFIXES,
        "queries": [{"name": q.name, "title": q.title_de, "title_en": q.title_en,
                     "description": q.description_de, "text": q.text, "graph": q.returns_graph,
                     "api": url_for("api.run_query", name=q.name), "params": [p.name for p in q.params]}
                    for q in catalog.values()],
        "messages": {key: t(f"sparql.{key}") for key in ("missing", "not_a_number", "running", "rows", "failed")},
    }
    response = Response(render_template("sparql.html", config=config, queries=catalog.values()))
    response.vary.add("Accept")
    hashes = yasgui_style_hashes()
    if hashes:
        # YASR's column resizer inserts two fixed <style> elements: allow exactly those, by hash;
        # any other inline style stays blocked.
        allowed = " ".join(f"'sha256-{h}'" for h in hashes)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", f"style-src 'self' {allowed}")
    return response


@functools.lru_cache(maxsize=1)
def yasgui_style_hashes() -> tuple[str, ...]:
    """SHA-256 (base64) of the style texts the served YASGUI inserts, read from the file itself so an
    update of the package keeps its hashes right."""
    path = shipped("static") / "vendor" / "yasgui" / "yasgui.min.js"
    try:
        js = path.read_text("utf-8")
    except OSError:
        return ()
    styles = re.findall(r"createStyle\(a,`([^`$]*)`\)", js)
    cursor = re.search(r"dragCursor:`([^`]*)`", js)
    if cursor:
        styles.append(f"*{{cursor:{cursor.group(1)}!important}}")
    return tuple(base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii") for css in styles)


@bp.get("/sparql/prefixes.json")
def prefixes() -> Response:
    """The project's prefixes, in the form YASQE's prefix autocompletion reads (instead of prefix.cc)."""
    return current_app.json.response(PREFIXES)
