"""Dereferenceable IRIs: content negotiation, alternates, 404s, escaping, the concept page, any base."""
from __future__ import annotations

import json
import re

import pytest
import rdflib
from rdflib.compare import isomorphic

from graph.settings import DEFAULT_BASE
from tests.fixtures.publishing import (
    CONCEPT,
    HOSTILE,
    PARTNER,
    make_client,
    make_settings,
    make_store,
    pub_client,  # noqa: F401
    pub_settings,
    pub_store,
)

CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CURL = "*/*"

RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}

# One page of each kind the service renders from data.
PAGES = [
    "/" + CONCEPT, "/" + PARTNER, "/konzept/boeses-konzept", "/themenfeld/boese", "/themenfeld/wohnen",
    "/leitziel/umwelt-freiraum-klima/klimaanpassung", "/raum/sozialraum/osterfeld", "/raum/stadt/oberhausen",
    "/organisation/bereich-5-1", "/vorlage/b-16-5505-01",
    "/synergie/boeses-konzept--klimaanpassungskonzept--explizit", "/graph/konzept/freiraumentwicklungskonzept-osterfeld",
    "/schema/themenfelder", "/datensatz/wissensgraph", "/datensatz/themenfeld/wohnen",
    "/ontology", "/shapes", "/catalog", "/.well-known/void",
]


