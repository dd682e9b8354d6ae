"""Full-text search in German over the shipped data: the relevance set (queries as stewards type them, each
with the record that must be among the first three), the analysis, the query syntax and its errors, facets,
paging, suggestions, and the index kept in step with Graph Store writes."""
from __future__ import annotations

import pytest
import rdflib

from graph.errors import BadRequest, SearchSyntaxError
from graph.search import index_for
from graph.search.analysis import drucksache_keys, stem
from graph.search.query import MAX_ITEMS, MAX_LENGTH, parse

BASE = "https://daten.oberhausen.de/stadtgraph/"

#: (as typed, the record that must be among the first three results, what the query tests)
RELEVANCE = [
    ("Einzelhandel", "konzept/einzelhandelskonzept", "compound modifier"),
    ("Klimaanpassung", "konzept/klimaanpassungskonzept", "compound modifier, stem"),
    ("Mobilitaetsstrategie", "konzept/mobilitaetsstrategie", "umlaut spelled out"),
    ("Brueckenschlag", "konzept/integriertes-handlungskonzept-ihk-brueckenschlag", "umlaut spelled out"),
    ("B/16/5505-01", "vorlage/b-16-5505-01", "Drucksache as typed"),
    ("16550501", "vorlage/b-16-5505-01", "Drucksache without slashes"),
    ("B16550501", "vorlage/b-16-5505-01", "Drucksache without slashes, with letter"),
    ("17/3333-01", "vorlage/b-17-3333-01", "Drucksache without its letter"),
    ("geflohene Menschen", "konzept/handlungskonzept-zum-umgang-mit-geflohenen-menschen-in-oberhausen",
     "inflected forms"),
    ("Wirtschaftsfläche", "konzept/wirtschaftsflaechen-in-der-stadt-oberhausen-wirtschaftsflaechenkonzept",
     "singular for plural"),
    ("Grünstrukturen", "konzept/gruenstrukturenentwicklungskonzept-oberhausen-city", "compound modifier"),
    ('"Neue Mitte"', "konzept/masterplan-neue-mitte", "phrase"),
    ("Polyzentralitaet", "leitziel/stadtstruktur-stadtgestalt/erhalt-der-polyzentralitaet", "umlaut spelled out"),
    ("Schulentwicklung", "konzept/schulentwicklungsplanung-stadt-oberhausen-2025-2035", "compound modifier"),
    ("Integrationskonzept", "konzept/kommunales-integrationskonzept-oberhausen-kiko", "compound"),
    ("kiko", "konzept/kommunales-integrationskonzept-oberhausen-kiko", "abbreviation, lower case"),
    ("Armut", "indikator/kinderarmut", "compound head"),
    ("Sterkrade Nord", "raum/sozialraum/sterkrade-nord", "two words"),
    ("Duempten", "raum/sozialquartier/duempten", "umlaut spelled out in a name"),
    ("KÖNIGSHARDT", "raum/sozialquartier/koenigshardt", "upper case with umlaut"),
    ("Aussenentwicklung", "leitziel/stadtstruktur-stadtgestalt/innen-vor-aussenentwicklung", "ß spelled ss"),
    ("Einzelhandelskonzpet", "konzept/einzelhandelskonzept", "typo: letters swapped"),
    ("Mobilitätsstrateige", "konzept/mobilitaetsstrategie", "typo: letters swapped"),
    ("Stadterneurung", "organisation/fachbereich-5-1-30", "typo: letter missing"),
    ("Themenjahr Wohnen", "konzept/endbericht-themenjahr-wohnen", "two words"),
    ("Geschaeftsordnung", "vorlage/b-17-5203", "umlaut spelled out, Vorlage"),
    ("Bewegungsförderung in Kitas", "konzept/sportpolitisches-handlungskonzept-bewegung-ist-bildung-bewegte-bildung-"
     "gemeinsam-gestalten", "words in the body, a stop word"),
    ("Quartiere", "raum/sozialquartier/alstaden", "plural finds singular"),
]


@pytest.fixture(scope="module")
def index(settings, built_store):
    return index_for(settings, built_store)


@pytest.mark.parametrize("text, expected, why", RELEVANCE, ids=[r[0] for r in RELEVANCE])
def test_the_record_a_steward_looks_for_is_among_the_first_three(index, text, expected, why):
    found = [h.iri for h in index.search(text).hits[:3]]
    assert BASE + expected in found, (
        f"„{text}“ ({why}): {expected} nicht unter den ersten drei / not among the first three: {found}")


def test_the_relevance_set_is_large_enough():
    assert len(RELEVANCE) >= 20


def test_german_analysis_folds_case_umlauts_and_sharp_s():
    assert stem("Straße") == stem("Strasse") == stem("STRASSEN")
    assert stem("Bürger") == stem("Buerger") == stem("Bürgern")
    assert stem("Quartiere") == stem("Quartier")
    assert drucksache_keys("B/16/5505-01") == ["b16550501", "16550501"]


def test_a_compound_is_found_by_its_head(index):
    titles = [h.title for h in index.search("Konzept", page_size=50).hits]
    assert "Klimaanpassungskonzept" in titles


def test_a_phrase_needs_its_words_in_order(index):
    assert index.search('"Mitte Neue"').total < index.search("Mitte Neue").total


def test_words_are_all_required_or_joined_by_or(index):
    both = index.search("Sterkrade Einzelhandel").total
    either = index.search("Sterkrade OR Einzelhandel").total
    assert 0 < both < either


