"""Reference and council data: the shipped files load into the right records, IRIs and provenance;
derived facts are marked; malformed entries are reported by file and entry while the rest loads."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from graph.iris import Iris
from graph.namespaces import DCTERMS, OB, ORG, PROV, RDF, SCHEMA, SKOS
from graph.settings import PROJECT_ROOT
from graph.sources import names
from graph.sources.reference.loader import load_reference_file

DATA = PROJECT_ROOT / "data"
# plain IRIs: pytest probes module globals, and rdflib's closed XSD namespace warns on unknown names
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")  # what every store keeps
BASE = "https://daten.oberhausen.de/stadtgraph/"
IRIS = Iris(BASE)
FILES = {
    "organisation": DATA / "referenz" / "organisation.yaml",
    "raum": DATA / "referenz" / "raum.yaml",
    "konzepte": DATA / "referenz" / "konzepte-ausserhalb-des-wikis.yaml",
    "sozialbericht": DATA / "referenz" / "sozialbericht.yaml",
    "vorlagen": DATA / "rat" / "vorlagen.oparl.json",
}
WIKI_CONCEPT_TITLES = [  # the twelve concepts with a wiki page of their own (facts.yaml `concepts`)
    "Handlungskonzept zum Umgang mit geflohenen Menschen in Oberhausen", "Smart City Strategie",
    "Strategiepapiere für die Sozialräume", 'Endbericht "Themenjahr Wohnen"', "Klimaanpassungskonzept",
    'Sportpolitisches Handlungskonzept "Bewegung ist Bildung - Bewegte Bildung gemeinsam gestalten"',
    "Freiraumentwicklungskonzept Osterfeld", "Grünstrukturenentwicklungskonzept Oberhausen City",
    "Integriertes Handlungskonzept (IHK) Sterkrade", "Integriertes Handlungskonzept (IHK) Brückenschlag",
    "Wirtschaftsflächen in der Stadt Oberhausen (Wirtschaftsflächenkonzept)", "Mobilitätsstrategie",
]


@pytest.fixture(scope="module")
def loaded():
    out = {}
    for key, path in FILES.items():
        result = load_reference_file(path, IRIS, DATA)
        assert result.errors == [], [e.detail for e in result.errors]
        out[key] = {rec.iri: rec for rec in result.records}
    return out


def _union(records) -> rdflib.Graph:
    g = rdflib.Graph()
    for rec in records:
        g += rec.triples
    return g


def _of_type(records: dict, cls: URIRef) -> list:
    return [r for r in records.values() if (r.iri, RDF.type, cls) in r.triples]


def _derived_statement(g: rdflib.Graph, s, p, o) -> bool:
    """True when (s, p, o) is described as a statement with confidence ob:Abgeleitet."""
    return any((st, OB.konfidenz, OB.Abgeleitet) in g
               for st in set(g.subjects(RDF.subject, s)) & set(g.subjects(RDF.predicate, p))
               & set(g.subjects(RDF.object, o)))


# ---- council papers -------------------------------------------------------------------------------
def test_vorlage_b_16_5505_01_has_volfdnr_both_links_and_its_concept(loaded):
    rec = loaded["vorlagen"][IRIS.vorlage("B/16/5505-01")]
    g, v = rec.triples, rec.iri
    assert rec.graph_iri == IRIS.record_graph(v) == URIRef(BASE + "graph/vorlage/b-16-5505-01")
    assert g.value(v, OB.volfdnr) == Literal(13572, datatype=XSD_INTEGER)
    assert g.value(v, OB.allrisSeite) == URIRef("http://allris.oberhausen.de/bi/vo020.asp?VOLFDNR=13572")
    assert g.value(v, OB.ratsinfoSeite) == URIRef("http://ratsinfo.oberhausen.de/vo020?VOLFDNR=13572")
    assert g.value(v, OB.drucksache) == Literal("B/16/5505-01")
    assert str(g.value(v, DCTERMS.title)).startswith("Fortschreibung des Handlungskonzeptes")
    assert g.value(v, OB.beschliesst) == IRIS.konzept(WIKI_CONCEPT_TITLES[0])
    wiki = ("https://istek.oberhausen.de/index.php?diff=prev&oldid=1767"
            "&title=Handlungskonzept_zum_Umgang_mit_geflohenen_Menschen_in_Oberhausen")
    assert (v, PROV.wasDerivedFrom, URIRef(wiki)) in g
    assert rec.source.urls == (wiki,) and rec.source.kind == "oparl"
    assert (v, OB.konfidenz, OB.Beobachtet) in g


def test_fifteen_vorlagen_and_volfdnr_only_where_known(loaded):
    vorlagen = loaded["vorlagen"]
    assert len(_of_type(vorlagen, OB.Vorlage)) == 15
    with_volfdnr = [r.iri for r in vorlagen.values() if r.triples.value(r.iri, OB.volfdnr) is not None]
    assert with_volfdnr == [IRIS.vorlage("B/16/5505-01")]
    dated = vorlagen[IRIS.vorlage("B/17/3465-01")]
    assert dated.triples.value(dated.iri, DCTERMS.date) == Literal("2023-06-19", datatype=XSD_DATE)
    assert dated.triples.value(dated.iri, OB.gremium) == Literal("Rat")


def test_vorlagen_name_wiki_concepts_by_their_exact_page_titles(loaded):
    adopted = {o for r in loaded["vorlagen"].values() for o in r.triples.objects(r.iri, OB.beschliesst)}
    wiki = {IRIS.konzept(t) for t in WIKI_CONCEPT_TITLES}
    offwiki = set(_iris_of_type(loaded["konzepte"], OB.Konzept))
    # every adopted concept is either a wiki concept or one of the off-wiki records
    assert adopted <= wiki | offwiki
    assert IRIS.konzept("Mobilitätsstrategie") in adopted


def _iris_of_type(records: dict, cls: URIRef) -> list:
    return [r.iri for r in _of_type(records, cls)]


# ---- organisation --------------------------------------------------------------------------------
def test_seventeen_units_each_a_unit_of_the_city(loaded):
    org = loaded["organisation"]
    units = _of_type(org, ORG.OrganizationalUnit)
    assert len(units) == 17
    city = IRIS.stadt()
    assert all((u.iri, ORG.unitOf, city) in u.triples for u in units)
    assert (city, RDF.type, OB.Kommune) in org[city].triples


def test_bereich_2_6_has_its_code_and_no_invented_parent(loaded):
    rec = loaded["organisation"][IRIS.einheit("Bereich", "2-6")]
    g, u = rec.triples, rec.iri
    assert (u, RDF.type, OB.Bereich) in g
    assert g.value(u, SKOS.notation) == Literal("2-6")
    assert (u, ORG.unitOf, IRIS.stadt()) in g
    assert g.value(u, OB.wikiBezeichnung) == Literal("Bereich 2-6 / Kommunales Integrationszentrum")
    assert g.value(u, ORG.subOrganizationOf) is None
    assert any("ungeklärt" in n for n in g.objects(u, OB.hinweis) if n.language == "de")


def test_hierarchy_where_the_facts_give_it(loaded):
    org = loaded["organisation"]
    assert (IRIS.einheit("Bereich", "5-1"), ORG.subOrganizationOf, IRIS.einheit("Dezernat", "5")) \
        in org[IRIS.einheit("Bereich", "5-1")].triples
    fb = org[IRIS.einheit("Fachbereich", "3-2-10")]
    assert fb.triples.value(fb.iri, ORG.subOrganizationOf) == IRIS.einheit("Bereich", "3-2")
    legacy = org[IRIS.einheit("Bereich", None, "Umwelt")]
    assert legacy.triples.value(legacy.iri, SKOS.notation) is None


# ---- places --------------------------------------------------------------------------------------
def test_city_boroughs_and_social_areas_lie_in_the_city(loaded):
    raum = loaded["raum"]
    city = IRIS.raum("stadt", names.CITY)
    assert raum[city].triples.value(city, OB.gemeindeschluessel) == Literal("05119000")
    places = _of_type(raum, OB.Stadtbezirk) + _of_type(raum, OB.Sozialraum)
    assert {r.iri for r in places} == {IRIS.raum("stadtbezirk", n) for n in names.STADTBEZIRKE} \
        | {IRIS.raum("sozialraum", n) for n in names.SOZIALRAEUME}
    assert all((r.iri, OB.liegtIn, city) in r.triples for r in places)


def test_social_area_in_its_borough_is_marked_derived(loaded):
    for name, bezirk in names.SOZIALRAEUME.items():
        rec = loaded["raum"][IRIS.raum("sozialraum", name)]
        g, s, o = rec.triples, rec.iri, IRIS.raum("stadtbezirk", bezirk)
        assert (s, OB.liegtIn, o) in g
        assert _derived_statement(g, s, OB.liegtIn, o)
        assert not _derived_statement(g, s, OB.liegtIn, IRIS.raum("stadt", names.CITY))
        assert set(g.objects(s, OB.konfidenz)) == {OB.Sekundaer}  # the record as a whole
        assert any(n.language == "de" and "Stadtbezirk" in n for n in g.objects(s, OB.hinweis))


def test_every_sozialquartier_lies_in_exactly_one_sozialraum(loaded):
    quarters = _of_type(loaded["raum"], OB.Sozialquartier)
    assert 14 <= len(quarters) <= 27
    social_areas = {IRIS.raum("sozialraum", n) for n in names.SOZIALRAEUME}
    for rec in quarters:
        within = list(rec.triples.objects(rec.iri, OB.liegtIn))
        assert len(within) == 1 and within[0] in social_areas, rec.label
        assert _derived_statement(rec.triples, rec.iri, OB.liegtIn, within[0])
    labels = {r.label for r in quarters}
    assert "Innenstadt" in labels and "Brücktorviertel" not in labels  # no Sozialraum known for it


# ---- concepts off the wiki -----------------------------------------------------------------------
def test_ihk_osterfeld_has_the_iri_the_wiki_synergy_resolves_to(loaded):
    iri = IRIS.konzept("Integriertes Handlungskonzept (IHK) Osterfeld")
    rec = loaded["konzepte"][iri]
    assert (iri, OB.geltungsbereich, IRIS.raum("sozialraum", "Osterfeld")) in rec.triples
    assert (iri, OB.themenfeld, IRIS.themenfeld("Stadtstruktur & Stadtgestalt")) in rec.triples


def test_offwiki_concepts_do_not_duplicate_wiki_concepts(loaded):
    offwiki = set(_iris_of_type(loaded["konzepte"], OB.Konzept))
    assert len(offwiki) == 9
    assert not offwiki & {IRIS.konzept(t) for t in WIKI_CONCEPT_TITLES}


def test_council_links_agree_in_both_directions(loaded):
    papers = _union(loaded["vorlagen"].values())
    concepts = _union(loaded["konzepte"].values())
    for concept, vorlage in concepts.subject_objects(OB.beschlossenDurch):
        assert (vorlage, OB.beschliesst, concept) in papers
    for vorlage, concept in papers.subject_objects(OB.beschliesst):
        if (concept, RDF.type, OB.Konzept) in concepts:
            assert (concept, OB.beschlossenDurch, vorlage) in concepts
    istek = IRIS.konzept("Integriertes Stadtentwicklungskonzept (iSTEK)")
    assert (istek, OB.beschlossenDurch, IRIS.vorlage("B/17/3465-01")) in concepts


def test_derived_themenfeld_of_masterplan_neue_mitte_is_marked(loaded):
    rec = loaded["konzepte"][IRIS.konzept("Masterplan Neue Mitte")]
    tf = IRIS.themenfeld("Arbeit, Wirtschaft und Tourismus")
    assert _derived_statement(rec.triples, rec.iri, OB.themenfeld, tf)


# ---- social planning -----------------------------------------------------------------------------
def test_indicators_in_their_scheme_with_index_components(loaded):
    soz = loaded["sozialbericht"]
    scheme = IRIS.scheme("indikatoren")
    assert (scheme, RDF.type, SKOS.ConceptScheme) in soz[scheme].triples
    assert (IRIS.scheme("glossar"), RDF.type, SKOS.ConceptScheme) in soz[IRIS.scheme("glossar")].triples
    indicators = _of_type(soz, OB.Indikator)
    assert len(indicators) == 7
    for rec in indicators:
        g = rec.triples
        assert (rec.iri, SKOS.inScheme, scheme) in g and (rec.iri, OB.konfidenz, OB.Sekundaer) in g
        assert set(g.objects(rec.iri, OB.indexKomponente)) == {Literal("Statusindex"), Literal("Dynamikindex")}
    assert IRIS.indikator("Kinderarmut") in soz


def test_expert_dialogues_one_per_sozialraum_with_organisers(loaded):
    dialogues = _of_type(loaded["sozialbericht"], OB.Expertendialog)
    assert {d.triples.value(d.iri, SCHEMA.location) for d in dialogues} == \
        {IRIS.raum("sozialraum", n) for n in names.SOZIALRAEUME}
    dated = {d.triples.value(d.iri, SCHEMA.location): d.triples.value(d.iri, SCHEMA.startDate) for d in dialogues}
    assert dated[IRIS.raum("sozialraum", "Oberhausen-Mitte/Styrum")] == Literal("2019-10-10", datatype=XSD_DATE)
    assert sum(1 for v in dated.values() if v is not None) == 3
    d = loaded["sozialbericht"][IRIS.expertendialog("Oberhausen-Mitte/Styrum", "1")]
    g = d.triples
    assert (d.iri, SCHEMA.organizer, IRIS.einheit("Bereich", "3-2")) in g
    assert _derived_statement(g, d.iri, SCHEMA.organizer, IRIS.einheit("Bereich", "4-5"))
    assert not _derived_statement(g, d.iri, SCHEMA.organizer, IRIS.einheit("Bereich", "3-2"))
    assert Literal("Gemeinsame Einrichtung Jobcenter") in set(g.objects(d.iri, OB.mitwirkendeStelle))
    organisers = set(g.objects(d.iri, SCHEMA.organizer)) | set(g.objects(d.iri, OB.mitwirkendeStelle))
    assert len(organisers) == 10  # nine offices of the seed page plus Fachbereich 3-2-10, which runs them
    assert "Zusammen im Quartier" in g.value(d.iri, OB.programm)


def test_glossary_terms_define_and_relate_to_indicators(loaded):
    soz = loaded["sozialbericht"]
    terms = _of_type(soz, OB.Glossarbegriff)
    labels = {r.label for r in terms}
    assert {"Sozialraum", "Sozialquartier", "Statusindex", "Dynamikindex"} <= labels
    for rec in terms:
        assert any(d.language == "de" for d in rec.triples.objects(rec.iri, SKOS.definition))
        assert (rec.iri, SKOS.inScheme, IRIS.scheme("glossar")) in rec.triples
    kinderarmut = soz[IRIS.glossar("Kinderarmut")]
    assert (kinderarmut.iri, SKOS.related, IRIS.indikator("Kinderarmut")) in kinderarmut.triples


# ---- every record --------------------------------------------------------------------------------
def test_every_record_has_own_graph_sources_and_confidence(loaded):
    for records in loaded.values():
        for rec in records.values():
            g = rec.triples
            assert rec.graph_iri == IRIS.record_graph(rec.iri)
            assert rec.source.urls and set(g.objects(rec.iri, PROV.wasDerivedFrom)) == \
                {URIRef(u) for u in rec.source.urls}
            levels = set(g.objects(rec.iri, OB.konfidenz))
            assert len(levels) == 1 and levels <= {OB.Beobachtet, OB.Sekundaer, OB.Abgeleitet}
            derived_statements = set(g.subjects(RDF.subject, rec.iri))
            if OB.Abgeleitet in levels or derived_statements:
                assert any(n.language == "de" for n in g.objects(rec.iri, OB.hinweis)), rec.label
            for st in derived_statements:
                assert (st, OB.konfidenz, OB.Abgeleitet) in g


def test_loading_twice_gives_isomorphic_graphs():
    for path in FILES.values():
        first = load_reference_file(path, IRIS, DATA)
        second = load_reference_file(path, IRIS, DATA)
        assert [r.graph_iri for r in first.records] == [r.graph_iri for r in second.records]
        assert isomorphic(_union(first.records), _union(second.records))


def test_base_iri_is_configurable():
    other = Iris("https://example.org/sg/")
    result = load_reference_file(FILES["organisation"], other, DATA)
    assert all(str(r.iri).startswith("https://example.org/sg/") for r in result.records)


# ---- malformed input -----------------------------------------------------------------------------
HEAD = "format: stadtgraph-referenz/1\nquellen:\n  Q: https://example.org/quelle\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_entry_is_named_and_the_others_load(tmp_path):
    path = _write(tmp_path, "bezirke.yaml", HEAD + """
