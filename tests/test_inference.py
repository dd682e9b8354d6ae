"""Synergy inference on a small fixture: each axiom's entailment, no junk, the dataset switch, explanations,
updates, and agreement with owlrl's full closure."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import URIRef

from graph import namespaces as ns
from graph.inference import explain, rules
from graph.inference import lookups as synergies
from graph.inference import refresh as inference
from graph.iris import Iris
from graph.namespaces import OB, ORG, OWL, PROV, RDF, RDFS, SCHEMA
from graph.ontology import ontology_graph
from graph.store import OxigraphStore, to_rdflib
from tests.conftest import FIXTURES

SG = "https://daten.oberhausen.de/stadtgraph/"
FEK, IHK, MOB, SPORT, LONE = (URIRef(f"{SG}konzept/{k}") for k in ("fek", "ihk", "mob", "sport", "lone"))
STADT = URIRef(f"{SG}raum/stadt/oberhausen")
SR_OSTERFELD = URIRef(f"{SG}raum/sozialraum/osterfeld")
SQ_OSTERFELD_MITTE = URIRef(f"{SG}raum/sozialquartier/osterfeld-mitte")
SQ_STERKRADE_NORD = URIRef(f"{SG}raum/sozialquartier/sterkrade-nord")
STADTSTRUKTUR = URIRef(f"{SG}themenfeld/stadtstruktur")
POLYZENTRALITAET = URIRef(f"{SG}leitziel/stadtstruktur/polyzentralitaet")
VORLAGE = URIRef(f"{SG}vorlage/b-16-5505-01")
BEREICH = URIRef(f"{SG}organisation/bereich-5-1")


def fixture_store(settings) -> OxigraphStore:
    """The fixture's records plus the ontology graph, as a build leaves them (before inference)."""
    store = OxigraphStore(settings)
    store.bulk_load((FIXTURES / "synergien.trig").read_bytes(), ox.RdfFormat.TRIG)
    store.replace_graphs({str(Iris(settings.base_iri).ontology_graph): ontology_graph(settings)})
    return store


@pytest.fixture(scope="module")
def store(settings):
    store = fixture_store(settings)
    inference.refresh(store, settings)
    return store


