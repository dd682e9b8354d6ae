"""The whole pipeline on Virtuoso: the shipped data built, inferred and queried there as in the embedded
store, and ``stadtgraph export`` / ``stadtgraph import`` round-tripping every named graph on each backend.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

import cli
from bench.synthetic import generate_nquads
from graph.iris import Iris
from graph.pipeline.build import build
from graph.query.curated import load_catalog
from graph.settings import PROJECT_ROOT, Settings
from graph.store import open_store, to_rdflib

DATA = PROJECT_ROOT / "data"


def _rows(result, keys: tuple[str, ...]) -> set[tuple[str, ...]]:
    return {tuple(str(row[k]) for k in keys) for row in result}


def test_the_shipped_data_builds_into_virtuoso_as_into_the_embedded_store(virtuoso, built_store):
    settings = virtuoso.settings(data_dir=str(DATA))
    store = open_store(settings)
    store.clear()
    report = build(settings, store)
    expected = built_store.build_report
    assert len(report.loaded) == len(expected.loaded) and len(report.refused) == len(expected.refused)
    assert store.named_graphs() == built_store.named_graphs()
    inferred = str(Iris(settings.base_iri).inferred_graph)
    assert store.count(inferred) == built_store.count(inferred) > 0  # the inference ran on Virtuoso
    assert store.count() == built_store.count()

    # A curated query with its parameter bound as an RDF term: the same synergies of the same concept.
    query = load_catalog()["synergien-eines-konzepts"]
    bound = query.bind({p.name: [p.example] for p in query.params if p.example})
    keys = ("anderes", "regel", "staerke")
    on_virtuoso = _rows(store.query(query.text, dataset=query.dataset, substitutions=bound), keys)
    assert on_virtuoso and on_virtuoso == _rows(
        built_store.query(query.text, dataset=query.dataset, substitutions=bound), keys)
    titles = "SELECT ?t WHERE { ?k a <https://daten.oberhausen.de/stadtgraph/ontology#Konzept> ; " \
             "<http://purl.org/dc/terms/title> ?t }"
    assert _rows(store.query(titles, dataset="asserted"), ("t",)) == _rows(built_store.query(titles), ("t",))

    # A rebuild replaces every record graph: nothing doubles, nothing is left of the last build's staging.
    build(settings, store)
    assert store.count() == built_store.count()


# ---- export / import ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def source_dump(tmp_path_factory) -> Path:
    """Many named graphs (synthetic records) plus the ontology with its blank nodes (OWL lists)."""
    path = tmp_path_factory.mktemp("dump") / "quelle.nq"
    generate_nquads(path, 3000, seed=3)
    ontology = rdflib.Graph().parse(PROJECT_ROOT / "ontology" / "oberhausen.ttl", format="turtle")
    graph = ox.NamedNode(str(Iris(Settings().base_iri).ontology_graph))
    store = ox.Store()
    store.load(ontology.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    with open(path, "ab") as out:
        store.dump(out, ox.RdfFormat.N_QUADS)
    return path


def _graphs(path: Path) -> dict[str, rdflib.Graph]:
    graphs: dict[str, rdflib.Graph] = {}
    for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        g = graphs.setdefault(q.graph_name.value, rdflib.Graph())
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graphs


def _same_dataset(a: Path, b: Path, *, exact: bool = True) -> None:
    first, second = _graphs(a), _graphs(b)
    assert sorted(first) == sorted(second)
    for name, graph in first.items():
        assert len(graph) == len(second[name]), name
        assert not exact or isomorphic(graph, second[name]), name


@pytest.fixture(params=["oxigraph", "virtuoso"])
def cli_env(request, monkeypatch, tmp_path) -> str:
    """The environment ``stadtgraph`` reads its settings from, for one backend."""
    if request.param == "virtuoso":
        settings = request.getfixturevalue("virtuoso").settings()  # bulk loads with Virtuoso's isql loader
        for name, value in settings.public_dict().items():
            if name.startswith("sparql_") or name == "store":
                monkeypatch.setenv(f"STADTGRAPH_{name.upper()}", str(value))
        monkeypatch.setenv("STADTGRAPH_SPARQL_PASSWORD", settings.sparql_password)
    else:
        monkeypatch.setenv("STADTGRAPH_STORE", "oxigraph")
        monkeypatch.setenv("STADTGRAPH_STORE_PATH", str(tmp_path / "store"))
    return request.param


def test_export_and_import_round_trip_every_named_graph(cli_env, source_dump, tmp_path):
    first, second = tmp_path / "erster.nq", tmp_path / "zweiter.nq"
    assert cli.main(["import", "--replace", str(source_dump)]) == 0
    assert cli.main(["export", "-o", str(first)]) == 0
    # Every graph with every triple; a store may write a literal in its canonical form on the way (the
    # embedded store turns xsd:positiveInteger into xsd:integer, Virtuoso "true" into "1"), hence not exact.
    _same_dataset(source_dump, first, exact=False)
    assert cli.main(["import", "--replace", str(first)]) == 0
    assert cli.main(["export", "-o", str(second)]) == 0
    _same_dataset(first, second)
