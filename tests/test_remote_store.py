"""The remote store on Debian's Virtuoso beyond the shared contract (tests/test_store.py): what Virtuoso
does on its own (a multi-operation update is no transaction; ``bif:http_get`` runs for anonymous callers),
and what the backend makes of it (readers never see half a replacement, a dead writer's work is finished or
undone, no outbound request, a real time limit).
"""
from __future__ import annotations

import http.server
import io
import threading
import time

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from rdflib import Literal, URIRef

from graph.errors import QueryRefused, QuerySyntaxError, QueryTimeout, StoreUnavailable
from graph.store import open_store
from graph.store.remote.backend import SparqlStore
from graph.store.remote.writes import NS, RemoteWriter

BASE = "https://example.org/sg/"
P = URIRef("http://example.org/p")


def version_graph(tag: str, n: int, subject: str) -> rdflib.Graph:
    g = rdflib.Graph()
    for i in range(n):
        g.add((URIRef(f"{subject}/{i}"), P, Literal(f"{tag}-{i}")))
    return g


@pytest.fixture
def remote(virtuoso) -> SparqlStore:
    store = open_store(virtuoso.settings(base_iri=BASE))
    store.clear()
    return store


# ---- what Virtuoso does by itself -----------------------------------------------------------------------
def test_virtuoso_keeps_the_first_half_of_a_failing_update_request(remote):
    """Why remote_writes journals: one request with two operations is no transaction on Virtuoso 7.2."""
    g = BASE + "graph/halb"
    with pytest.raises(StoreUnavailable):
        remote.http.update(f'INSERT DATA {{ GRAPH <{g}> {{ <{g}> <{P}> "erste Hälfte" }} }} ; '
                           f"DROP GRAPH <{BASE}graph/gibt-es-nicht>")
    assert remote.count(g) == 1  # the first operation stayed although the request failed


# ---- readers and writers -------------------------------------------------------------------------------
def test_readers_never_see_a_half_applied_replacement(remote):
    a, b = BASE + "graph/a", BASE + "graph/b"
    n = 8000  # at this size a naive DROP + INSERT DATA request shows readers a mix (tried)
    remote.replace_graphs({a: version_graph("v0", n, a), b: version_graph("v0", n, b)})
    seen: list[tuple[int, int, str]] = []
    stop = threading.Event()
    reader = open_store(remote.settings)

    def read() -> None:
        while not stop.is_set():
            rows = list(reader.query(f"SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?v) AS ?versions) (SAMPLE(?v) AS ?one) "
                                     f"WHERE {{ ?s <{P}> ?o BIND(STRBEFORE(STR(?o), '-') AS ?v) }}"))
            seen.append((int(rows[0]["n"].value), int(rows[0]["versions"].value), rows[0]["one"].value))

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for version in ("v1", "v2", "v3"):
            remote.replace_graphs({a: version_graph(version, n, a), b: version_graph(version, n, b)})
    finally:
        stop.set()
        thread.join()
    assert len(seen) >= 3
    mixed = [s for s in seen if s[0] != 2 * n or s[1] != 1]
    assert not mixed, f"a reader saw a half-applied replacement: {mixed[:3]}"
    assert {one for _, _, one in seen} <= {"v0", "v1", "v2", "v3"}


def _dead_writer(store: SparqlStore, monkeypatch, *, fail_in: str) -> None:
    """Let ``store``'s writer die in ``fail_in`` without releasing its lock, as a killed process would."""
    original = getattr(RemoteWriter, fail_in)

    def die(self, *args, **kwargs):
        if fail_in == "_send":
            original(self, *args, **kwargs)  # the staging data is written, then the process "dies"
        raise SystemExit("killed")

    monkeypatch.setattr(RemoteWriter, fail_in, die)
    monkeypatch.setattr(RemoteWriter, "_release", lambda self: None)
    monkeypatch.setattr(RemoteWriter, "_abandon", lambda self, write: None)


def test_a_writer_that_dies_in_the_swap_is_completed_later(virtuoso, monkeypatch):
    store = open_store(virtuoso.settings(base_iri=BASE))
    store.clear()
    a = BASE + "graph/a"
    store.replace_graphs({a: version_graph("alt", 3, a)})
    with monkeypatch.context() as patch:
        _dead_writer(store, patch, fail_in="_swap")
        with pytest.raises(SystemExit):
            store.replace_graphs({a: version_graph("neu", 5, a)})
    # The journal says a write is under way: a reader waits, then gives up rather than answer from half of it.
    patient = open_store(virtuoso.settings(base_iri=BASE, query_timeout=1.0, sparql_write_lease=60.0))
    with pytest.raises(StoreUnavailable):
        patient.query(f"ASK {{ GRAPH <{a}> {{ ?s ?p ?o }} }}")
    # Once the dead writer's lease has run out, the next process completes the swap (staging was whole).
    time.sleep(1.2)
    later = open_store(virtuoso.settings(base_iri=BASE, sparql_write_lease=1.0))
    assert rdflib.compare.isomorphic(later.graph(a), version_graph("neu", 5, a))
    assert _staging_quads(later) == 0


def test_a_writer_that_dies_while_staging_changes_nothing(virtuoso, monkeypatch):
    store = open_store(virtuoso.settings(base_iri=BASE))
    store.clear()
    a = BASE + "graph/a"
    store.replace_graphs({a: version_graph("alt", 3, a)})
    with monkeypatch.context() as patch:
        _dead_writer(store, patch, fail_in="_send")
        with pytest.raises(SystemExit):
            store.replace_graphs({a: version_graph("neu", 5, a)})
    time.sleep(1.2)
    later = open_store(virtuoso.settings(base_iri=BASE, sparql_write_lease=1.0))
    # The swap had not begun: the staging graph goes, the live graph never changed.
    assert later.named_graphs() == [a] and later.count() == 3
    assert rdflib.compare.isomorphic(later.graph(a), version_graph("alt", 3, a))
    assert _staging_quads(later) == 0


