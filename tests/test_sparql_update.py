"""SPARQL 1.1 Update over the SPARQL 1.1 Protocol at /sparql, with a bearer token and the guarantees of the
Graph Store writes: the SHACL gate on every changed record graph (422, nothing changed), atomic, the inferred
graph brought up to date, an audit entry; the default-graph rule, protected graphs, the graph-name rule,
no LOAD/SERVICE; and the graph-name rule for Graph Store writes."""
from __future__ import annotations

import io

import pyoxigraph as ox
import pytest

from graph.iris import Iris
from graph.pipeline import audit
from graph.store import OxigraphStore
from server import create_app
from tests.graph_store_data import (
    AUTH,
    BASE,
    GOOD_CONCEPT,
    INFERRED,
    MALFORMED_VORLAGE,
    NEW_CONCEPT,
    NEW_GRAPH,
    SYNERGY_ASK,
    TOKENS,
    VORLAGE_GRAPH,
)

UPDATE = {"Content-Type": "application/sparql-update", **AUTH}
UPDATE_GRAPH = BASE + "graph/sparql-update"
G1, G2 = BASE + "graph/test/eins", BASE + "graph/test/zwei"
EX = "http://example.org/upd/"


@pytest.fixture
def writable(settings, built_store, tmp_path):
    s = settings.replace(tokens=TOKENS, audit_dir=str(tmp_path / "audit"))
    store = OxigraphStore(s)
    buf = io.BytesIO()
    built_store.dump(buf)
    store.raw.load(buf.getvalue(), format=ox.RdfFormat.N_QUADS)
    app = create_app(s, store=store)
    app.config["TESTING"] = True
    return app.test_client(), store, s


def _update(client, text: str, headers=UPDATE):
    return client.post("/sparql", data=text.encode("utf-8"), headers=headers)


def _ask(client, query: str) -> bool:
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["boolean"]


def _quads(store) -> set:
    return set(store.raw)


def test_insert_without_a_graph_lands_in_the_update_graph_and_queries_see_it(writable):
    client, store, s = writable
    r = _update(client, f'INSERT DATA {{ <{EX}a> <{EX}p> "eins" }}')
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["written"] == [UPDATE_GRAPH]
    assert str(Iris(s.base_iri).update_graph) == UPDATE_GRAPH
    assert _ask(client, f'ASK {{ <{EX}a> <{EX}p> "eins" }}')  # the union default graph
    assert _ask(client, f'ASK {{ GRAPH <{UPDATE_GRAPH}> {{ <{EX}a> <{EX}p> "eins" }} }}')
    # and the update's default graph is that graph for reading too
    assert _update(client, f'DELETE {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}').status_code == 200
    assert not store.has_graph(UPDATE_GRAPH)
    entries = audit.entries(s)
    assert [(e["method"], e["token"], e["outcome"], e["graphs"]) for e in entries] == [
        ("UPDATE", "stadtplanung", "done", [UPDATE_GRAPH])] * 2


def test_the_form_encoding_works_too(writable):
    client, store, _ = writable
    r = client.post("/sparql", data={"update": f'INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> 1 }} }}'},
                    headers=AUTH)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert store.count(G1) == 1


def test_an_update_derives_synergies_like_a_graph_store_write(writable):
    client, store, _ = writable
    assert not _ask(client, SYNERGY_ASK)
    turtle_body = GOOD_CONCEPT.replace("@prefix", "PREFIX").replace("> .", ">")
    prologue, _, triples = turtle_body.partition(f"<{NEW_CONCEPT}>")
    r = _update(client, f"{prologue} INSERT DATA {{ GRAPH <{NEW_GRAPH}> {{ <{NEW_CONCEPT}>{triples} }} }}")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert _ask(client, SYNERGY_ASK)
    assert _update(client, f"DROP GRAPH <{NEW_GRAPH}>").status_code == 200
    assert not _ask(client, SYNERGY_ASK)


