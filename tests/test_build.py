"""The build pipeline: stable IRIs across rebuilds, provenance per record graph, removed sources disappear,
unreadable sources are named (and stop a strict build without touching the store).
"""
from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from graph import namespaces as ns
from graph.iris import Iris
from graph.pipeline.build import BuildFailed, build, provenance
from graph.records import Record, SourceRef
from graph.settings import Settings
from graph.store import Store, open_store
from tests.conftest import DATA, FIXTURES

SMALL = FIXTURES / "data_small"


def fresh(data_dir: Path) -> tuple[Settings, Store]:
    settings = Settings.from_mapping({"store": "memory", "data_dir": str(data_dir)})
    return settings, open_store(settings)


def record_graphs(store: Store) -> dict[str, object]:
    """Every named graph except the provenance graph (which records the build's own time)."""
    skip = str(store.iris.provenance_graph)
    return {g: store.graph(g) for g in store.named_graphs() if g != skip}


def assert_same_graphs(a: Store, b: Store) -> None:
    ga, gb = record_graphs(a), record_graphs(b)
    assert sorted(ga) == sorted(gb)
    different = [g for g in ga if not isomorphic(ga[g], gb[g])]
    assert different == []


def small_copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    return data


# ---- IRI stability -------------------------------------------------------------------------------------
def test_fixture_data_builds_to_the_same_graphs_twice():
    settings, first = fresh(SMALL)
    report = build(settings, first)
    assert report.ok and len(report.loaded) == 1
    _, second = fresh(SMALL)
    build(settings, second)
    assert_same_graphs(first, second)
    # and a rebuild into the same store changes nothing either
    before = record_graphs(first)
    build(settings, first)
    after = record_graphs(first)
    assert sorted(before) == sorted(after) and all(isomorphic(before[g], after[g]) for g in before)


def test_shipped_data_builds_to_isomorphic_record_graphs(settings, built_store):
    _, again = fresh(DATA)
    build(settings, again)
    assert len(record_graphs(again)) > 1
    assert_same_graphs(built_store, again)


def test_fixture_record_is_queryable_under_its_source_graph():
    settings, store = fresh(SMALL)
    build(settings, store)
    graph_iri = str(Iris(settings.base_iri).source_graph("glossar.ttl"))
    assert graph_iri in store.named_graphs()
    rows = store.query(f"SELECT ?l WHERE {{ ?t a <{ns.OB.Glossarbegriff}> ; <{ns.SKOS.prefLabel}> ?l "
                       "FILTER(LANG(?l) = 'de') } ORDER BY ?l", dataset="asserted")
    assert [r["l"].value for r in rows] == ["Sozialquartier", "Sozialraum"]


# ---- provenance ----------------------------------------------------------------------------------------------
def test_provenance_names_the_source_file_of_every_record_graph(tmp_path):
    settings, store = fresh(small_copy(tmp_path))
    report = build(settings, store)
    prov = store.graph(str(store.iris.provenance_graph))
    for rec in report.loaded:
        # relative to the data directory: no absolute paths of the build machine leak into the data
        assert (rec.graph_iri, ns.DCTERMS.source, Literal("glossar.ttl")) in prov
        builds = list(prov.objects(rec.graph_iri, ns.PROV.wasGeneratedBy))
        assert len(builds) == 1
        assert (builds[0], ns.RDF.type, ns.PROV.Activity) in prov
        assert prov.value(builds[0], ns.PROV.endedAtTime) is not None