def test_an_excluded_word_removes_results(index):
    assert index.search("Sterkrade -Nord").total < index.search("Sterkrade").total
    assert all("Nord" not in h.title for h in index.search("Sterkrade -Nord", page_size=50).hits)


def test_the_title_weighs_more_than_the_body(index):
    first = index.search("Mobilitätsstrategie").hits[0]
    assert "Mobilitätsstrategie" in first.title  # the records that only mention it come after


def test_snippets_mark_the_words_found(index):
    hit = index.search("Einzelhandel").hits[0]
    marked = [piece for piece, hit_ in hit.snippet + hit.title_marked if hit_]
    assert any(stem("Einzelhandel") in stem(m) for m in marked)


@pytest.mark.parametrize("text, problem", [
    ('"Neue Mitte', "geschlossen"),
    ("OR Wohnen", "verbindet nichts"),
    ("Wohnen OR", "verbindet nichts"),
    ("-Wohnen", "schließt nur aus"),
    ('""', "Leere Wortgruppe"),
    ("x" * (MAX_LENGTH + 1), "länger"),
    (" ".join(f"w{i}" for i in range(MAX_ITEMS + 1)), "Mehr als"),
])
def test_a_search_that_cannot_be_read_names_the_problem(text, problem):
    with pytest.raises(SearchSyntaxError) as caught:
        parse(text)
    assert problem in caught.value.detail
    assert caught.value.status == 400


def test_operators_of_the_index_are_words_to_a_user(index):
    for text in ("NEAR", "AND", "NOT", "title:Wohnen", "wohn*", "(Wohnen", "{body}", "^Wohnen"):
        index.search(text)  # never an error of the index's own query language


def test_facets_count_and_narrow(index):
    everything = index.search("Oberhausen")
    kinds = dict(everything.facets["art"])
    assert kinds["Konzept"] > 0 and sum(kinds.values()) >= everything.total
    narrowed = index.search("Oberhausen", facets={"art": ["Konzept"]})
    assert narrowed.total == kinds["Konzept"]
    assert {h.kind for h in narrowed.hits} == {"Konzept"}
    assert dict(narrowed.facets["art"]) == {"Konzept": kinds["Konzept"]}


def test_facets_of_place_topic_year_and_unit(index):
    concepts = index.search("", facets={"art": ["Konzept"]})
    assert {"themenfeld", "sozialraum", "jahr", "einheit"} <= set(concepts.facets)
    wohnen = index.search("", facets={"art": ["Konzept"], "themenfeld": ["Wohnen"]})
    assert 0 < wohnen.total < concepts.total
    recent = index.search("", facets={"art": ["Konzept"]}, years=("2020", None))
    assert 0 < recent.total < concepts.total
    assert all(int(y) >= 2020 for y, _ in recent.facets["jahr"])


def test_an_unknown_facet_or_page_is_a_bad_request(index):
    with pytest.raises(BadRequest):
        index.search("Wohnen", facets={"farbe": ["rot"]})
    with pytest.raises(BadRequest):
        index.search("Wohnen", page=0)


def test_paging_shows_each_result_once(index):
    first = index.search("Oberhausen", page_size=5)
    second = index.search("Oberhausen", page=2, page_size=5)
    assert first.total > 10 and len(first.hits) == len(second.hits) == 5
    assert not {h.iri for h in first.hits} & {h.iri for h in second.hits}


def test_a_one_edit_typo_is_answered_with_did_you_mean(index):
    results = index.search("Quartir")
    assert results.suggestions == ["Quartier"]
    assert results.corrected == "Quartier" and results.total > 0
    assert index.search("Xyzzyplox").suggestions == []


@pytest.fixture
def writable(settings, tmp_path):
    """A store of its own with the shipped data, and a writer (the Graph Store's write path)."""
    from graph.pipeline.build import build
    from graph.pipeline.writes import GraphWriter
    from graph.store import open_store

    own = settings.replace(state_dir=str(tmp_path))
    store = open_store(own)
    build(own, store)
    return own, store, GraphWriter(own, store)


def test_an_edit_through_the_graph_store_is_found_at_once_and_a_deleted_record_is_not(writable):
    settings, store, writer = writable
    index = index_for(settings, store)
    graph = BASE + "graph/glossar/dynamikindex"
    subject = rdflib.URIRef(BASE + "glossar/dynamikindex")
    content = store.graph(graph)
    content.add((subject, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#scopeNote"),
                 rdflib.Literal("Auch für Hitzeschutz wohnungsloser Menschen in den Quartieren", lang="de")))
    assert index.search("Wohnungslosigkeit").total == 0
    writer.put(graph, content, token="test")
    assert [h.iri for h in index.search("Wohnungslosigkeit").hits] == [str(subject)]
    assert [h.iri for h in index.search("Hitzeschutz").hits] == [str(subject)]
    writer.delete(graph, token="test")
    assert index.search("Hitzeschutz").total == 0
    assert str(subject) not in {h.iri for h in index.search("Dynamikindex", page_size=50).hits}
    assert index.in_step(store)


def test_an_index_out_of_step_is_rebuilt_at_start(writable):
    settings, store, _ = writable
    index = index_for(settings, store)
    graph = BASE + "graph/konzept/klimaanpassungskonzept"
    store.replace_graphs({}, remove=[graph])  # behind the write path's back
    assert not index.in_step(store)
    assert index.ensure(store) is True
    assert index.in_step(store)
    assert index.search("Klimaanpassungskonzept").hits[0].kind == "Vorlage"