def test_a_violation_is_refused_with_422_and_nothing_changes(writable):
    client, store, s = writable
    before = _quads(store)
    drucksache = "<https://daten.oberhausen.de/stadtgraph/ontology#drucksache>"
    r = _update(client, f'INSERT DATA {{ GRAPH <{G1}> {{ <{EX}x> <{EX}p> 1 }} }} ; '
                        f'DELETE {{ GRAPH <{VORLAGE_GRAPH}> {{ ?v {drucksache} ?d }} }} '
                        f'INSERT {{ GRAPH <{VORLAGE_GRAPH}> {{ ?v {drucksache} "B/16/55O5-01" }} }} '
                        f'WHERE {{ GRAPH <{VORLAGE_GRAPH}> {{ ?v {drucksache} ?d }} }}')
    assert r.status_code == 422, r.get_data(as_text=True)
    assert r.get_json()["report"]
    assert _quads(store) == before  # the first operation is not kept either: one update, one write
    assert audit.entries(s)[-1]["outcome"] == "refused"
    assert MALFORMED_VORLAGE  # the same malformed Drucksache as the Graph Store test


def test_the_operations_on_named_graphs(writable):
    client, store, _ = writable
    ok = [
        f'INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> 1 . <{EX}b> <{EX}p> 2 }} }}',
        f'WITH <{G1}> DELETE {{ ?s <{EX}p> 2 }} INSERT {{ ?s <{EX}q> 3 }} WHERE {{ ?s <{EX}p> 2 }}',
        f'INSERT {{ GRAPH <{G2}> {{ ?s <{EX}r> ?o }} }} USING <{G1}> WHERE {{ ?s <{EX}p> ?o }}',
    ]
    for text in ok:
        assert _update(client, text).status_code == 200, text
    assert store.count(G1) == 2 and store.count(G2) == 1
    assert _update(client, f"COPY <{G1}> TO <{G2}>").status_code == 200
    assert store.count(G2) == 2
    assert _update(client, f"CLEAR GRAPH <{G2}>").status_code == 200
    assert not store.has_graph(G2)
    assert _update(client, f"ADD <{G1}> TO <{G2}>").status_code == 200
    assert store.count(G2) == 2
    assert _update(client, f"DROP GRAPH <{G2}> ; MOVE <{G1}> TO <{G2}>").status_code == 200
    assert not store.has_graph(G1) and store.count(G2) == 2
    assert _update(client, f"CREATE SILENT GRAPH <{G1}>").status_code == 200
    assert _update(client, f'DELETE DATA {{ GRAPH <{G2}> {{ <{EX}a> <{EX}p> 1 }} }}').status_code == 200
    assert store.count(G2) == 1
    assert _update(client, f"DELETE WHERE {{ GRAPH ?g {{ ?s <{EX}q> ?o }} }}").status_code == 200
    assert not store.has_graph(G2)