def _staging_quads(store: SparqlStore) -> int:
    rows = store.raw_select(f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                            f'FILTER(STRSTARTS(STR(?g), "{NS}staging")) }}')
    return int(rows[0]["n"].value)


# ---- no request leaves on a caller's behalf -----------------------------------------------------------
@pytest.fixture
def listener():
    """A local HTTP server that records every request it gets (the SSRF target)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_virtuoso_itself_would_fetch_for_an_anonymous_query(remote, listener):
    """Why the backend refuses bif: — sent straight to Virtuoso, the anonymous account makes the request."""
    url, hits = listener
    remote.http.query(f"SELECT (<bif:http_get>('{url}/bif') AS ?x) WHERE {{}}", accept="text/csv")
    assert hits == ["/bif"]


@pytest.mark.parametrize("query", [
    "SELECT (bif:http_get('{url}/a') AS ?x) WHERE {{}}",
    "PREFIX b: <bif:> SELECT (b:http_get('{url}/b') AS ?x) WHERE {{}}",
    "SELECT (<bif:http_get>('{url}/c') AS ?x) WHERE {{}}",
    "SELECT (<\\u0062if:http_get>('{url}/d') AS ?x) WHERE {{}}",
    "SELECT (<sql:DB.DBA.RDF_SPONGE_UP>('{url}/e') AS ?x) WHERE {{}}",
    "SELECT * WHERE {{ SERVICE <{url}/f> {{ ?s ?p ?o }} }}",
    'define get:soft "soft" SELECT * FROM <{url}/g> WHERE {{ ?s ?p ?o }}',
    "LOAD <{url}/h>",
])
def test_no_outbound_request_is_ever_sent(remote, listener, query):
    url, hits = listener
    with pytest.raises((QueryRefused, QuerySyntaxError)):
        remote.query(query.format(url=url))
    assert hits == []


def test_a_graph_iri_in_from_is_never_fetched(remote, listener):
    url, hits = listener
    assert list(remote.query(f"SELECT * FROM <{url}/daten.ttl> WHERE {{ ?s ?p ?o }}")) == []
    assert list(remote.query("SELECT * WHERE { ?s ?p ?o }", default_graphs=[f"{url}/x.ttl"])) == []
    assert hits == []


def test_the_stores_own_graphs_are_never_stadtgraphs(remote):
    """Virtuoso's system graphs (~2,500 triples) and the control graph stay in Virtuoso's default union (see
    README), but are never listed, counted, dumped or cleared as stadtgraph's data."""
    assert remote.named_graphs() == [] and remote.count() == 0
    out = io.BytesIO()
    remote.dump(out)
    assert out.getvalue() == b""
    assert bool(remote.query("ASK { GRAPH <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o } }"))
    with pytest.raises(QueryRefused):
        remote.query("SELECT * FROM <urn:x-stadtgraph:control> WHERE { ?s ?p ?o }")


# ---- the time limit ----------------------------------------------------------------------------------------
def test_a_long_query_is_stopped_by_the_store(virtuoso):
    store = open_store(virtuoso.settings(base_iri=BASE, query_timeout=1.0))
    store.clear()
    g = BASE + "graph/viel"
    store.bulk_load("".join(f'<{g}/{i}> <{P}> "{i}" .\n' for i in range(5000)).encode(),
                    ox.RdfFormat.N_TRIPLES, graph=g)
    started = time.monotonic()
    with pytest.raises(QueryTimeout):  # Virtuoso stops it at the limit and flags its partial answer
        list(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a <{P}> ?x . ?b <{P}> ?y FILTER(STR(?x) < STR(?y)) }}"))
    assert time.monotonic() - started < 6
    with pytest.raises(QueryTimeout):  # and refuses one whose estimate is far beyond its own limit
        list(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a <{P}> ?x . ?b <{P}> ?y . ?c <{P}> ?z "
                         f"FILTER(STR(?x) < STR(?y) && STR(?y) < STR(?z)) }}"))


# ---- the plain SPARQL 1.1 dialect (Fuseki, GraphDB, QLever), tried on Virtuoso ------------------------------
def _contract_tests() -> list:
    import tests.test_store as contract

    names = ["test_each_record_lives_in_its_own_graph", "test_replacing_one_graph_leaves_the_others_alone",
             "test_dataset_switch_separates_asserted_and_inferred", "test_explicit_default_graphs_override_the_switch",
             "test_substitutions_bind_terms_not_text", "test_ask_construct_and_describe",
             "test_failing_replace_leaves_the_store_as_it_was"]
    return [pytest.param(getattr(contract, name), id=name) for name in names]


@pytest.mark.parametrize("contract_test", _contract_tests())
def test_the_standard_dialect_keeps_the_contract(virtuoso, contract_test):
    """Without Virtuoso's pragmas: the dataset by protocol parameters, plain INSERT DATA, no server timeout."""
    from tests.test_store import BASE as CONTRACT_BASE

    store = open_store(virtuoso.settings(base_iri=CONTRACT_BASE, sparql_dialect="standard", sparql_isql=""))
    assert store.dialect == "standard"
    store.clear()
    contract_test(store)
