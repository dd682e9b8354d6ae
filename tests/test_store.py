"""The store contract: every backend (embedded in memory, embedded on disk, later a remote SPARQL store)
must pass the same suite — named-graph isolation, atomic writes, the dataset switch, the query forms,
dump/load round trips and read-only access.
"""
from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from graph import namespaces as ns
from graph.errors import QuerySyntaxError, StadtgraphError
from graph.iris import Iris
from graph.settings import Settings
from graph.store import OxigraphStore, Store, open_store, to_ox, to_rdflib

BASE = "https://example.org/sg/"
IRIS = Iris(BASE)
K1, K2 = IRIS.konzept("Klimaanpassungskonzept"), IRIS.konzept("Mobilitätsstrategie")
G1, G2 = str(IRIS.record_graph(K1)), str(IRIS.record_graph(K2))
INFERRED = str(IRIS.inferred_graph)


# ---- backends: each param is a factory (settings, tmp_path) -> Store ---------------------------------
def _memory(tmp_path: Path) -> Store:
    return open_store(Settings.from_mapping({"store": "memory", "base_iri": BASE}))


def _disk_settings(tmp_path: Path, name: str = "s") -> Settings:
    return Settings.from_mapping({"store": "oxigraph", "base_iri": BASE, "store_path": str(tmp_path / name)})


def _disk(tmp_path: Path) -> Store:
    return open_store(_disk_settings(tmp_path, "store"))


def _remote(tmp_path: Path) -> Store:
    """A remote SPARQL store, when the environment names one (it is cleared before each test)."""
    url = os.environ.get("STADTGRAPH_TEST_SPARQL_QUERY_URL")
    if not url:
        pytest.skip("no remote SPARQL store configured (STADTGRAPH_TEST_SPARQL_QUERY_URL)")
    pytest.importorskip("graph.store.remote.backend")
    settings = Settings.from_mapping({
        "store": "sparql", "base_iri": BASE, "sparql_query_url": url,
        "sparql_update_url": os.environ.get("STADTGRAPH_TEST_SPARQL_UPDATE_URL", ""),
        "sparql_user": os.environ.get("STADTGRAPH_TEST_SPARQL_USER", ""),
        "sparql_password": os.environ.get("STADTGRAPH_TEST_SPARQL_PASSWORD", "")})
    store = open_store(settings)
    store.clear()
    return store


def _virtuoso(tmp_path: Path) -> Store:
    """Debian's Virtuoso, started once per session by tests/fixtures/virtuoso.py (cleared before each test)."""
    from tests.fixtures.virtuoso import virtuoso_settings

    # Bulk loads go through SPARQL Update here; tests/test_remote_pipeline.py covers Virtuoso's isql loader.
    store = open_store(virtuoso_settings(base_iri=BASE, sparql_isql=""))
    store.clear()
    return store


BACKENDS: dict[str, Callable[[Path], Store]] = {"memory": _memory, "disk": _disk, "virtuoso": _virtuoso}
if os.environ.get("STADTGRAPH_TEST_SPARQL_QUERY_URL"):
    BACKENDS["remote"] = _remote


@pytest.fixture(params=list(BACKENDS))
def store(request, tmp_path) -> Store:
    s = BACKENDS[request.param](tmp_path)
    yield s
    s.close()


def konzept(iri: URIRef, title: str, year: int = 2020) -> rdflib.Graph:
    g = rdflib.Graph()
    g.add((iri, ns.RDF.type, ns.OB.Konzept))
    g.add((iri, ns.DCTERMS.title, Literal(title, lang="de")))
    g.add((iri, ns.OB.veroeffentlichungsjahr, Literal(str(year), datatype=ns.XSD.gYear)))
    return g


def titles(store: Store, **kw) -> set[str]:
    result = store.query("SELECT ?t WHERE { ?k <http://purl.org/dc/terms/title> ?t }", **kw)
    return {row["t"].value for row in result}


def filled(store: Store) -> Store:
    store.replace_graphs({G1: konzept(K1, "Klimaanpassungskonzept"), G2: konzept(K2, "Mobilitätsstrategie")})
    return store


# ---- named graphs ---------------------------------------------------------------------------------------
def test_each_record_lives_in_its_own_graph(store):
    filled(store)
    assert set(store.named_graphs()) == {G1, G2}
    assert isomorphic(store.graph(G1), konzept(K1, "Klimaanpassungskonzept"))
    assert store.count(G1) == 3 and store.count(G2) == 3 and store.count() == 6
    assert store.has_graph(G1) and not store.has_graph(BASE + "graph/konzept/gibt-es-nicht")
    assert len(store.graph(BASE + "graph/konzept/gibt-es-nicht")) == 0