def inferred(store) -> set[tuple]:
    return {tuple(to_rdflib(t) for t in (r["s"], r["p"], r["o"]))
            for r in store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", dataset="inferred")}


ENTAILED = {
    "explicit synergy is symmetric": (IHK, OB.synergieMit, FEK),
    "shared Themenfeld": (FEK, OB.teiltThemenfeldMit, IHK),
    "shared Themenfeld, other direction": (IHK, OB.teiltThemenfeldMit, FEK),
    "shared Themenfeld Mobilität": (MOB, OB.teiltThemenfeldMit, SPORT),
    "shared Leitziel": (IHK, OB.teiltLeitzielMit, FEK),
    "shared place via containment": (IHK, OB.teiltRaumMit, SPORT),
    "city-wide concept shares a place with a quarter's concept": (FEK, OB.teiltRaumMit, MOB),
    "super-property of derived": (SPORT, OB.verwandtDurchSynergie, MOB),
    "super-property of explicit": (IHK, OB.verwandtDurchSynergie, FEK),
    "scope touches its place": (IHK, OB.betrifftRaum, SR_OSTERFELD),
    "scope touches places within": (IHK, OB.betrifftRaum, SQ_OSTERFELD_MITTE),
    "city-wide concept touches every place": (FEK, OB.betrifftRaum, SQ_STERKRADE_NORD),
    "transitive containment": (SQ_OSTERFELD_MITTE, OB.liegtIn, STADT),
    "inverse of containment": (STADT, OB.umfasst, SQ_OSTERFELD_MITTE),
    "a Vorlage adopts a concept": (VORLAGE, OB.beschliesst, FEK),
    "a unit is responsible for a concept": (BEREICH, OB.istZustaendigFuer, FEK),
    "a Leitziel's concepts": (POLYZENTRALITAET, OB.leitzielVon, IHK),
    "a Themenfeld's Leitziele": (STADTSTRUKTUR, OB.hatLeitziel, POLYZENTRALITAET),
    "class hierarchy types places": (SQ_STERKRADE_NORD, RDF.type, OB.Raum),
    "class hierarchy types concepts": (LONE, RDF.type, PROV.Entity),
    "sub-property towards external vocabularies": (SQ_OSTERFELD_MITTE, SCHEMA.containedInPlace, STADT),
    "class hierarchy types units": (BEREICH, RDF.type, ORG.OrganizationalUnit),
}


@pytest.mark.parametrize("triple", ENTAILED.values(), ids=ENTAILED.keys())
def test_each_axiom_is_entailed_into_the_inferred_graph(store, triple):
    assert triple in inferred(store)


NOT_ENTAILED = {
    "no Themenfeld shared": (FEK, OB.teiltThemenfeldMit, MOB),
    "sibling quarters share no place": (MOB, OB.teiltRaumMit, SPORT),
    "a concept shares nothing with the loner": (FEK, OB.verwandtDurchSynergie, LONE),
    "containment does not go up for concepts": (IHK, OB.betrifftRaum, STADT),
}


@pytest.mark.parametrize("triple", NOT_ENTAILED.values(), ids=NOT_ENTAILED.keys())
def test_what_does_not_follow_is_not_derived(store, triple):
    triples = inferred(store)
    assert triple not in triples and (triple[2], triple[1], triple[0]) not in triples


def test_inferred_graph_holds_no_junk(store):
    triples = inferred(store)
    assert triples, "the fixture derives something"
    assert not [t for t in triples if t[0] == t[2]], "no thing related to itself"
    assert not [t for t in triples if isinstance(t[0], rdflib.Literal)]
    assert not [t for t in triples if isinstance(t[0], rdflib.BNode) or isinstance(t[2], rdflib.BNode)]
    assert not [t for t in triples if t[1] == OWL.sameAs]
    vocab = (str(OB), str(RDF), str(RDFS), str(OWL), str(ns.XSD))
    assert not [t for t in triples if str(t[0]).startswith(vocab)], "nothing about the vocabulary itself"
    empty = (str(RDF), str(RDFS), str(OWL))
    assert not [t for t in triples if t[1] == RDF.type and str(t[2]).startswith(empty)], "no owl:Thing & co."


def test_inferred_graph_holds_nothing_asserted(store):
    asserted = {tuple(to_rdflib(t) for t in (r["s"], r["p"], r["o"]))
                for r in store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", dataset="asserted")}
    assert (FEK, OB.synergieMit, IHK) in asserted
    assert not inferred(store) & asserted


def test_dataset_switch_separates_asserted_and_inferred(store):
    both = f"ASK {{ ?a <{OB.teiltThemenfeldMit}> ?b . ?a <{OB.themenfeld}> ?t }}"
    assert bool(store.query(both, dataset="all"))
    derived = f"ASK {{ ?a <{OB.teiltThemenfeldMit}> ?b }}"
    fact = f"ASK {{ ?a <{OB.themenfeld}> ?t }}"
    assert bool(store.query(derived, dataset="inferred")) and not bool(store.query(derived, dataset="asserted"))
    assert bool(store.query(fact, dataset="asserted")) and not bool(store.query(fact, dataset="inferred"))


# ---- explanations --------------------------------------------------------------------------------
def test_every_derived_synergy_has_an_explanation(store):
    rows = store.query(f"""
        SELECT ?a ?b ?rel WHERE {{
          VALUES ?rel {{ <{OB.teiltLeitzielMit}> <{OB.teiltThemenfeldMit}> <{OB.teiltRaumMit}> <{OB.synergieMit}> }}
          ?a ?rel ?b FILTER(?a != ?b)
          FILTER NOT EXISTS {{ ?n a <{OB.Synergiebegruendung}> ; <{OB.zwischen}> ?a , ?b ; <{OB.regel}> ?rel }}
        }}""")
    assert [(r["a"].value, r["rel"].value, r["b"].value) for r in rows] == []
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?n a <{OB.Synergiebegruendung}> }}"
    assert int(next(iter(store.query(count)))["n"].value) == 8


