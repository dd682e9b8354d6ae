"""The synthetic planning graphs of the benchmarks: deterministic, shaped like the real data, valid by the
same rules (Drucksache numbers, VOLFDNR links, no dangling references), defects only where asked for.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict

import pyoxigraph as ox
import pytest
import rdflib

from bench.foundation import QUERIES, run
from bench.synthetic import (
    DEFECTS,
    Stats,
    city_entities,
    generate_nquads,
    generate_records,
    generate_store,
    iter_nquads,
)
from graph import namespaces as ns

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
DRUCKSACHE = re.compile(r"^[BAM]/(14|16|17)/\d{3,5}(-\d{2})?$")
BASE = "https://example.org/sg/"


@pytest.fixture(scope="module")
def sample() -> tuple[rdflib.Dataset, dict]:
    """About two cities, parsed back from the N-Quads text."""
    s = Stats()
    text = "".join(iter_nquads(9_000, seed=3, base=BASE, stats=s))
    ds = rdflib.Dataset()
    ds.parse(data=text, format="nquads")
    return ds, s.as_dict()


def union(ds: rdflib.Dataset) -> rdflib.Graph:
    g = rdflib.Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def test_same_seed_same_bytes_and_smaller_scales_are_prefixes():
    small = "".join(iter_nquads(3_000, seed=7))
    assert small == "".join(iter_nquads(3_000, seed=7))
    assert "".join(iter_nquads(12_000, seed=7)).startswith(small)
    assert small != "".join(iter_nquads(3_000, seed=8))


def test_target_is_reached_and_counted(tmp_path):
    path = tmp_path / "s.nq"
    stats = generate_nquads(path, 25_000)
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == stats["triples"]
    assert 25_000 <= stats["triples"] < 25_000 + 200  # stops after the record that reaches the target
    assert stats["cities"] >= 5 and stats["concepts"] > 500 and stats["vorlagen"] > 300
    assert len({line.rsplit(" ", 2)[-2] for line in lines}) == stats["graphs"]


def test_each_city_has_the_shape_of_the_real_data(sample):
    ds, _ = sample
    g = union(ds)
    per_city: dict[str, Counter] = defaultdict(Counter)
    for s, _, cls in g.triples((None, ns.RDF.type, None)):
        city = str(s)[len(BASE):].split("/", 1)[0]
        per_city[city][str(cls).rsplit("#", 1)[-1]] += 1
    complete = [c for c in per_city.values() if c["Konzept"] >= 30]
    assert complete, "at least one whole city"
    for c in complete:
        assert c["Themenfeld"] == 8 and 16 <= c["Leitziel"] <= 40
        assert (c["Dezernat"], c["Bereich"], c["Fachbereich"]) == (5, 8, 4)
        assert (c["Stadt"], c["Stadtbezirk"], c["Sozialraum"], c["Sozialquartier"]) == (1, 3, 6, 27)
    for k in g.subjects(ns.RDF.type, ns.OB.Konzept):
        assert 1 <= len(set(g.objects(k, ns.OB.themenfeld))) <= 6
        assert g.value(k, ns.DCTERMS.title) is not None and g.value(k, ns.OB.zustaendigeEinheit) is not None
        assert g.value(k, ns.OB.veroeffentlichungsjahr).datatype == ns.XSD.gYear
        assert list(g.objects(k, ns.OB.geltungsbereich))


def test_one_named_graph_per_record_under_the_city_base(sample):
    ds, _ = sample
    typed = list(ds.quads((None, ns.RDF.type, None, None)))
    assert len({graph for *_, graph in typed}) == len(typed)  # one typed entity per graph
    for s, _, _, graph in typed:
        city, path = str(s)[len(BASE):].split("/", 1)
        assert re.fullmatch(r"stadt-\d{4}", city)
        assert str(graph) == f"{BASE}{city}/graph/{path}"


def test_vorlagen_follow_the_council_rules(sample):
    g = union(sample[0])
    vorlagen = list(g.subjects(ns.RDF.type, ns.OB.Vorlage))
    assert vorlagen
    seen_volfdnr = set()
    for v in vorlagen:
        number = str(g.value(v, ns.OB.drucksache))
        assert DRUCKSACHE.match(number), number
        year = int(str(g.value(v, ns.DCTERMS.date))[:4])
        assert number.split("/")[1] == ("14" if year <= 2009 else "16" if year <= 2020 else "17")
        volfdnr = int(g.value(v, ns.OB.volfdnr))
        assert volfdnr not in seen_volfdnr
        seen_volfdnr.add(volfdnr)
        assert str(g.value(v, ns.OB.ratsinfoSeite)) == f"http://ratsinfo.oberhausen.de/vo020?VOLFDNR={volfdnr}"
        allris = g.value(v, ns.OB.allrisSeite)
        assert allris is None or str(allris).endswith(f"VOLFDNR={volfdnr}")


def test_no_dangling_references(sample):
    g = union(sample[0])
    typed = set(g.subjects(ns.RDF.type, None))
    links = (ns.OB.themenfeld, ns.OB.leitziel, ns.OB.geltungsbereich, ns.OB.zustaendigeEinheit, ns.OB.synergieMit,
             ns.OB.beschlossenDurch, ns.OB.gehoertZuThemenfeld, ns.OB.liegtIn, ns.ORG.unitOf)
    dangling = [(s, p, o) for p in links for s, o in g.subject_objects(p) if o not in typed]
    assert dangling == []


def test_records_stores_and_files_hold_the_same_quads(tmp_path):
    stats = generate_nquads(tmp_path / "a.nq", 5_000, seed=2)
    store = generate_store(5_000, seed=2)
    assert len(store) == stats["triples"]
    records = list(generate_records(5_000, seed=2))
    assert len(records) == stats["graphs"]
    graph_iri, triples = records[-1]
    stored = {(q.subject.value, q.predicate.value, q.object.value)
              for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph_iri)))}
    assert stored == {(str(s), str(p), str(o)) for s, p, o in triples}
    assert all(isinstance(t, rdflib.term.Node) for triple in triples for t in triple)


def test_defects_only_where_asked_and_all_named(tmp_path):
    assert generate_nquads(tmp_path / "clean.nq", 20_000)["defects"] == {}
    stats = generate_nquads(tmp_path / "bad.nq", 20_000, defect_rate=0.3)
    assert set(stats["defects"]) == set(DEFECTS)
    assert sum(stats["defects"].values()) == len(stats["defective_graphs"])
    ds = rdflib.Dataset()
    ds.parse(str(tmp_path / "bad.nq"), format="nquads")
    bad_numbers = {str(graph) for _, _, o, graph in ds.quads((None, ns.OB.drucksache, None, None))
                   if not DRUCKSACHE.match(str(o))}
    assert len(bad_numbers) == stats["defects"]["drucksache-malformed"]
    assert bad_numbers <= set(stats["defective_graphs"])


def test_query_mix_finds_rows_and_both_pipelines_agree(tmp_path):
    path = tmp_path / "s.nq"
    generate_nquads(path, 6_000)
    entities = city_entities()
    results = {p: run(p, path, tmp_path, entities, min_runs=1, max_runs=1, budget=0)
               for p in ("oxigraph", "oxigraph-memory", "rdflib")}
    for q in QUERIES:
        rows = {p: r["queries"][q]["rows"] for p, r in results.items()}
        assert len(set(rows.values())) == 1, (q, rows)
        assert rows["rdflib"] > 0, q