def test_replacing_one_graph_leaves_the_others_alone(store):
    filled(store)
    store.replace_graphs({G1: konzept(K1, "Klimaanpassungskonzept 2023", 2023)})
    assert titles(store) == {"Klimaanpassungskonzept 2023", "Mobilitätsstrategie"}
    assert store.count(G1) == 3  # replaced, not added to
    assert isomorphic(store.graph(G2), konzept(K2, "Mobilitätsstrategie"))


def test_remove_drops_graphs_and_an_empty_graph_is_no_graph(store):
    filled(store)
    store.replace_graphs({G2: rdflib.Graph()}, remove=[G1])
    assert store.named_graphs() == []
    assert store.count() == 0


def test_same_triple_in_two_graphs_is_kept_per_graph(store):
    shared = konzept(K1, "Klimaanpassungskonzept")
    store.replace_graphs({G1: shared, G2: shared})
    store.replace_graphs({}, remove=[G2])
    assert isomorphic(store.graph(G1), shared)


# ---- atomic writes ----------------------------------------------------------------------------------------
def test_failing_replace_leaves_the_store_as_it_was(store):
    filled(store)
    before = {g: store.graph(g) for g in store.named_graphs()}
    broken = rdflib.Graph()
    broken.add((URIRef("https://example.org/sg/konzept/mit leerzeichen"), ns.RDF.type, ns.OB.Konzept))
    with pytest.raises(Exception):  # noqa: B017 - the contract is "raises and changes nothing"
        store.replace_graphs({G2: konzept(K2, "Neu"), BASE + "graph/kaputt": broken}, remove=[G1])
    assert {g: store.graph(g) for g in store.named_graphs()}.keys() == before.keys()
    for g, content in before.items():
        assert isomorphic(store.graph(g), content)


# ---- the dataset switch -------------------------------------------------------------------------------
def test_dataset_switch_separates_asserted_and_inferred(store):
    filled(store)
    derived = rdflib.Graph()
    derived.add((K1, ns.OB.teiltThemenfeldMit, K2))
    derived.add((K1, ns.DCTERMS.title, Literal("nur abgeleitet", lang="de")))
    store.replace_graphs({INFERRED: derived})
    assert titles(store) == {"Klimaanpassungskonzept", "Mobilitätsstrategie", "nur abgeleitet"}
    assert titles(store, dataset="all") == titles(store)
    assert titles(store, dataset="asserted") == {"Klimaanpassungskonzept", "Mobilitätsstrategie"}
    assert titles(store, dataset="inferred") == {"nur abgeleitet"}
    assert INFERRED not in store.asserted_graphs()


def test_explicit_default_graphs_override_the_switch(store):
    filled(store)
    assert titles(store, default_graphs=[G2]) == {"Mobilitätsstrategie"}


def test_named_graphs_are_queryable_with_graph(store):
    filled(store)
    rows = store.query("SELECT ?g ?t WHERE { GRAPH ?g { ?k <http://purl.org/dc/terms/title> ?t } }")
    assert {(r["g"].value, r["t"].value) for r in rows} == {(G1, "Klimaanpassungskonzept"), (G2, "Mobilitätsstrategie")}


def test_unknown_dataset_is_refused(store):
    with pytest.raises(ValueError):
        store.query("ASK {}", dataset="everything")


# ---- query forms --------------------------------------------------------------------------------------
def test_select_gives_variables_and_typed_terms(store):
    filled(store)
    result = store.query(f"SELECT ?k ?y WHERE {{ ?k <{ns.OB.veroeffentlichungsjahr}> ?y }} ORDER BY ?y")
    assert [v.value for v in result.variables] == ["k", "y"]
    rows = list(result)
    assert len(rows) == 2
    assert to_rdflib(rows[0]["y"]) == Literal("2020", datatype=ns.XSD.gYear)


def test_ask_construct_and_describe(store):
    filled(store)
    assert bool(store.query(f"ASK {{ <{K1}> a <{ns.OB.Konzept}> }}")) is True
    assert bool(store.query(f"ASK {{ <{K1}> a <{ns.OB.Vorlage}> }}")) is False
    constructed = list(store.query(f"CONSTRUCT {{ ?k <{ns.DCTERMS.title}> ?t }} WHERE {{ ?k <{ns.DCTERMS.title}> ?t }}"))
    assert len(constructed) == 2 and all(isinstance(t, ox.Triple) for t in constructed)
    described = list(store.query(f"DESCRIBE <{K2}>"))
    assert {t.predicate.value for t in described} >= {str(ns.RDF.type), str(ns.DCTERMS.title)}