def test_explanation_node_has_the_agreed_shape(store):
    node = URIRef(f"{SG}synergie/fek--ihk--themenfeld")
    g = store.graph(str(Iris(SG).inferred_graph))
    assert (node, RDF.type, OB.Synergiebegruendung) in g
    assert set(g.objects(node, OB.zwischen)) == {FEK, IHK}
    assert set(g.objects(node, OB.regel)) == {OB.teiltThemenfeldMit}
    assert set(g.objects(node, OB.gemeinsam)) == {STADTSTRUKTUR}
    (staerke,) = g.objects(node, OB.staerke)
    assert staerke.datatype == ns.XSD.decimal and float(staerke) == 0.5  # FEK {Umwelt, Stadtstruktur}, IHK {Stadtstruktur}
    comments = {c.language: str(c) for c in g.objects(node, RDFS.comment)}
    assert comments["de"] == "Beide Konzepte beziehen sich auf das Themenfeld Stadtstruktur & Stadtgestalt."
    assert comments["en"] == "Both concepts relate to the thematic field Urban structure & design."


def test_explicit_synergy_is_explained_without_shared_values(store):
    node = URIRef(f"{SG}synergie/fek--ihk--explizit")
    g = store.graph(str(Iris(SG).inferred_graph))
    assert set(g.objects(node, OB.regel)) == {OB.synergieMit}
    assert not set(g.objects(node, OB.gemeinsam))
    assert [float(x) for x in g.objects(node, OB.staerke)] == [1.0]


def test_place_explanation_names_the_largest_shared_place(store):
    node = URIRef(f"{SG}synergie/fek--ihk--raum")
    g = store.graph(str(Iris(SG).inferred_graph))
    assert set(g.objects(node, OB.gemeinsam)) == {SR_OSTERFELD}, "the largest shared place; Osterfeld-Mitte lies in it"
    comments = {c.language: str(c) for c in g.objects(node, RDFS.comment)}
    assert comments["de"] == "Beide Konzepte betreffen den Raum Osterfeld (Sozialraum) sowie einen darin liegenden Raum."


def test_synergies_of_a_concept_with_reasons(store):
    reasons = synergies.synergies_of(store, FEK)
    by = {(r.rule, r.other) for r in reasons}
    assert ("explizit", str(IHK)) in by
    assert {("themenfeld", str(IHK)), ("leitziel", str(IHK)), ("raum", str(MOB)), ("raum", str(SPORT))} <= by
    assert all(r.comment_de and r.comment_en for r in reasons)
    assert reasons == sorted(reasons, key=lambda r: -r.strength)


@pytest.mark.parametrize("name", ["Integriertes Handlungskonzept (IHK) Osterfeld", "ihk", f"{SG}konzept/ihk",
                                  "integriertes handlungskonzept (ihk) osterfeld"])
def test_concepts_resolve_by_iri_slug_or_title(store, name):
    assert synergies.resolve_concept(store, name) == IHK


def test_unknown_concept_is_not_found(store):
    from graph.errors import NotFound

    with pytest.raises(NotFound):
        synergies.resolve_concept(store, "Kein solches Konzept")


def test_cli_explain_prints_the_reasons(settings, tmp_path, capsys):
    from cli import main

    disk = OxigraphStore(settings, tmp_path / "store")
    disk.bulk_load((FIXTURES / "synergien.trig").read_bytes(), ox.RdfFormat.TRIG)
    inference.refresh(disk, settings)
    disk.close()
    del disk  # the CLI opens the store itself
    assert main(["--store", str(tmp_path / "store"), "explain", "Freiraumentwicklungskonzept Osterfeld", "ihk"]) == 0
    out = capsys.readouterr().out
    assert "Freiraumentwicklungskonzept Osterfeld ↔ Integriertes Handlungskonzept (IHK) Osterfeld" in out
    assert "Beide Konzepte beziehen sich auf das Themenfeld Stadtstruktur & Stadtgestalt." in out
    assert "Das Wiki nennt die Synergie" in out
    assert main(["--store", str(tmp_path / "store"), "explain", "mob", "lone"]) == 0
    assert "Keine Synergie" in capsys.readouterr().out