stadtbezirke:
  - name: Sterkrade
    konfidenz: sekundaer
    quellen: [Q]
  - name: Osterfeld
    konfidenz: sekundaer
    einwohner: 12
    quellen: [Q]
  - name: Holten
    konfidenz: sekundaer
    quellen: [Q]
""")
    result = load_reference_file(path, IRIS, tmp_path)
    assert [r.label for r in result.records] == ["Sterkrade"]
    assert len(result.errors) == 2
    first, second = result.errors
    assert first.source == "bezirke.yaml" and first.page == "stadtbezirke[2] Osterfeld"
    assert "einwohner" in first.detail
    assert second.page == "stadtbezirke[3] Holten" and "kanonisch" in second.detail


def test_derived_needs_a_statement_and_inferred_needs_a_note(tmp_path):
    path = _write(tmp_path, "q.yaml", HEAD + """
sozialquartiere:
  - name: A
    sozialraum: Osterfeld
    konfidenz: sekundaer
    quellen: [Q]
    abgeleitet:
      sozialrum: Tippfehler im Feldnamen
  - name: B
    sozialraum: Osterfeld
    konfidenz: abgeleitet
    quellen: [Q]
  - name: C
    sozialraum: Osterfeld
    konfidenz: sekundaer
    quellen: [R]
