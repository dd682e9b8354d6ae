"""``/graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol with indirect graph identification
(https://www.w3.org/TR/sparql11-http-rdf-update/#indirect-graph-identification).

GET and HEAD are public; PUT, POST and DELETE need a bearer token (:mod:`graph.pipeline.tokens`) and go through
:class:`graph.pipeline.writes.GraphWriter` (SHACL gate, atomic, inference, audit). ``?default`` names the default
graph of the query dataset — the union of all graphs — which is read-only. POST to the store itself (no
``?graph``) creates a graph the service names (§5.5, 201 with its ``Location``); a ``multipart/form-data`` POST
carries several RDF files, merged into one write.
"""
from __future__ import annotations

import uuid

import rdflib
from flask import Blueprint, Response, current_app, redirect, request

from graph.errors import BadRequest, MethodNotAllowed, NotFound, StadtgraphError, UnsupportedMediaType
from graph.formats import RDF_FORMATS, negotiate, ox_triples, serialize_triples
from graph.pipeline import tokens
from graph.pipeline.writes import GraphWriter
from graph.rdfparse import parse_upload
from web.capacity import page_store
from web.context import settings, store
from web.security import large_body

bp = Blueprint("graph_store", __name__)
WRITER = "stadtgraph.graph_writer"
# Graph formats only: a dataset format (N-Quads, TriG) would name graphs of its own.
WRITE_TYPES = ("text/turtle", "application/x-turtle", "application/n-triples", "text/plain",
               "application/ld+json", "application/rdf+xml")
# A file part sent as application/octet-stream (what browsers do) is read by its name's ending.
FILE_ENDINGS = {".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json",
                ".json": "application/ld+json", ".rdf": "application/rdf+xml", ".owl": "application/rdf+xml",
                ".xml": "application/rdf+xml"}
#: Where graphs created by a POST to the store itself are named, under the base's ``graph/`` path.
NEW_GRAPHS = "graph/eingang/"
READ_ONLY_DEFAULT = ("Der Standardgraph ist die Vereinigung aller Graphen und nur lesbar; bitte ?graph=<IRI> "
                     "angeben / the default graph is the union of all graphs and read-only; give ?graph=<IRI>")


@bp.record_once
def _writer(state) -> None:
    app = state.app
    # One writer per app (and so per worker process): its lock serialises the writes of all threads.
    app.extensions[WRITER] = GraphWriter(app.config["SETTINGS"], app.config["STORE"])


def writer() -> GraphWriter:
    return current_app.extensions[WRITER]


def _target() -> str | None:
    """The graph IRI of ``?graph=``, or None for ``?default``. :raises BadRequest: for neither or both."""
    has_graph, has_default = "graph" in request.args, "default" in request.args
    if has_graph == has_default:
        raise BadRequest("Genau einer der Parameter ?graph=<IRI> oder ?default ist nötig / exactly one of "
                         "?graph=<IRI> or ?default is required")
    if has_default:
        return None
    graph = request.args.get("graph", "").strip()
    if not graph:
        raise BadRequest("?graph= ist leer / ?graph= is empty")
    return graph


@bp.route("/graph-store", methods=["GET"])
def read() -> Response:
    """GET (and HEAD, which Flask answers from GET without the body): the graph in an RDF format."""
    fmt = negotiate(request.accept_mimetypes, RDF_FORMATS, param=request.args.get("format"))
    graph = _target()
    s = store()
    if graph is None:
        # The default graph is the union of everything: read it under the request's time limit and row
        # cap, and send a caller whose store is larger than the cap to the dumps rather than cut it.
        limited = page_store()
        count = next(iter(limited.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", dataset="all")))
        if int(count["n"].value) > settings().row_limit:
            response = redirect("/dumps", code=303)
            response.headers["Link"] = '</dumps>; rel="alternate"'
            return response
        triples = list(limited.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", dataset="all"))
    else:
        if not s.has_graph(graph):
            raise NotFound(f"Keinen Graphen <{graph}> im Speicher / no graph <{graph}> in the store")
        triples = ox_triples(s.graph(graph))
    response = Response(serialize_triples(triples, fmt), content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


def _write_target() -> tuple[str, str]:
    """(token name, graph IRI) of a write, checked in this order: token, target, permissions."""
    name = tokens.authenticate(settings(), request.headers.get("Authorization"))
    graph = _target()
    if graph is None:
        exc = MethodNotAllowed(READ_ONLY_DEFAULT)
        exc.headers = {"Allow": "GET, HEAD"}  # type: ignore[attr-defined]
        raise exc
    return name, writer().check_target(graph)


def _refuse_type(media_type: str, what: str = "") -> UnsupportedMediaType:
    return UnsupportedMediaType(
        f"{what}Medientyp {media_type or '(keiner)'} ist kein RDF-Graphformat / not an RDF graph format; möglich / "
        f"accepted: {', '.join(WRITE_TYPES)}")


def _body(graph: str) -> rdflib.Graph:
    media_type = request.mimetype
    if media_type == "multipart/form-data" and request.method == "POST":
        return _files(graph)
    if media_type not in WRITE_TYPES:
        raise _refuse_type(media_type)
    return parse_upload(request.get_data(cache=False), media_type, base=graph)


def _files(graph: str) -> rdflib.Graph:
    """Every file of a ``multipart/form-data`` POST, each read by its own media type (or its name's ending),
    merged into one graph: one write through the gate, so one unreadable or invalid file writes nothing."""
    parts = [part for key in request.files for part in request.files.getlist(key)]
    if not parts:
        raise BadRequest("multipart/form-data ohne Datei / without a file part")
    merged = rdflib.Graph()
    for part in parts:
        media_type = part.mimetype
        if media_type not in WRITE_TYPES:
            ending = "." + (part.filename or "").rsplit(".", 1)[-1].lower() if "." in (part.filename or "") else ""
            media_type = FILE_ENDINGS.get(ending, media_type)
        if media_type not in WRITE_TYPES:
            raise _refuse_type(part.mimetype, f"{part.filename or part.name}: ")
        try:
            merged += parse_upload(part.read(), media_type, base=graph)
        except StadtgraphError as exc:
            exc.extra["file"] = part.filename or part.name  # which of the files could not be read
            raise
    return merged


def _create() -> Response:
    """POST to the store itself: a new graph named by the service (§5.5), 201 with its IRI as ``Location``."""
    name = tokens.authenticate(settings(), request.headers.get("Authorization"))
    graph = writer().check_target(settings().base_iri + NEW_GRAPHS + uuid.uuid4().hex)
    writer().put(graph, _body(graph), name)
    response = Response(status=201)
    response.headers["Location"] = graph
    return response


@bp.route("/graph-store", methods=["PUT", "POST"])
@large_body
def write() -> Response:
    """PUT replaces the graph (201 when created, else 204); POST merges into it (201 / 204), and POST without
    ``?graph`` or ``?default`` creates a new graph."""
    if request.method == "POST" and "graph" not in request.args and "default" not in request.args:
        return _create()
    name, graph = _write_target()
    content = _body(graph)
    w = writer()
    result = w.put(graph, content, name) if request.method == "PUT" else w.post(graph, content, name)
    response = Response(status=201 if result.created else 204)
    if result.created:
        response.headers["Location"] = request.url
    return response


@bp.route("/graph-store", methods=["DELETE"])
def drop() -> Response:
    """DELETE drops the graph: 204, or 404 if there is no such graph."""
    name, graph = _write_target()
    if writer().delete(graph, name) is None:
        raise NotFound(f"Keinen Graphen <{graph}> im Speicher / no graph <{graph}> in the store")
    return Response(status=204)
