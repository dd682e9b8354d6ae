"""Full-text search for people and programs: the ``/suche`` page (its route stays ``home.search``, views call
:func:`page`), ``/api/suche`` as JSON, and the OpenSearch description (``/opensearch.xml``) that lets a
browser's search bar use it. The index is :mod:`graph.search`; this module only reads the request.
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from markupsafe import Markup, escape

from graph.errors import BadRequest, StadtgraphError
from graph.search import FACETS, PAGE_SIZE, Results, SearchIndex, index_for
from web.context import settings, store
from web.sparql import cors, preflight

log = logging.getLogger("stadtgraph.search")
bp = Blueprint("search", __name__)
bp.after_request(lambda response: cors(response) if request.path.startswith("/api/") else response)
_CHECKED = "stadtgraph.search_checked"
MAX_PAGE_SIZE = 100


def check_index(app, settings_, store_) -> None:
    """At start: rebuild the index if it is missing or out of step with the store (a store that cannot be
    read now is checked again at the first search)."""
    try:
        index_for(settings_, store_).ensure(store_)
        app.extensions[_CHECKED] = store_
    except (StadtgraphError, OSError) as exc:  # a remote store that is down now, or its network
        log.warning("search index not checked at start (%s); checked at the first search", exc)


def _index() -> SearchIndex:
    index = index_for(settings(), store())
    if current_app.extensions.get(_CHECKED) is not store():
        index.ensure(store())
        current_app.extensions[_CHECKED] = store()
    return index


def _number(name: str, default: int, high: int) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise BadRequest(f"{name} muss eine Zahl von 1 bis {high} sein / {name} must be a number from 1 to {high}")
    return int(raw)


def run() -> Results:
    """The search the request asks for: ``q``, the facets (``art``, ``themenfeld``, ``sozialraum``, ``jahr``,
    ``einheit``, each repeatable), ``von``/``bis`` (years), ``seite`` and ``pro_seite``."""
    facets = {name: request.args.getlist(name) for name in FACETS if request.args.getlist(name)}
    years = (request.args.get("von") or None, request.args.get("bis") or None)
    return _index().search(request.args.get("q", "").strip(), facets=facets, years=years,
                           page=_number("seite", 1, 50), page_size=_number("pro_seite", PAGE_SIZE, MAX_PAGE_SIZE))


def marked_html(pieces: list[tuple[str, bool]]) -> Markup:
    """Pieces of text as HTML, the matched words in ``<mark>`` (everything escaped)."""
    return Markup("").join(Markup("<mark>{}</mark>").format(p) if hit else escape(p) for p, hit in pieces)


def _link(**changes) -> str:
    """The current search with some parameters changed (a value None removes it; a facet value toggles)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if key in FACETS:
            chosen = args.get(key, [])
            args[key] = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
            args.pop("seite", None)
        elif value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    return url_for("home.search") + "?" + urlencode({k: v for k, v in args.items() if v}, doseq=True)


def page() -> str:
    """The ``/suche`` page."""
    text = request.args.get("q", "").strip()
    wanted = text or any(request.args.getlist(n) for n in FACETS)
    results = run() if wanted else None
    return render_template("search.html", q=text, results=results, facet_names=FACETS, link=_link,
                           marked=marked_html, suggestion_link=lambda s: _link(q=s, seite=None))


@bp.route("/api/suche", methods=["GET", "OPTIONS"])
def api() -> Response:
    if request.method == "OPTIONS":
        return preflight("GET, HEAD, OPTIONS")
    results = run()
    return jsonify({
        "q": results.query, "corrected": results.corrected, "suggestions": results.suggestions,
        "total": results.total, "page": results.page, "page_size": results.page_size, "pages": results.pages,
        "facets": {name: [{"value": v, "count": n} for v, n in values] for name, values in results.facets.items()},
        "chosen": results.chosen,
        "results": [{"iri": h.iri, "title": h.title, "kind": h.kind, "score": round(h.score, 4),
                     "snippet": "".join(p for p, _ in h.snippet), "snippet_html": str(marked_html(h.snippet)),
                     "title_html": str(marked_html(h.title_marked))} for h in results.hits],
    })


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    root = (settings().public_url or request.host_url).rstrip("/")
    body = render_template("opensearch.xml", root=root)
    return Response(body, mimetype="application/opensearchdescription+xml")
