"""IRIs: readable slugs from German names, deterministic minting under one base, record graphs."""
from __future__ import annotations

import pytest

from graph.iris import Iris, slugify

BASE = "https://example.org/sg/"


@pytest.mark.parametrize("text, slug", [
    ("Grünstrukturenentwicklungskonzept Oberhausen City", "gruenstrukturenentwicklungskonzept-oberhausen-city"),
    ("Straße", "strasse"),
    ("Ärger über Öl", "aerger-ueber-oel"),
    ("Mobilität", "mobilitaet"),
    ('Endbericht "Themenjahr Wohnen"', "endbericht-themenjahr-wohnen"),
    ("Endbericht „Themenjahr Wohnen“", "endbericht-themenjahr-wohnen"),
    ("Integriertes Handlungskonzept (IHK) Brückenschlag", "integriertes-handlungskonzept-ihk-brueckenschlag"),
    ("Stadtstruktur & Stadtgestalt", "stadtstruktur-stadtgestalt"),
    ("Oberhausen-Mitte/Styrum", "oberhausen-mitte-styrum"),
    ("B/16/5505-01", "b-16-5505-01"),
    ("  Café  Crème ", "cafe-creme"),
])
def test_slugs_are_readable_ascii(text, slug):
    assert slugify(text) == slug


def test_slug_of_nothing_is_still_an_iri_segment():
    assert slugify("") == "unbenannt"
    assert slugify("„“ & ()") == "unbenannt"


def test_spellings_that_differ_only_in_punctuation_share_an_iri():
    iris = Iris(BASE)
    assert iris.themenfeld("Stadtstruktur & Stadtgestalt") == iris.themenfeld("Stadtstruktur  &  Stadtgestalt")


def test_minting_is_deterministic_across_instances():
    a, b = Iris(BASE), Iris(BASE)
    title = "Sportpolitisches Handlungskonzept \"Bewegung ist Bildung\""
    assert a.konzept(title) == b.konzept(title)
    assert str(a.konzept(title)) == BASE + "konzept/sportpolitisches-handlungskonzept-bewegung-ist-bildung"


def test_entity_kinds_have_their_own_paths():
    iris = Iris(BASE)
    assert str(iris.leitziel("Mobilität", "Förderung des Umweltverbunds")) == (
        BASE + "leitziel/mobilitaet/foerderung-des-umweltverbunds")
    assert str(iris.einheit("Bereich", "2-6", "Kommunales Integrationszentrum")) == BASE + "organisation/bereich-2-6"
    assert str(iris.einheit("Bereich", None, "Umwelt")) == BASE + "organisation/bereich-umwelt"
    assert str(iris.raum("sozialraum", "Alstaden/Lirich")) == BASE + "raum/sozialraum/alstaden-lirich"
    assert str(iris.vorlage("B/16/5505-01")) == BASE + "vorlage/b-16-5505-01"
    assert iris.konzept("Wohnen") != iris.themenfeld("Wohnen")


def test_record_graph_mirrors_the_entity_path():
    iris = Iris(BASE)
    entity = iris.vorlage("B/17/3465-01")
    assert str(iris.record_graph(entity)) == BASE + "graph/vorlage/b-17-3465-01"
    with pytest.raises(ValueError):
        iris.record_graph("https://elsewhere.example/konzept/x")


def test_special_graphs_are_not_minted_entities():
    iris = Iris(BASE)
    for g in (iris.inferred_graph, iris.provenance_graph, iris.ontology_graph, iris.source_graph("a.ttl")):
        assert str(g).startswith(BASE + "graph/")
        assert not iris.is_minted(str(g))
    assert iris.is_minted(str(iris.konzept("Klimaanpassungskonzept")))
    assert len({iris.inferred_graph, iris.provenance_graph, iris.ontology_graph}) == 3


def test_base_is_configurable():
    assert str(Iris("https://daten.example/x#").konzept("A")) == "https://daten.example/x#konzept/a"