def test_provenance_keeps_wiki_page_revision_and_source_urls():
    iris = Iris("https://example.org/sg/")
    entity = iris.konzept("Klimaanpassungskonzept")
    source = SourceRef("wiki/konzepte/Klimaanpassungskonzept.wiki", page="Klimaanpassungskonzept", revision=1049,
                       urls=("https://istek.oberhausen.de/index.php?oldid=1049&title=Klimaanpassungskonzept",),
                       kind="wiki")
    import rdflib

    rec = Record(entity, iris.record_graph(entity), rdflib.Graph(), source)
    now = datetime.now(UTC)
    g = provenance([rec], iris, now, now)
    gr = rec.graph_iri
    assert g.value(gr, ns.DCTERMS.source) == Literal("wiki/konzepte/Klimaanpassungskonzept.wiki")
    assert g.value(gr, ns.OB.wikiSeitentitel) == Literal("Klimaanpassungskonzept")
    assert g.value(gr, ns.OB.wikiRevision).toPython() == 1049
    assert g.value(gr, ns.PROV.wasDerivedFrom) == URIRef(source.urls[0])
    assert g.value(gr, ns.DCTERMS.subject) == entity


def test_shipped_records_all_have_provenance(built_store):
    prov = built_store.graph(str(built_store.iris.provenance_graph))
    special = {str(built_store.iris.provenance_graph), str(built_store.iris.ontology_graph),
               str(built_store.iris.inferred_graph)}
    missing = [g for g in built_store.named_graphs()
               if g not in special and prov.value(URIRef(g), ns.DCTERMS.source) is None]
    assert missing == []
    for source in set(prov.objects(None, ns.DCTERMS.source)):
        assert (DATA / str(source)).is_file(), source


# ---- sources that change ---------------------------------------------------------------------------------
def test_a_removed_source_disappears_on_rebuild(tmp_path):
    data = small_copy(tmp_path)
    extra = data / "weiteres.ttl"
    extra.write_text('<https://daten.oberhausen.de/stadtgraph/glossar/quartier> '
                     '<http://www.w3.org/2004/02/skos/core#prefLabel> "Quartier"@de .\n', "utf-8")
    settings, store = fresh(data)
    build(settings, store)
    extra_graph = str(store.iris.source_graph("weiteres.ttl"))
    assert extra_graph in store.named_graphs()

    extra.unlink()
    build(settings, store)
    assert extra_graph not in store.named_graphs()
    assert not bool(store.query('ASK { ?s ?p "Quartier"@de }'))
    prov = store.graph(str(store.iris.provenance_graph))
    assert prov.value(URIRef(extra_graph), ns.DCTERMS.source) is None
    assert str(store.iris.source_graph("glossar.ttl")) in store.named_graphs()


def test_an_unreadable_source_is_named_and_the_rest_still_loads(tmp_path):
    data = small_copy(tmp_path)
    (data / "kaputt.ttl").write_text("<https://example.org/a> <https://example.org/b> .\n", "utf-8")
    settings, store = fresh(data)
    report = build(settings, store)
    assert not report.ok
    assert [e.source for e in report.errors] == ["kaputt.ttl"]
    assert str(store.iris.source_graph("glossar.ttl")) in store.named_graphs()


def test_an_edit_that_breaks_a_source_keeps_its_last_good_version(tmp_path):
    data = small_copy(tmp_path)
    settings, store = fresh(data)
    build(settings, store)
    graph_iri = str(store.iris.source_graph("glossar.ttl"))
    good = store.graph(graph_iri)
    (data / "glossar.ttl").write_text("@prefix : <https://example.org/> .\n:a :b \n", "utf-8")
    report = build(settings, store)
    assert [e.source for e in report.errors] == ["glossar.ttl"]
    assert isomorphic(store.graph(graph_iri), good)
    prov = store.graph(str(store.iris.provenance_graph))
    assert prov.value(URIRef(graph_iri), ns.DCTERMS.source) == Literal("glossar.ttl")


def test_strict_build_with_an_unreadable_source_leaves_the_store_unchanged(tmp_path):
    data = small_copy(tmp_path)
    settings, store = fresh(data)
    build(settings, store)
    before = record_graphs(store)
    (data / "glossar.ttl").write_text("@prefix : <https://example.org/> .\n:a :b \n", "utf-8")
    with pytest.raises(BuildFailed) as info:
        build(settings, store, strict=True)
    assert "glossar.ttl" in " ".join(info.value.extra["unreadable"])
    after = record_graphs(store)
    assert sorted(after) == sorted(before) and all(isomorphic(before[g], after[g]) for g in before)
