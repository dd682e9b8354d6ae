"""The Graph Store Protocol at /graph-store (https://www.w3.org/TR/sparql11-http-rdf-update/): the W3C test
sequences (PUT/GET/POST/DELETE/HEAD with 201/204/404), bearer tokens, the SHACL gate (422, nothing
changed), protected graphs, inference after a write and the audit log."""
from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

import cli
from graph.errors import ConfigurationError
from graph.pipeline import audit
from graph.pipeline.tokens import digest
from graph.pipeline.writes import check_single_writer
from graph.store import OxigraphStore
from server import create_app
from tests.graph_store_data import (
    AUTH,
    BASE,
    GOOD_CONCEPT,
    INFERRED,
    MALFORMED_VORLAGE,
    NEW_GRAPH,
    OTHER_TOKEN,
    SYNERGY_ASK,
    TOKENS,
    VORLAGE_GRAPH,
)

G = BASE + "graph/gsp/person"  # writes go only to graphs under {base}graph/
TURTLE = {"Content-Type": "text/turtle", **AUTH}
PERSON = """@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://example.org/gsp/alice> a foaf:Person ; foaf:name "Alice" ; foaf:mbox <mailto:alice@example.org> ."""
MORE = """@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://example.org/gsp/alice> foaf:knows <http://example.org/gsp/bob> ."""


@pytest.fixture
def writable(settings, built_store, tmp_path):
    """A fresh in-memory copy of the shipped data and an app that takes writes on it."""
    s = settings.replace(tokens=TOKENS, audit_dir=str(tmp_path / "audit"))
    store = OxigraphStore(s)
    buf = io.BytesIO()
    built_store.dump(buf)
    store.raw.load(buf.getvalue(), format=ox.RdfFormat.N_QUADS)
    app = create_app(s, store=store)
    app.config["TESTING"] = True
    return app.test_client(), store, s


def _graph(response) -> rdflib.Graph:
    return rdflib.Graph().parse(data=response.data, format="turtle")


def _at(graph: str) -> str:
    return f"/graph-store?graph={graph}"