""")
    result = load_reference_file(path, IRIS, tmp_path)
    assert result.records == []
    details = [e.detail for e in result.errors]
    assert "sozialrum" in details[0] and "hinweis" in details[1] and "Quellentabelle" in details[2]


def test_unreadable_yaml_names_the_line_and_aliases_are_refused(tmp_path):
    broken = _write(tmp_path, "kaputt.yaml", HEAD + "stadtbezirke: [\n")
    (error,) = load_reference_file(broken, IRIS, tmp_path).errors
    assert error.source == "kaputt.yaml" and "Zeile" in error.detail
    bomb = _write(tmp_path, "alias.yaml", HEAD + "a: &x [1, 2]\nb: [*x, *x]\n")
    (error,) = load_reference_file(bomb, IRIS, tmp_path).errors
    assert "Alias" in error.detail
    unknown = _write(tmp_path, "fremd.yaml", "server: {port: 80}\n")
    (error,) = load_reference_file(unknown, IRIS, tmp_path).errors
    assert "format" in error.detail


def _paper(reference: str, **extra) -> dict:
    return {"id": f"https://example.org/paper/{reference}", "type": "https://schema.oparl.org/1.1/Paper",
            "name": "Titel", "reference": reference, "stadtgraph:konfidenz": "sekundaer",
            "stadtgraph:quellen": ["https://example.org/q"], **extra}


def test_malformed_paper_is_named_and_the_others_load(tmp_path):
    papers = [
        _paper("B/17/1000-01", **{"vendor:egal": 1}),
        _paper("B/17/nummer"),
        _paper("B/17/1001", web="http://ratsinfo.oberhausen.de/vo020?VOLFDNR=5", **{"stadtgraph:volfdnr": 6}),
        _paper("B/17/1002", deleted=True),
    ]
    path = _write(tmp_path, "rat.oparl.json", json.dumps({"data": papers}))
    result = load_reference_file(path, IRIS, tmp_path)
    assert [r.iri for r in result.records] == [IRIS.vorlage("B/17/1000-01")]
    assert [(e.source, e.page) for e in result.errors] == [
        ("rat.oparl.json", "data[2] B/17/nummer"), ("rat.oparl.json", "data[3] B/17/1001")]
    assert "VOLFDNR" in result.errors[1].detail
