"""``/api``: the curated queries as REST endpoints (``/api/queries/<name>?param=…``) and their OpenAPI 3
description (``/api/openapi.json``). The catalog is loaded and checked when the app is built, so a
broken query fails the boot.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from graph.errors import NotFound
from graph.formats import RDF_FORMATS, RESULT_FORMATS
from graph.query.curated import CuratedQuery, load_catalog
from graph.query.executors import QueryJob
from graph.query.openapi import openapi_document
from graph.query.protocol import FORMAT_PARAMS, choose_format, decode_params
from web.context import settings
from web.sparql import cors, executor, preflight, result_response

bp = Blueprint("api", __name__, url_prefix="/api")
bp.after_request(cors)


@bp.record_once
def _load_catalog(state) -> None:
    state.app.extensions["stadtgraph.curated"] = load_catalog(state.app.config["SETTINGS"].queries_dir)


def catalog() -> dict[str, CuratedQuery]:
    return current_app.extensions["stadtgraph.curated"]


def _summary(q: CuratedQuery) -> dict:
    return {
        "name": q.name, "title": q.title_de, "title_en": q.title_en,
        "description": q.description_de, "description_en": q.description_en,
        "url": url_for("api.run_query", name=q.name, _external=True),
        "returns": "graph" if q.returns_graph else "results",
        "params": [{"name": p.name, "type": p.type, "required": p.required, "description": p.description_de,
                    "description_en": p.description_en, "example": p.example} for p in q.params],
        "query": q.text,
    }


@bp.route("/queries", methods=["GET", "OPTIONS"])
def list_queries() -> Response:
    if request.method == "OPTIONS":
        return preflight("GET, HEAD, OPTIONS")
    return jsonify([_summary(q) for q in catalog().values()])


@bp.route("/queries/<name>", methods=["GET", "OPTIONS"])
def run_query(name: str) -> Response:
    if request.method == "OPTIONS":
        return preflight("GET, HEAD, OPTIONS")
    query = catalog().get(name)
    if query is None:
        raise NotFound(f"Keine kuratierte Anfrage {name!r}; alle unter /api/queries / "
                       f"no curated query {name!r}; all at /api/queries")
    args: dict[str, list[str]] = {}
    for key, value in decode_params(request.query_string, "URL"):
        args.setdefault(key, []).append(value)
    bindings = query.bind(args)
    format_params = [v for k in FORMAT_PARAMS for v in args.get(k, [])]
    offered = RDF_FORMATS if query.returns_graph else RESULT_FORMATS
    fmt = choose_format(request.accept_mimetypes, offered, format_params)
    s = settings()
    job = QueryJob(query=query.text, dataset=query.dataset, substitutions=bindings or None,
                   results_format=fmt.name if not query.returns_graph else RESULT_FORMATS[0].name,
                   graph_format=fmt.name if query.returns_graph else RDF_FORMATS[0].name,
                   row_limit=s.row_limit, timeout=s.query_timeout, kind="curated")
    return result_response(executor().run(job))


@bp.get("/openapi.json")
def openapi() -> Response:
    server = settings().public_url or request.host_url
    return jsonify(openapi_document(catalog(), server))