def test_substitutions_bind_terms_not_text(store):
    filled(store)
    rows = list(store.query("SELECT ?k ?t WHERE { ?k <http://purl.org/dc/terms/title> ?t }", substitutions={"k": K2}))
    assert [r["t"].value for r in rows] == ["Mobilitätsstrategie"]
    # a value that would break out of the query text stays one literal
    rows = list(store.query("SELECT ?k ?t WHERE { ?k <http://purl.org/dc/terms/title> ?t }",
                            substitutions={"t": Literal('x" } ; DROP ALL ; #')}))
    assert rows == []
    assert store.count() == 6


def test_syntax_error_is_a_query_syntax_error(store):
    with pytest.raises(QuerySyntaxError) as info:
        store.query("SELEKT * WHERE { ?s ?p ?o }")
    assert isinstance(info.value, StadtgraphError) and info.value.status == 400


# ---- dump, bulk load, clear -----------------------------------------------------------------------------
def test_nquads_round_trip_keeps_every_named_graph(store, tmp_path):
    filled(store)
    store.replace_graphs({INFERRED: rdflib.Graph().add((K1, ns.OB.teiltThemenfeldMit, K2))})
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    copy = _memory(tmp_path)
    copy.bulk_load(out.getvalue(), ox.RdfFormat.N_QUADS)
    assert copy.named_graphs() == store.named_graphs() == sorted([G1, G2, INFERRED])
    for g in store.named_graphs():
        assert isomorphic(copy.graph(g), store.graph(g))
    # and back into the backend under test, from a file
    path = tmp_path / "dump.nq"
    path.write_bytes(out.getvalue())
    store.clear()
    assert store.count() == 0
    store.bulk_load(path, ox.RdfFormat.N_QUADS)
    assert store.named_graphs() == copy.named_graphs() and store.count() == copy.count() == 7


def test_triple_format_dump_writes_the_union(store):
    filled(store)
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.TURTLE)
    g = rdflib.Graph().parse(data=out.getvalue().decode("utf-8"), format="turtle")
    assert len(g) == 6
    assert (K2, ns.DCTERMS.title, Literal("Mobilitätsstrategie", lang="de")) in g


def test_bulk_load_into_one_graph(store):
    store.bulk_load(f"<{K1}> <{ns.DCTERMS.title}> \"X\"@de .\n".encode(), ox.RdfFormat.N_TRIPLES, graph=G1)
    assert store.named_graphs() == [G1] and titles(store) == {"X"}


def test_corrupt_dump_is_a_parse_error_naming_the_line(store):
    filled(store)
    with pytest.raises(StadtgraphError) as info:
        store.bulk_load(b'<http://a> <http://b> "ok" <http://g> .\n<http://a> <http://b> kaputt .\n',
                        ox.RdfFormat.N_QUADS)
    assert info.value.status == 400
    assert "2" in info.value.detail


# ---- read-only access (on-disk stores) ------------------------------------------------------------------
def test_read_only_opening_sees_the_data_and_refuses_writes(tmp_path):
    settings = _disk_settings(tmp_path)
    writer = filled(open_store(settings))
    writer.close()
    # Drop the writer first: a read-only opening next to a live writer can fail (RocksDB secondary
    # instances race with the writer's compactions: "Corruption: … No such file").
    del writer
    reader = open_store(settings, read_only=True)
    assert isinstance(reader, OxigraphStore) and reader.read_only
    assert titles(reader) == {"Klimaanpassungskonzept", "Mobilitätsstrategie"}
    assert reader.named_graphs() == [G1, G2]
    with pytest.raises(Exception):  # noqa: B017 - any refusal will do; the data must stay
        reader.replace_graphs({}, remove=[G1])
    assert reader.count() == 6
    assert open_store(settings, read_only=True).count() == 6


def test_on_disk_store_persists_across_openings(tmp_path):
    settings = _disk_settings(tmp_path)
    first = filled(open_store(settings))
    first.close()
    del first
    again = open_store(settings)
    assert again.named_graphs() == [G1, G2]


# ---- big loads and the serving replica (on-disk stores) ---------------------------------------------------
def _nquads(lines: int, extra: str = "") -> bytes:
    body = "".join(f'<https://example.org/s{i % 97}> <https://example.org/p{i % 5}> "Wert {i}"@de '
                   f"<https://example.org/g{i % 13}> .\n" for i in range(lines))
    return (body + extra).encode()


