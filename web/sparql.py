"""First floor of the SPARQL endpoint: ``GET /sparql?query=`` answers SELECT and ASK as SPARQL JSON."""
from __future__ import annotations

import io

import pyoxigraph as ox
from flask import Blueprint, Response, request

from graph.errors import BadRequest
from web import store

bp = Blueprint("sparql", __name__)


@bp.get("/sparql")
def sparql_get():
    query = request.args.get("query")
    if not query:
        raise BadRequest("Parameter 'query' fehlt / missing parameter 'query'")
    result = store().query(query)
    if isinstance(result, ox.QueryTriples):
        raise BadRequest("Nur SELECT und ASK / only SELECT and ASK for now")
    out = io.BytesIO()
    result.serialize(out, ox.QueryResultsFormat.JSON)
    return Response(out.getvalue(), mimetype="application/sparql-results+json")