# ---- updates ---------------------------------------------------------------------------------------
def test_refresh_after_a_record_changes_updates_the_inferred_graph(settings):
    store = fixture_store(settings)
    inference.refresh(store, settings)
    before = inferred(store)
    graph = f"{SG}graph/konzept/ihk"
    record = store.graph(graph)
    record.remove((IHK, OB.themenfeld, None))
    record.add((IHK, OB.themenfeld, URIRef(f"{SG}themenfeld/mobilitaet")))
    store.replace_graphs({graph: record})
    count = inference.refresh(store, settings)
    after = inferred(store)
    assert count == len(after)
    assert (FEK, OB.teiltThemenfeldMit, IHK) in before and (FEK, OB.teiltThemenfeldMit, IHK) not in after
    assert (IHK, OB.teiltThemenfeldMit, MOB) in after
    assert not list(store.graph(str(Iris(SG).inferred_graph)).predicate_objects(URIRef(f"{SG}synergie/fek--ihk--themenfeld")))
    assert (URIRef(f"{SG}synergie/ihk--mob--themenfeld"), RDF.type, OB.Synergiebegruendung) in after
    assert (FEK, OB.teiltLeitzielMit, IHK) in after, "what did not change stays"
    # Nothing changed: the graph stays exactly as it is.
    assert inference.refresh(store, settings) == count and inferred(store) == after


@pytest.mark.parametrize("change", ["themenfeld", "scope", "title", "new concept", "place hierarchy", "remove"])
def test_updating_writes_only_the_difference_and_ends_where_a_full_refresh_ends(settings, change):
    store = fixture_store(settings)
    inference.refresh(store, settings)
    graphs = {}
    if change == "themenfeld":
        record = store.graph(f"{SG}graph/konzept/mob")
        record.add((MOB, OB.themenfeld, STADTSTRUKTUR))
        graphs[f"{SG}graph/konzept/mob"] = record
    elif change == "scope":
        record = store.graph(f"{SG}graph/konzept/ihk")
        record.remove((IHK, OB.geltungsbereich, None))
        record.add((IHK, OB.geltungsbereich, SQ_STERKRADE_NORD))
        graphs[f"{SG}graph/konzept/ihk"] = record
    elif change == "title":
        record = store.graph(f"{SG}graph/konzept/fek")
        record.set((FEK, URIRef("http://purl.org/dc/terms/title"), rdflib.Literal("FEK Osterfeld", lang="de")))
        graphs[f"{SG}graph/konzept/fek"] = record
    elif change == "new concept":
        new = URIRef(f"{SG}konzept/neu")
        record = rdflib.Graph()
        record.add((new, RDF.type, OB.Konzept))
        record.add((new, OB.leitziel, POLYZENTRALITAET))
        graphs[f"{SG}graph/konzept/neu"] = record
    elif change == "place hierarchy":
        record = store.graph(f"{SG}graph/raum/sozialquartier/sterkrade-nord")
        record.set((SQ_STERKRADE_NORD, OB.liegtIn, SR_OSTERFELD))
        graphs[f"{SG}graph/raum/sozialquartier/sterkrade-nord"] = record
    with inference.updating(store, settings) as counts:
        if change == "remove":
            store.replace_graphs({}, remove=[f"{SG}graph/konzept/sport"])
        else:
            store.replace_graphs(graphs)
    assert counts["added"] + counts["removed"] > 0
    assert counts["added"] + counts["removed"] < len(inferred(store)) / 2, "only what changed is written"
    updated = inferred(store)
    store.replace_graphs({}, remove=[str(Iris(SG).inferred_graph)])
    inference.refresh(store, settings)
    assert updated == inferred(store)