def test_without_a_token_401_with_a_challenge_and_nothing_changes(writable):
    client, store, _ = writable
    before = _quads(store)
    text = f'INSERT DATA {{ <{EX}a> <{EX}p> 1 }}'
    r = _update(client, text, headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    r = _update(client, text, headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer nope"})
    assert r.status_code == 401 and "invalid_token" in r.headers["WWW-Authenticate"]
    r = client.post("/sparql", data={"update": text})
    assert r.status_code == 401
    assert _quads(store) == before


def test_a_service_without_tokens_takes_no_updates_and_says_so(client):
    r = client.post("/sparql", data=b"INSERT DATA { <http://a> <http://b> 1 }",
                    headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403
    sd = client.get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "SPARQL11Update" not in sd


def test_the_service_description_offers_updates_when_tokens_are_configured(writable):
    client, _, _ = writable
    r = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert ("<http://www.w3.org/ns/sparql-service-description#supportedLanguage> "
            "<http://www.w3.org/ns/sparql-service-description#SPARQL11Update>") in r.get_data(as_text=True)


@pytest.mark.parametrize("text", [
    "LOAD <http://evil.example/data.ttl>",
    f"LOAD <http://evil.example/data.ttl> INTO GRAPH <{G1}>",
    f"INSERT {{ GRAPH <{G1}> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <http://evil.example/sparql> {{ ?s ?p ?o }} }}",
])
def test_load_and_service_are_refused(writable, text):
    client, store, _ = writable
    before = _quads(store)
    r = _update(client, text)
    assert r.status_code == 403 and r.get_json()["keyword"] in ("LOAD", "SERVICE")
    assert _quads(store) == before


@pytest.mark.parametrize("text, status", [
    (f'INSERT DATA {{ GRAPH <{INFERRED}> {{ <{EX}a> <{EX}p> 1 }} }}', 403),
    (f"DROP GRAPH <{INFERRED}>", 403),
    (f"CLEAR GRAPH <{BASE}graph/ontologie>", 403),
    ("CLEAR ALL", 403),
    ("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }", 403),
    (f'INSERT DATA {{ GRAPH <http://evil.example/g> {{ <{EX}a> <{EX}p> 1 }} }}', 403),
    (f'INSERT DATA {{ GRAPH <{BASE}graph/../graph/abgeleitet> {{ <{EX}a> <{EX}p> 1 }} }}', 403),
    (f'INSERT DATA {{ GRAPH <{BASE}graph/%2e%2e/graph/abgeleitet> {{ <{EX}a> <{EX}p> 1 }} }}', 403),
    (f'INSERT DATA {{ GRAPH <{BASE}graph%2Fabgeleitet> {{ <{EX}a> <{EX}p> 1 }} }}', 400),
    (f'INSERT DATA {{ GRAPH <{BASE}graph/test/../eins> {{ <{EX}a> <{EX}p> 1 }} }}', 400),
    ("INSERT DATA { <http://a> <http://b> ", 400),
])
def test_protected_graphs_and_the_graph_name_rule_hold_for_updates(writable, text, status):
    client, store, _ = writable
    before = _quads(store)
    r = _update(client, text)
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert _quads(store) == before


def test_an_update_larger_than_the_body_limit_is_refused(writable):
    client, store, s = writable
    big = "INSERT DATA { " + " ".join(f'<{EX}s{i}> <{EX}p> "{"x" * 50}" .' for i in range(s.max_body_bytes // 60))
    r = _update(client, big + " }")
    assert r.status_code == 413


# ---- the graph-name rule for Graph Store writes --------------------------------------------------------
@pytest.mark.parametrize("graph, status, rule", [
    ("http://evil.example/g", 403, "under-base"),
    (f"{BASE}konzept/x", 403, "under-base"),
    (f"{BASE}graph/../graph/abgeleitet", 403, "protected"),
    (f"{BASE}graph/%2e%2e/graph/abgeleitet", 403, "protected"),
    (f"{BASE}graph%2Fabgeleitet", 400, "no-encoded-slash"),
    (f"{BASE}graph/test/%65ins", 400, "normal-form"),
    (f"{BASE}graph/test/./eins", 400, "normal-form"),
    (f"{BASE}graph//eins", 400, "plain-path"),
])
def test_graph_store_writes_only_to_normal_graph_names_under_the_base(writable, graph, status, rule):
    from urllib.parse import quote

    client, store, _ = writable
    before = _quads(store)
    body = f'<{EX}a> <{EX}p> "x" .'
    r = client.put(f"/graph-store?graph={quote(graph, safe='')}", data=body,
                   headers={"Content-Type": "text/turtle", **AUTH})
    assert r.status_code == status, r.get_data(as_text=True)
    problem = r.get_json()
    assert problem["rule"] == rule and "Regel / rule" in problem["detail"]
    assert _quads(store) == before
    r = client.put(f"/graph-store?graph={quote(G1, safe='')}", data=body,
                   headers={"Content-Type": "text/turtle", **AUTH})
    assert r.status_code == 201


def test_an_update_that_changes_nothing_is_audited_too(writable):
    client, store, s = writable
    r = _update(client, f'DELETE DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> 1 }} }}')
    assert r.status_code == 200 and r.get_json()["written"] == [] and r.get_json()["dropped"] == []
    assert [(e["method"], e["graphs"]) for e in audit.entries(s)] == [("UPDATE", [])]
