"""The change feed (graph/publish/ldes.py, /ldes): a Linked Data Event Stream of record versions. A client
that reads it from the start ends with exactly the store's record graphs (asserted data); one that resumes
gets only what is newer; deletions are members; full fragments are immutable, the newest is short-lived."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare

from graph.pipeline.versions import is_record_graph
from tests.graph_store_data import AUTH, GOOD_CONCEPT, NEW_CONCEPT, NEW_GRAPH
from tests.history_data import CONCEPT, CONCEPT_GRAPH, three_edits, writable_app

LDES = "https://w3id.org/ldes#"
TREE = "https://w3id.org/tree#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
DELETE = "https://www.w3.org/ns/activitystreams#Delete"
TURTLE = {"Content-Type": "text/turtle", **AUTH}


class Replica:
    """A small TREE/LDES client: follows the view and the relations, keeps per record (``versionOfPath``)
    the newest member (``timestampPath``) and its graph (the quads named by the member)."""

    def __init__(self, client) -> None:
        self.client = client
        self.seen: set[str] = set()
        self.newest: dict[str, tuple[str, str, bool, rdflib.Graph]] = {}  # record → (time, member, deleted, graph)
        self.last_page: str | None = None
        self.pages = 0

    def _get(self, url: str) -> ox.Store:
        response = self.client.get(url.replace("http://localhost", ""), headers={"Accept": "application/trig"})
        assert response.status_code == 200, response.data
        self.pages += 1
        page = ox.Store()
        page.load(response.data, format=ox.RdfFormat.TRIG, base_iri=url)
        return page

    def start(self) -> list[str]:
        stream = self._get("http://localhost/ldes")
        (view,) = [q.object.value for q in stream.quads_for_pattern(None, ox.NamedNode(TREE + "view"), None)]
        paths = {q.predicate.value: q.object.value for q in stream.quads_for_pattern(None, None, None)
                 if q.predicate.value in (LDES + "timestampPath", LDES + "versionOfPath")}
        assert paths == {LDES + "timestampPath": PROV + "generatedAtTime", LDES + "versionOfPath": DCT + "isVersionOf"}
        return self.follow(view)

    def resume(self) -> list[str]:
        return self.follow(self.last_page)

    def follow(self, url: str) -> list[str]:
        new: list[str] = []
        while url:
            page = self._get(url)
            self.last_page = url
            for q in page.quads_for_pattern(None, ox.NamedNode(TREE + "member"), None):
                member = q.object.value
                if member in self.seen:
                    continue
                self.seen.add(member)
                new.append(member)
                m = ox.NamedNode(member)
                record = next(page.quads_for_pattern(m, ox.NamedNode(DCT + "isVersionOf"), None)).object.value
                at = next(page.quads_for_pattern(m, ox.NamedNode(PROV + "generatedAtTime"), None)).object.value
                deleted = any(True for _ in page.quads_for_pattern(m, ox.NamedNode(str(rdflib.RDF.type)),
                                                                   ox.NamedNode(DELETE)))
                g = rdflib.Graph()
                for t in page.quads_for_pattern(None, None, None, m):
                    g.add(_rdflib(t))
                if record not in self.newest or self.newest[record][0] < at:
                    self.newest[record] = (at, member, deleted, g)
            nodes = [q.object.value for q in page.quads_for_pattern(None, ox.NamedNode(TREE + "node"), None)]
            url = nodes[0] if nodes else None
        return new

    def graphs(self, base: str) -> dict[str, rdflib.Graph]:
        return {base + "graph/" + record[len(base):]: g for record, (_, _, deleted, g) in self.newest.items()
                if not deleted}


def _rdflib(q: ox.Quad) -> tuple:
    def term(t):
        if isinstance(t, ox.NamedNode):
            return rdflib.URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return rdflib.BNode(t.value)
        plain = t.language or t.datatype.value == str(rdflib.XSD.string)
        return rdflib.Literal(t.value, lang=t.language, datatype=None if plain else rdflib.URIRef(t.datatype.value))
    return term(q.subject), term(q.predicate), term(q.object)


def assert_same_as_store(replica: Replica, store, settings) -> None:
    expected = {g: store.graph(g) for g in store.named_graphs() if is_record_graph(store.iris, g)}
    got = replica.graphs(settings.base_iri)
    assert set(got) == set(expected)
    different = [g for g in expected if not rdflib.compare.isomorphic(expected[g], got[g])]
    assert not different, different[:3]


@pytest.fixture
def fed(settings, built_store, tmp_path):
    app, store, s = writable_app(settings, built_store, tmp_path, ldes_page_size=40)
    return app.test_client(), store, s


def test_reading_the_stream_from_the_start_gives_the_current_graph(fed):
    client, store, s = fed
    three_edits(client)
    assert client.put(f"/graph-store?graph={NEW_GRAPH}", data=GOOD_CONCEPT, headers=TURTLE).status_code == 201
    replica = Replica(client)
    replica.start()
    assert replica.pages > 3  # the stream is fragmented (40 versions a page)
    assert_same_as_store(replica, store, s)
    # the three edits of the concept are three members for it (besides the state before them)
    members = [m for m in replica.seen if m.endswith("/konzept/einzelhandelskonzept")]
    assert len(members) == 4


def test_resuming_gives_only_what_is_newer_and_deletions_are_members(fed):
    client, store, s = fed
    assert client.put(f"/graph-store?graph={NEW_GRAPH}", data=GOOD_CONCEPT, headers=TURTLE).status_code == 201
    replica = Replica(client)
    replica.start()
    assert_same_as_store(replica, store, s)

    three_edits(client)
    assert client.delete(f"/graph-store?graph={NEW_GRAPH}", headers=AUTH).status_code == 204
    new = replica.resume()
    assert len(new) == 4  # three edits and one deletion, nothing read before
    assert sum(m.endswith("/konzept/einzelhandelskonzept") for m in new) == 3
    assert replica.newest[NEW_CONCEPT][2] is True  # the deletion is the concept's newest member
    assert CONCEPT in replica.newest
    assert_same_as_store(replica, store, s)
    assert replica.resume() == []


def test_full_fragments_are_immutable_and_the_newest_is_short_lived(fed):
    client, store, s = fed
    three_edits(client)  # the seed (every record of the shipped data) fills several fragments
    first = client.get("/ldes/0", headers={"Accept": "application/trig"})
    assert first.status_code == 200 and first.mimetype == "application/trig"
    assert "immutable" in first.headers["Cache-Control"] and "max-age=31536000" in first.headers["Cache-Control"]
    etag = first.headers["ETag"]
    again = client.get("/ldes/0", headers={"Accept": "application/trig", "If-None-Match": etag})
    assert again.status_code == 304
    last = client.get("/ldes")
    dataset = ox.Store()
    dataset.load(last.data, format=ox.RdfFormat.TRIG)
    assert any(True for _ in dataset.quads_for_pattern(None, ox.NamedNode(LDES + "timestampPath"), None))
    k = 0
    while True:
        page = client.get(f"/ldes/{k + 1}")
        if page.status_code == 404:
            break
        k += 1
    newest = client.get(f"/ldes/{k}")
    assert "immutable" not in newest.headers["Cache-Control"] and "max-age=60" in newest.headers["Cache-Control"]
    assert client.get(f"/ldes/{k + 1}").status_code == 404
    assert client.get("/ldes/0?format=nquads").mimetype == "application/n-quads"


def test_the_record_graph_of_a_member_is_named_by_the_member(fed):
    client, store, s = fed
    three_edits(client)
    replica = Replica(client)
    replica.start()
    at, member, deleted, g = replica.newest[CONCEPT]
    assert member.startswith("http://localhost/memento/") and not deleted
    assert rdflib.compare.isomorphic(g, store.graph(CONCEPT_GRAPH))
    assert client.get(member.replace("http://localhost", ""), headers={"Accept": "text/turtle"}).status_code == 200