def test_a_second_refresh_without_changes_writes_nothing(settings):
    store = fixture_store(settings)
    first = inference.write(store, Iris(SG).inferred_graph, inference.compute(store, settings))
    assert first["added"] == first["triples"] == store.count(str(Iris(SG).inferred_graph)) > 100
    again = inference.write(store, Iris(SG).inferred_graph, inference.compute(store, settings))
    assert (again["added"], again["removed"]) == (0, 0), "the bulk-loaded graph reads back line for line"


def test_refresh_leaves_asserted_graphs_alone(settings):
    store = fixture_store(settings)
    graphs = {g: store.count(g) for g in store.named_graphs()}
    inference.refresh(store, settings)
    inferred_graph = str(Iris(SG).inferred_graph)
    assert {g: store.count(g) for g in store.named_graphs() if g != inferred_graph} == graphs


# ---- the rules and the reference --------------------------------------------------------------------
def test_every_synergy_axiom_has_a_rule(settings):
    ontology = ontology_graph(settings)
    ruleset = rules.compile_rules(ontology)
    covered = ruleset.covered_axioms()
    synergy = set(ontology.transitive_subjects(RDFS.subPropertyOf, OB.verwandtDurchSynergie))
    assert {OB.teiltLeitzielMit, OB.teiltThemenfeldMit, OB.teiltRaumMit, OB.synergieMit} <= synergy
    for prop in synergy | {OB.betrifftRaum}:
        for axiom in ontology.predicate_objects(prop):
            if axiom[0] in (OWL.propertyChainAxiom, RDFS.subPropertyOf, OWL.inverseOf):
                assert any(c[0] == str(prop) and c[1] == str(axiom[0]) for c in covered), (prop, axiom)
        if (prop, RDF.type, OWL.SymmetricProperty) in ontology:
            assert (str(prop), str(RDF.type), str(OWL.SymmetricProperty)) in covered
    # Only equality (functional properties) is left out, on purpose.
    assert {u.axiom[2] for u in ruleset.unsupported} <= {str(OWL.FunctionalProperty)}


def test_each_derived_relation_is_explained_by_the_property_its_chain_shares(settings):
    ontology = ontology_graph(settings)
    assert explain.shared_property(ontology, OB.teiltLeitzielMit) == OB.leitziel
    assert explain.shared_property(ontology, OB.teiltThemenfeldMit) == OB.themenfeld
    assert explain.shared_property(ontology, OB.teiltRaumMit) == OB.betrifftRaum
    assert explain.shared_property(ontology, OB.synergieMit) is None


def test_strata_run_dependencies_first(settings):
    order = [r.head for members, _ in rules.strata(rules.compile_rules(ontology_graph(settings)).rules)
             for r in members]
    assert order.index(str(OB.themenfeldVon)) < order.index(str(OB.teiltThemenfeldMit))
    assert order.index(str(OB.umfasst)) < order.index(str(OB.betrifftRaum)) < order.index(str(OB.teiltRaumMit))
    assert order.index(str(OB.teiltRaumMit)) < order.index(str(OB.verwandtDurchSynergie))


def test_node_iris_follow_the_agreed_scheme(store):
    iris = Iris(SG)
    assert explain.node_iri(iris, str(IHK), str(FEK), "raum") == URIRef(f"{SG}synergie/fek--ihk--raum")
    nodes = {s for s, p, o in inferred(store) if p == RDF.type and o == OB.Synergiebegruendung}
    assert explain.node_iri(iris, str(MOB), str(SPORT), "themenfeld") in nodes
    # Several cities in one store (synthetic data): equal slugs of different cities get different nodes.
    a, b = f"{SG}stadt-0001/konzept/x", f"{SG}stadt-0001/konzept/y"
    assert explain.node_iri(iris, a, b, "leitziel") == URIRef(f"{SG}stadt-0001/synergie/x--y--leitziel")


def test_strength_is_jaccard_as_decimal():
    assert explain.strength(1, 3) == "0.333"
    assert explain.strength(2, 2) == "1"
    assert explain.strength(1, 2) == "0.5"


def test_fast_path_equals_owlrl_on_the_fixture(settings):
    store = fixture_store(settings)
    ontology = inference.load_ontology(store, settings)
    fast = set(inference.compute(store, settings, ontology).derived_lines())
    reference = inference.reference_closure(_asserted(store), ontology)
    assert fast == reference
    assert f"<{FEK}> <{OB.teiltRaumMit}> <{MOB}> .\n" in reference