@pytest.mark.parametrize("accept", [CHROME, FIREFOX, SAFARI, "text/html"])
def test_browsers_get_html(pub_client, accept):
    r = pub_client.get("/" + CONCEPT, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    assert "Freiraumentwicklungskonzept Osterfeld" in r.text


@pytest.mark.parametrize("media_type,parser", sorted(RDF_TYPES.items()))
def test_each_rdf_type_by_accept(pub_client, media_type, parser):
    r = pub_client.get("/" + CONCEPT, headers={"Accept": media_type})
    assert r.status_code == 200
    assert r.mimetype == media_type
    g = rdflib.Graph().parse(data=r.data, format=parser)
    subject = rdflib.URIRef(DEFAULT_BASE + CONCEPT)
    assert (subject, rdflib.RDF.type, rdflib.URIRef("https://daten.oberhausen.de/stadtgraph/ontology#Konzept")) in g


@pytest.mark.parametrize("param,media_type", [("turtle", "text/turtle"), ("ttl", "text/turtle"),
                                              ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
                                              ("rdfxml", "application/rdf+xml"), ("html", "text/html")])
def test_format_parameter_wins_over_accept(pub_client, param, media_type):
    r = pub_client.get(f"/{CONCEPT}?format={param}", headers={"Accept": CHROME})
    assert r.status_code == 200
    assert r.mimetype == media_type


def test_any_type_gets_turtle_for_machines(pub_client):
    for headers in ({"Accept": CURL}, {}):
        r = pub_client.get("/" + CONCEPT, headers=headers)
        assert r.status_code == 200
        assert r.mimetype == "text/turtle"


@pytest.mark.parametrize("accept", ["image/png", "application/pdf", "text/csv"])
def test_unknown_type_is_406(pub_client, accept):
    r = pub_client.get("/" + CONCEPT, headers={"Accept": accept})
    assert r.status_code == 406
    assert r.mimetype == "application/problem+json"
    assert "text/turtle" in r.get_json()["detail"]


def test_unknown_format_parameter_is_406(pub_client):
    assert pub_client.get(f"/{CONCEPT}?format=pdf").status_code == 406


@pytest.mark.parametrize("path", ["/" + CONCEPT, "/ontology", "/catalog", "/.well-known/void"])
def test_vary_and_alternate_links(pub_client, path):
    r = pub_client.get(path, headers={"Accept": "text/html"})
    assert "Accept" in r.headers["Vary"]
    link = r.headers["Link"]
    for media_type in RDF_TYPES:
        assert f'type="{media_type}"' in link
        assert re.search(rf'<link rel="alternate" type="{re.escape(media_type)}" href="[^"]+format=', r.text)
    turtle = pub_client.get(path, headers={"Accept": "text/turtle"})
    assert "Accept" in turtle.headers["Vary"] and turtle.headers["Link"] == link


def test_alternate_links_lead_to_their_format(pub_client):
    link = pub_client.get("/" + CONCEPT).headers["Link"]
    for url, media_type in re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', link):
        r = pub_client.get(url.replace("http://localhost", ""))
        assert r.status_code == 200 and r.mimetype == media_type


@pytest.mark.parametrize("path", ["/konzept/gibt-es-nicht", "/themenfeld/nichts", "/voellig/unbekannt",
                                  "/konzept/%3Cscript%3E", "/ontology/9.9.9", "/catalog?page=99"])
def test_iris_the_graph_does_not_hold_are_404(pub_client, path):
    machine = pub_client.get(path, headers={"Accept": "text/turtle"})
    assert machine.status_code == 404
    assert machine.mimetype == "application/problem+json"
    person = pub_client.get(path, headers={"Accept": CHROME})
    assert person.status_code == 404 and person.mimetype == "text/html"
    assert "<script>" not in person.text


@pytest.mark.parametrize("path", PAGES)
def test_jsonld_is_isomorphic_with_turtle(pub_client, path):
    turtle = pub_client.get(path, headers={"Accept": "text/turtle"})
    jsonld = pub_client.get(path, headers={"Accept": "application/ld+json"})
    assert turtle.status_code == jsonld.status_code == 200
    g_ttl = rdflib.Graph().parse(data=turtle.data, format="turtle")
    g_json = rdflib.Graph().parse(data=jsonld.data, format="json-ld")
    assert len(g_ttl) > 0
    assert isomorphic(g_ttl, g_json)


@pytest.mark.parametrize("path", PAGES + ["/", "/synergien", "/suche?q=script", "/suche?q=%3Cscript%3E",
                                          "/dumps", "/catalog?page=2", "/konzept/%3Cscript%3Ealert(1)%3C%2Fscript%3E"])
def test_hostile_literals_are_escaped_on_every_page(pub_client, path):
    r = pub_client.get(path, headers={"Accept": CHROME})
    assert r.mimetype == "text/html"
    assert HOSTILE not in r.text
    assert "<img src=x" not in r.text
    assert 'href="javascript:' not in r.text.lower()
    # nor any inline script of our own: the one script is a file of this service (the folding navigation)
    assert not re.search(r'<script\b(?![^>]*\bsrc="/static/)', r.text, re.I)


def test_hostile_texts_are_shown_escaped(pub_client):
    r = pub_client.get("/konzept/boeses-konzept", headers={"Accept": "text/html"})
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Böses Konzept" in r.text
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt; &amp; mehr" in r.text
    # an IRI with a scheme no browser should follow is shown, not linked
    assert "javascript:alert(1)" in r.text


def test_concept_page_shows_what_planners_ask_first(pub_client):
    page = pub_client.get("/" + CONCEPT, headers={"Accept": "text/html"}).text
    glance = page[page.index('class="glance"'):page.index("</section>", page.index('class="glance"'))]
    assert 'href="/themenfeld/umwelt-freiraum-klima">Umwelt, Freiraum, Klima</a>' in glance
    assert 'href="/leitziel/umwelt-freiraum-klima/klimaanpassung">Anpassung an den Klimawandel</a>' in glance
    assert 'href="/raum/sozialraum/osterfeld">Osterfeld</a>' in glance
    assert 'href="/organisation/bereich-5-1">Stadtplanung</a>' in glance
    assert "2019" in glance
    # the council resolution with both council information systems
    assert "B/16/5505-01" in glance
    assert 'href="https://allris.oberhausen.de/bi/vo020.asp?VOLFDNR=13572">ALLRIS</a>' in glance
    assert 'href="https://ratsinfo.oberhausen.de/vo020?VOLFDNR=13572">ratsinfo</a>' in glance
    assert "&lt;b&gt;Beschluss&lt;/b&gt;" in glance


def test_concept_page_shows_explicit_and_derived_synergies_with_reasons(pub_client):
    page = pub_client.get("/" + CONCEPT, headers={"Accept": "text/html"}).text
    explicit = page[page.index('class="synergies explicit"'):]
    explicit = explicit[:explicit.index("</ul>")]
    assert "Integriertes Handlungskonzept (IHK) Osterfeld" in explicit
    assert "Beide Konzepte gestalten die Freiräume der Osterfelder Innenstadt." in explicit
    derived = page[page.index('class="synergies derived"'):]
    derived = derived[:derived.index("</table>")]
    assert "Klimaanpassungskonzept" in derived and "teilt ein Leitziel mit" in derived
    assert "Beide Konzepte zahlen auf das Leitziel „Anpassung an den Klimawandel“ ein." in derived
    # the strength says what is shared, not a percentage of "synergy"
    assert "teilt ein Themenfeld mit" in derived and "von zusammen" in derived and "Themenfeldern gemeinsam" in derived
    assert "%" not in derived


def test_every_property_is_linked_and_inverse_links_are_shown(pub_client):
    page = pub_client.get("/themenfeld/umwelt-freiraum-klima", headers={"Accept": "text/html"}).text
    inverse = page[page.index("Verweise auf diese Ressource"):]
    assert 'href="/ontology#themenfeld"' in inverse
    for concept in ("freiraumentwicklungskonzept-osterfeld", "klimaanpassungskonzept",
                    "integriertes-handlungskonzept-ihk-osterfeld"):
        assert f'href="/konzept/{concept}"' in inverse
    for row in re.findall(r'<th scope="row">(.*?)</th>', page, re.S):
        assert "<a href=" in row  # every property name links to its definition


def test_inferred_statements_are_marked(pub_client):
    page = pub_client.get("/" + CONCEPT, headers={"Accept": "text/html"}).text
    everything = page[page.index('id="alle-angaben"'):]
    row = everything[everything.index('href="/ontology#teiltLeitzielMit"'):]
    row = row[:row.index("</tr>")]
    assert 'class="inferred"' in row
    # ob:betrifftRaum only repeats the stated Geltungsbereich here: said once, with no "abgeleitet" badge
    assert 'href="/ontology#betrifftRaum"' not in everything


def test_english_is_one_switch_away_and_remembered(pub_settings, pub_store):
    pub_client = make_client(pub_settings, pub_store)  # its own cookie jar
    english = pub_client.get(f"/{CONCEPT}?lang=en", headers={"Accept": "text/html"})
    assert 'lang="en"' in english.text and "Council resolutions" in english.text
    assert "lang=en" in english.headers["Set-Cookie"]
    again = pub_client.get("/" + CONCEPT, headers={"Accept": "text/html"})
    assert "Council resolutions" in again.text
    german = pub_client.get(f"/{CONCEPT}?lang=de", headers={"Accept": "text/html"})
    assert "Ratsbeschlüsse" in german.text


def test_provenance_is_shown(pub_client):
    page = pub_client.get("/" + CONCEPT, headers={"Accept": "text/html"}).text
    provenance = page[page.index("<h3>Herkunft</h3>"):]
    # the source as a named link with its revision; build ids and build file paths stay in the RDF
    assert "iSTEK-Wiki: Freiraumentwicklungskonzept Osterfeld (Version 1466)</a>" in provenance
    assert "wiki/Freiraumentwicklungskonzept_Osterfeld.wiki" not in provenance
    assert "erzeugt durch" not in provenance


def test_other_base_request_path_is_the_path_below_the_base(tmp_path):
    base = "http://example.org/planung/sg/"
    settings = make_settings(base, tmp_path)
    client = make_client(settings, make_store(settings))
    r = client.get("/" + CONCEPT, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert f"<{base}{CONCEPT}>" in r.text
    html = client.get("/" + CONCEPT, headers={"Accept": "text/html"}).text
    assert f"<code>{base}{CONCEPT}</code>" in html
    assert 'href="/themenfeld/umwelt-freiraum-klima"' in html  # links stay on this service
    assert client.get("/ontology", headers={"Accept": "text/turtle"}).status_code == 200
    assert client.get("/" + CONCEPT.replace("konzept/", "stadtgraph/konzept/")).status_code == 404


def test_every_minted_iri_of_the_shipped_data_dereferences(client, built_store, settings):
    rows = built_store.query(
        'SELECT DISTINCT ?s WHERE { { ?s ?p ?o } UNION { ?x ?p ?s } '
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{settings.base_iri}")) }}')
    iris = sorted(r["s"].value for r in rows)
    paths = {"/" + i[len(settings.base_iri):].split("#")[0] for i in iris}
    assert len(paths) > 50, "the shipped data should mint many IRIs"
    failed = [p for p in sorted(paths) if client.get(p, headers={"Accept": "text/turtle"}).status_code != 200]
    assert failed == []


def test_head_answers_like_get(pub_client):
    r = pub_client.head("/" + CONCEPT, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle" and "Link" in r.headers


def test_rdf_of_a_concept_holds_its_synergy_explanations(pub_client):
    r = pub_client.get("/" + CONCEPT, headers={"Accept": "application/ld+json"})
    data = json.loads(r.data)
    ids = {node["@id"] for node in data}
    assert DEFAULT_BASE + "synergie/freiraumentwicklungskonzept-osterfeld--klimaanpassungskonzept--leitziel" in ids