def test_the_w3c_sequence_put_get_post_delete_head(writable):
    client, store, _ = writable
    assert client.get(_at(G)).status_code == 404
    assert client.head(_at(G)).status_code == 404
    # PUT - initial state: a new graph is created (201), then GET returns it
    assert client.put(_at(G), data=PERSON, headers=TURTLE).status_code == 201
    got = client.get(_at(G), headers={"Accept": "text/turtle"})
    assert got.status_code == 200 and got.mimetype == "text/turtle" and "Accept" in got.headers["Vary"]
    assert isomorphic(_graph(got), rdflib.Graph().parse(data=PERSON, format="turtle"))
    head = client.head(_at(G), headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.mimetype == "text/turtle" and not head.data
    # PUT on an existing graph replaces it: 204
    assert client.put(_at(G), data=MORE, headers=TURTLE).status_code == 204
    assert isomorphic(_graph(client.get(_at(G))), rdflib.Graph().parse(data=MORE, format="turtle"))
    # POST merges into an existing graph (204), or creates one (201)
    assert client.post(_at(G), data=PERSON, headers=TURTLE).status_code == 204
    merged = rdflib.Graph().parse(data=PERSON, format="turtle") + rdflib.Graph().parse(data=MORE, format="turtle")
    assert isomorphic(_graph(client.get(_at(G))), merged)
    created = client.post(_at(G + "2"), data=MORE, headers=TURTLE)
    assert created.status_code == 201 and created.headers["Location"].endswith(_at(G + "2"))
    # other RDF formats by content negotiation
    nt = client.get(_at(G), headers={"Accept": "application/n-triples"})
    assert nt.mimetype == "application/n-triples" and len(rdflib.Graph().parse(data=nt.data, format="nt")) == 4
    # DELETE: 204, then GET 404, and a second DELETE 404
    assert client.delete(_at(G), headers=AUTH).status_code == 204
    assert client.get(_at(G)).status_code == 404
    assert client.delete(_at(G), headers=AUTH).status_code == 404
    # PUT - mismatched payload: 400 naming the line, nothing stored
    bad = client.put(_at(G), data="<http://example.org/a> <http://example.org/b> .", headers=TURTLE)
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    assert not store.has_graph(G)
    # the default graph is the union of all graphs, readable and not writable
    union = client.get("/graph-store?default", headers={"Accept": "application/n-triples"})
    assert union.status_code == 200 and b"http://example.org/gsp/bob" in union.data
    refused = client.put("/graph-store?default", data=PERSON, headers=TURTLE)
    assert refused.status_code == 405 and refused.headers["Allow"] == "GET, HEAD"


def test_writes_need_a_known_token_and_the_audit_log_names_it(writable):
    client, store, s = writable
    missing = client.put(_at(G), data=PERSON, headers={"Content-Type": "text/turtle"})
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.put(_at(G), data=PERSON, headers={"Content-Type": "text/turtle", "Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    assert client.delete(_at(G)).status_code == 401
    assert not store.has_graph(G) and audit.entries(s) == []
    assert client.put(_at(G), data=PERSON, headers=TURTLE).status_code == 201
    other = {"Content-Type": "text/turtle", "Authorization": f"Bearer {OTHER_TOKEN}"}
    assert client.put(_at(G), data=MORE, headers=other).status_code == 204
    assert client.delete(_at(G), headers=other).status_code == 204
    log = audit.entries(s)
    assert [(e["token"], e["method"], e["graph"], e["added"], e["removed"]) for e in log] == [
        ("stadtplanung", "PUT", G, 3, 0), ("sozialplanung", "PUT", G, 1, 3), ("sozialplanung", "DELETE", G, 0, 1)]
    assert all(e["time"] and e["outcome"] == "done" for e in log)


@pytest.mark.parametrize("graph", ["graph/abgeleitet", "graph/ontologie", "graph/provenienz"])
def test_the_inferred_ontology_and_provenance_graphs_are_not_writable(writable, graph):
    client, store, _ = writable
    iri = "https://daten.oberhausen.de/stadtgraph/" + graph
    before = store.count(iri)
    for method in ("put", "post"):
        assert getattr(client, method)(_at(iri), data=PERSON, headers=TURTLE).status_code == 403
    assert client.delete(_at(iri), headers=AUTH).status_code == 403
    assert store.count(iri) == before


@pytest.mark.parametrize(("name", "status", "rule"), [
    ("http://evil.example/g", 403, "writes go only to graphs under"),
    (BASE + "konzept/x", 403, "writes go only to graphs under"),
    (BASE + "graph/", 403, "writes go only to graphs under"),
    (BASE + "graph/../graph/abgeleitet", 403, "is written by the service itself"),
    (BASE + "graph/%2e%2e/graph/abgeleitet", 403, "is written by the service itself"),
    (BASE.upper().replace("/STADTGRAPH/", "/stadtgraph/") + "graph/abgeleitet", 403, "written by the service"),
    (BASE + "graph%2Fabgeleitet", 400, "encoded slash"),
    (BASE + "graph/gsp%2fperson", 400, "encoded slash"),
    (BASE + "graph/./gsp/person", 400, "use the normal spelling <" + G + ">"),
    (BASE + "graph/gsp/%70erson", 400, "use the normal spelling <" + G + ">"),
    (BASE + "graph/gsp//person", 400, "no query, fragment or empty path segment"),
    (BASE + "graph/gsp/person#x", 400, "no query, fragment or empty path segment"),
])
def test_writes_go_only_to_graph_names_under_the_base_in_their_normal_spelling(writable, name, status, rule):
    client, store, _ = writable
    quads = len(store.raw)
    from urllib.parse import quote
    at = f"/graph-store?graph={quote(name, safe='')}"
    for response in (client.put(at, data=PERSON, headers=TURTLE), client.post(at, data=PERSON, headers=TURTLE),
                     client.delete(at, headers=AUTH)):
        assert response.status_code == status, (name, response.get_json())
        assert response.mimetype == "application/problem+json"
        assert rule in response.get_json()["detail"]
    assert len(store.raw) == quads and not store.has_graph(name)


def test_request_errors(writable):
    client, _, _ = writable
    assert client.get("/graph-store").status_code == 400
    assert client.get(f"/graph-store?default&graph={G}").status_code == 400
    quads = client.put(_at(G), data=PERSON, headers={**AUTH, "Content-Type": "application/n-quads"})
    assert quads.status_code == 415
    assert client.put(_at("not an iri"), data=PERSON, headers=TURTLE).status_code == 400


def test_a_malformed_drucksache_is_refused_with_422_and_the_store_is_unchanged(writable):
    client, store, s = writable
    before = io.BytesIO()
    store.dump(before)
    response = client.put(_at(VORLAGE_GRAPH), data=MALFORMED_VORLAGE, headers=TURTLE)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    findings = [f for r in problem["report"]["records"] for f in r["findings"]]
    assert any(f["value"] == "B/16/55O5-01" and f["field"] == "Drucksachennummer" for f in findings)
    # POST (merge) of the same is refused as well
    assert client.post(_at(VORLAGE_GRAPH), data=MALFORMED_VORLAGE, headers=TURTLE).status_code == 422
    after = io.BytesIO()
    store.dump(after)
    assert sorted(before.getvalue().splitlines()) == sorted(after.getvalue().splitlines())
    assert [e["outcome"] for e in audit.entries(s)] == ["refused", "refused"]


def test_a_good_write_derives_its_synergies_and_a_delete_takes_them_back(writable):
    client, store, s = writable
    assert not store.query(SYNERGY_ASK)
    assert client.put(_at(NEW_GRAPH), data=GOOD_CONCEPT, headers=TURTLE).status_code == 201
    assert store.query(SYNERGY_ASK)
    entry = audit.entries(s)[-1]
    assert entry["added"] == 5 and entry["inferred"]["added"] > 0
    assert client.delete(_at(NEW_GRAPH), headers=AUTH).status_code == 204
    assert not store.query(SYNERGY_ASK)
    assert store.count(INFERRED) > 0


def test_a_read_only_store_takes_no_writes(settings, tmp_path):
    s = settings.replace(store="oxigraph", store_path=str(tmp_path / "store"), tokens=TOKENS,
                         audit_dir=str(tmp_path / "audit"))
    OxigraphStore(s, s.store_path).close()
    client = create_app(s, store=OxigraphStore(s, s.store_path, read_only=True)).test_client()
    assert client.put(_at(G), data=PERSON, headers=TURTLE).status_code == 403


def test_writes_on_the_embedded_store_need_a_single_worker(settings):
    with_tokens = settings.replace(store="oxigraph", tokens=TOKENS)
    with pytest.raises(ConfigurationError):
        check_single_writer(with_tokens, 2)
    check_single_writer(with_tokens, 1)
    check_single_writer(settings.replace(store="oxigraph"), 2)  # read-only servers scale out
    check_single_writer(settings.replace(store="sparql", sparql_query_url="http://x/sparql", tokens=TOKENS), 4)


def test_stadtgraph_token_prints_a_token_and_its_configuration_line(capsys):
    assert cli.main(["token", "amt-61"]) == 0
    lines = capsys.readouterr().out.splitlines()
    token, entry = lines[1], lines[3]
    assert entry == f"amt-61={digest(token)}" and len(token) >= 40
    assert cli.main(["token", "a=b"]) == 2


def test_default_graph_larger_than_the_row_cap_is_sent_to_the_dumps_not_cut(tmp_path):
    """GET ?default reads the union under the row cap; a larger store gets 303 to /dumps, never a cut graph."""
    from graph.pipeline.build import build
    from graph.settings import PROJECT_ROOT, Settings
    from graph.store import open_store
    from server import create_app

    small = Settings.from_mapping({"store": "memory", "data_dir": str(PROJECT_ROOT / "data"),
                                   "dump_dir": str(tmp_path / "dumps"), "row_limit": 100})
    store = open_store(small)
    build(small, store)
    client = create_app(small, store=store).test_client()
    r = client.get("/graph-store?default", headers={"Accept": "text/turtle"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/dumps")


def test_delete_passes_the_gate_too(tmp_path):
    """Deleting a concept another record names as its synergy would leave that record pointing at nothing:
    the DELETE is refused with 422 and the store keeps both graphs."""
    import hashlib

    from graph.iris import Iris
    from graph.pipeline.build import build
    from graph.settings import PROJECT_ROOT, Settings
    from graph.store import open_store
    from server import create_app

    token = "steward-secret-token"
    cfg = Settings.from_mapping({
        "store": "memory", "data_dir": str(PROJECT_ROOT / "data"), "dump_dir": str(tmp_path / "dumps"),
        "audit_dir": str(tmp_path / "audit"), "tokens": {"pflege": hashlib.sha256(token.encode()).hexdigest()}})
    store = open_store(cfg)
    build(cfg, store)
    iris = Iris(cfg.base_iri)
    target = iris.record_graph(iris.konzept("Integriertes Handlungskonzept (IHK) Osterfeld"))
    assert store.has_graph(str(target))
    client = create_app(cfg, store=store).test_client()
    r = client.delete(f"/graph-store?graph={target}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422, r.get_data(as_text=True)
    assert "Freiraumentwicklungskonzept Osterfeld" in r.get_data(as_text=True)
    assert store.has_graph(str(target))