@pytest.fixture
def parallel_loads(monkeypatch):
    """Small files load in parallel too, so the tests see the parts and their seams."""
    monkeypatch.setattr("graph.store.oxigraph.PARALLEL_LOAD_MIN_BYTES", 1)


def test_a_big_file_loaded_in_parallel_parts_holds_every_quad_once(tmp_path, parallel_loads):
    path = tmp_path / "big.nq"
    path.write_bytes(_nquads(5000))
    disk = open_store(_disk_settings(tmp_path))
    assert disk._loads_in_parallel(path, ox.RdfFormat.N_QUADS)
    disk.bulk_load(path, ox.RdfFormat.N_QUADS)
    whole = ox.Store()
    whole.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    assert set(disk) == set(whole) and disk.count() == 5000
    assert len(disk.named_graphs()) == 13


def test_a_parallel_load_names_the_broken_line_of_the_whole_file(tmp_path, parallel_loads):
    path = tmp_path / "broken.nq"
    path.write_bytes(_nquads(4000, '<https://example.org/a> <https://example.org/b> kaputt .\n'))
    disk = open_store(_disk_settings(tmp_path))
    with pytest.raises(StadtgraphError) as info:
        disk.bulk_load(path, ox.RdfFormat.N_QUADS)
    assert info.value.status == 400
    assert info.value.extra.get("line") == 4001
    assert "4001" in info.value.detail


def test_a_file_with_blank_nodes_loads_in_one_piece_and_keeps_them_one_node(tmp_path, parallel_loads):
    node = '_:stelle <https://example.org/p> "{}" <https://example.org/g> .\n'
    path = tmp_path / "blank.nq"
    path.write_bytes(node.format("erste").encode() + _nquads(3000) + node.format("letzte").encode())
    disk = open_store(_disk_settings(tmp_path))
    assert not disk._loads_in_parallel(path, ox.RdfFormat.N_QUADS)
    disk.bulk_load(path, ox.RdfFormat.N_QUADS)
    blanks = {q.subject for q in disk if isinstance(q.subject, ox.BlankNode)}
    assert len(blanks) == 1 and disk.count() == 3002


def test_a_file_over_the_parallel_limit_loads_in_one_call(tmp_path, parallel_loads, monkeypatch):
    monkeypatch.setattr("graph.store.oxigraph.PARALLEL_LOAD_MAX_BYTES", 10_000)  # memory beats time above it
    path = tmp_path / "gross.nq"
    path.write_bytes(_nquads(2000))
    disk = open_store(_disk_settings(tmp_path))
    assert not disk._loads_in_parallel(path, ox.RdfFormat.N_QUADS)
    disk.bulk_load(path, ox.RdfFormat.N_QUADS)
    assert disk.count() == 2000


def test_a_replica_answers_like_its_disk_store_and_takes_no_writes(tmp_path):
    settings = _disk_settings(tmp_path)
    writer = filled(open_store(settings))
    writer.close()
    del writer
    replica = OxigraphStore.replica(settings, settings.store_path)
    assert replica.mode == "replica" and replica.path is None
    assert titles(replica) == {"Klimaanpassungskonzept", "Mobilitätsstrategie"}
    assert replica.named_graphs() == [G1, G2] and replica.count() == 6
    with pytest.raises(StadtgraphError):
        replica.replace_graphs({}, remove=[G1])
    assert replica.count() == 6
    assert OxigraphStore.replica(settings, settings.store_path, max_quads=5) is None  # too big: serve from disk


def test_no_replica_of_a_store_that_is_not_there(tmp_path):
    settings = _disk_settings(tmp_path, "nirgends")
    with pytest.raises(StadtgraphError):
        OxigraphStore.replica(settings, tmp_path / "nirgends" / "tiefer")


# ---- term conversion ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("term", [URIRef("https://example.org/x"), Literal("Straße", lang="de"), Literal("plain"),
                                  Literal("2020", datatype=ns.XSD.gYear), Literal("5", datatype=ns.XSD.integer)])
def test_terms_survive_the_trip_between_rdflib_and_oxigraph(term):
    assert to_rdflib(to_ox(term)) == term


def test_every_backend_says_whether_it_takes_writes_and_whether_it_has_a_native_store(store):
    """The capabilities callers ask instead of testing for a backend class: a fresh store takes writes,
    and a native pyoxigraph store, where there is one, holds what the interface wrote."""
    assert store.read_only is False
    store.replace_graphs({"https://example.org/g": rdflib.Graph().parse(data="<urn:a> <urn:b> <urn:c> .", format="nt")})
    native = store.native()
    if store.mode == "sparql":
        assert native is None
    else:
        assert len(native) == len(list(store.graph("https://example.org/g"))) == 1