def _asserted(store) -> rdflib.Graph:
    g = rdflib.Graph()
    for r in store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", dataset="asserted"):
        g.add(tuple(to_rdflib(t) for t in (r["s"], r["p"], r["o"])))
    return g


# ---- the shipped data -----------------------------------------------------------------------------------
FEK_OSTERFELD = "Freiraumentwicklungskonzept Osterfeld"
IHK_OSTERFELD = URIRef(f"{SG}konzept/integriertes-handlungskonzept-ihk-osterfeld")


def test_synergies_of_fek_osterfeld_explicit_and_derived_with_reasons(built_store):
    fek = synergies.resolve_concept(built_store, FEK_OSTERFELD)
    reasons = synergies.synergies_of(built_store, fek)
    explicit = [r for r in reasons if r.rule == "explizit"]
    assert [r.other for r in explicit] == [str(IHK_OSTERFELD)]
    assert "ausdrücklich" in explicit[0].comment_de
    derived = [r for r in reasons if r.rule != "explizit"]
    assert {r.rule for r in derived} >= {"themenfeld", "raum"}
    assert any(r.other == str(IHK_OSTERFELD) and r.rule == "themenfeld" for r in derived)
    for r in derived:
        assert r.shared and r.comment_de.startswith("Beide Konzepte") and r.comment_en.startswith("Both concepts")
        assert 0 < r.strength <= 1


def test_shipped_inferred_graph_explains_every_synergy_and_holds_no_junk(built_store):
    rows = built_store.query(f"""
        SELECT ?a ?rel ?b WHERE {{
          VALUES ?rel {{ <{OB.teiltLeitzielMit}> <{OB.teiltThemenfeldMit}> <{OB.teiltRaumMit}> <{OB.synergieMit}> }}
          ?a ?rel ?b FILTER(?a != ?b)
          FILTER NOT EXISTS {{ ?n a <{OB.Synergiebegruendung}> ; <{OB.zwischen}> ?a , ?b ; <{OB.regel}> ?rel }}
        }}""")
    assert [tuple(r[k].value for k in ("a", "rel", "b")) for r in rows] == []
    triples = inferred(built_store)
    assert len(triples) > 100
    assert not [t for t in triples if t[0] == t[2] or not isinstance(t[0], URIRef) or str(t[0]).startswith(str(OB))]
    nodes = built_store.query(f"SELECT ?n (COUNT(?c) AS ?k) WHERE {{ ?n <{OB.zwischen}> ?c }} GROUP BY ?n HAVING (?k != 2)")
    assert list(nodes) == [], "every explanation is between exactly two concepts"


@pytest.mark.slow
def test_shipped_data_derives_exactly_what_owlrl_does(built_store, settings):
    ontology = inference.load_ontology(built_store, settings)
    fast = set(inference.compute(built_store, settings, ontology).derived_lines())
    reference = inference.reference_closure(_asserted(built_store), ontology)
    assert fast == reference
    synergy = [line for line in reference if f"<{OB.teiltThemenfeldMit}>" in line]
    assert synergy, "the shipped data has derived synergies"


@pytest.mark.slow
def test_small_synthetic_graph_derives_exactly_what_owlrl_does(settings):
    """A synthetic city (bench/synthetic.py) with some defective records: owlrl (pure Python) needs
    seconds for a thousand triples, hence small."""
    from bench.synthetic import iter_nquads

    data = "".join(iter_nquads(900, seed=7, defect_rate=0.3)).encode("utf-8")
    store = OxigraphStore(settings)
    store.bulk_load(data, ox.RdfFormat.N_QUADS)
    ontology = ontology_graph(settings)
    fast = set(inference.compute(store, settings, ontology).derived_lines())
    reference = inference.reference_closure(_asserted(store), ontology)
    assert fast == reference
    assert any(f"<{OB.teiltRaumMit}>" in line for line in reference)
