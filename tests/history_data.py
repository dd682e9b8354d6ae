"""Shared pieces of the history tests: a writable app over a fresh copy of the shipped data, and edits
made the way a steward makes them, through the Graph Store."""
from __future__ import annotations

import io

import pyoxigraph as ox
import rdflib

from graph.store import OxigraphStore
from server import create_app
from tests.graph_store_data import AUTH, BASE, TOKENS

OB = rdflib.Namespace(BASE + "ontology#")
CONCEPT = BASE + "konzept/einzelhandelskonzept"
CONCEPT_GRAPH = BASE + "graph/konzept/einzelhandelskonzept"
WOHNEN = BASE + "themenfeld/wohnen"
UNIT_BEFORE = BASE + "organisation/fachbereich-5-1-10"
UNIT_AFTER = BASE + "organisation/bereich-5-1"


def writable_app(settings, built_store, tmp_path, **changes):
    """An app that takes writes on its own in-memory copy of the shipped data (whose version log starts
    empty and is seeded by the first write)."""
    s = settings.replace(tokens=TOKENS, audit_dir=str(tmp_path / "audit"), state_dir=str(tmp_path / "state"),
                         **changes)
    store = OxigraphStore(s)
    buf = io.BytesIO()
    built_store.dump(buf)
    store.raw.load(buf.getvalue(), format=ox.RdfFormat.N_QUADS)
    app = create_app(s, store=store)
    app.config["TESTING"] = True
    return app, store, s


class AsTestClient:
    """A live server behind the few calls of Flask's test client that these helpers make, so the same edits
    run against a real server process."""

    def __init__(self, server) -> None:
        self.server = server

    def _call(self, method: str, path: str, **kwargs):
        response = self.server.request(method, path, timeout=60, **kwargs)
        response.data = response.content
        return response

    def get(self, path: str, **kwargs):
        return self._call("GET", path, **kwargs)

    def put(self, path: str, **kwargs):
        return self._call("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs):
        return self._call("DELETE", path, **kwargs)


def current(client, graph: str) -> rdflib.Graph:
    response = client.get(f"/graph-store?graph={graph}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.data
    return rdflib.Graph().parse(data=response.data, format="turtle")


def put(client, graph: str, content: rdflib.Graph) -> None:
    response = client.put(f"/graph-store?graph={graph}", data=content.serialize(format="turtle"),
                          headers={"Content-Type": "text/turtle", **AUTH})
    assert response.status_code in (201, 204), response.data


def edit(client, graph: str, add=(), remove=()) -> None:
    """Read the graph, add and remove statements, write it back (one version)."""
    g = current(client, graph)
    for t in remove:
        g.remove(t)
    for t in add:
        g.add(t)
    put(client, graph, g)


def three_edits(client) -> None:
    """The Einzelhandelskonzept edited three times: a Themenfeld added, the responsible unit changed, the
    Themenfeld removed again."""
    c = rdflib.URIRef(CONCEPT)
    edit(client, CONCEPT_GRAPH, add=[(c, OB.themenfeld, rdflib.URIRef(WOHNEN))])
    edit(client, CONCEPT_GRAPH, add=[(c, OB.zustaendigeEinheit, rdflib.URIRef(UNIT_AFTER))],
         remove=[(c, OB.zustaendigeEinheit, rdflib.URIRef(UNIT_BEFORE))])
    edit(client, CONCEPT_GRAPH, remove=[(c, OB.themenfeld, rdflib.URIRef(WOHNEN))])
