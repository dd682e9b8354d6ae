"""The pages people start from: home page lists and links, search by title, the synergy picture, and the
ontology and shapes documentation."""
from __future__ import annotations

import re

import rdflib

from graph.pages import synergy_map as synergy
from graph.settings import DEFAULT_BASE
from tests.fixtures.publishing import CONCEPT, PARTNER, pub_client, pub_settings, pub_store  # noqa: F401


def section(html: str, heading: str) -> str:
    start = html.index(heading)
    return html[start:html.index("</section>", start)]


def test_home_lists_what_to_browse(pub_client):
    html = pub_client.get("/", headers={"Accept": "text/html"}).text
    themen = section(html, "<h2>Themenfelder</h2>")
    assert 'href="/themenfeld/wohnen">Wohnen</a>' in themen and "3 Konzepte" in themen
    assert 'href="/raum/sozialraum/osterfeld">Osterfeld</a>' in section(html, "<h2>Sozialräume</h2>")
    units = section(html, "<h2>Organisationseinheiten</h2>")
    assert "<code>5-1</code>" in units and 'href="/organisation/bereich-5-1"' in units
    concepts = section(html, "<h2>Konzepte</h2>")
    assert f'href="/{CONCEPT}">Freiraumentwicklungskonzept Osterfeld</a>' in concepts
    assert "(2019)" in concepts


def test_home_links_to_every_machine_access(pub_client):
    html = pub_client.get("/", headers={"Accept": "text/html"}).text
    for path in ("/sparql", "/catalog", "/.well-known/void", "/dumps", "/ontology", "/shapes", "/synergien"):
        assert f'href="{path}"' in html
    assert re.search(r"<td>Konzept</td><td>4</td>", html)  # counts per class


def test_search_by_title(pub_client):
    html = pub_client.get("/suche?q=osterFELD", headers={"Accept": "text/html"}).text
    results = html[html.index('class="results"'):]
    assert f'href="/{CONCEPT}"' in results and f'href="/{PARTNER}"' in results
    assert ('<span class="kind">Sozialraum</span> <a href="/raum/sozialraum/osterfeld"><mark>Osterfeld</mark></a>'
            in results)
    none = pub_client.get("/suche?q=Atlantis").text
    assert "Keine Treffer." in none


def test_search_text_is_a_literal_not_query_text(pub_client):
    r = pub_client.get('/suche?q=" ) } SELECT * WHERE { ?s ?p ?o', headers={"Accept": "text/html"})
    assert r.status_code == 400 and "nie geschlossen" not in r.text and "wird nicht geschlossen" in r.text
    r = pub_client.get('/suche?q=) } SELECT * WHERE { ?s ?p ?o', headers={"Accept": "text/html"})
    assert r.status_code == 200 and "Keine Treffer." in r.text


def test_network_joins_concepts_by_explicit_and_derived_synergies(pub_store):
    net = synergy.network(pub_store)
    assert len(net.nodes) == 4
    pairs = {(e.a.rsplit("/", 1)[1], e.b.rsplit("/", 1)[1]): e for e in net.edges}
    explicit = pairs[("freiraumentwicklungskonzept-osterfeld", "integriertes-handlungskonzept-ihk-osterfeld")]
    assert explicit.explicit and set(explicit.rules) == {"explizit", "themenfeld"}
    derived = pairs[("freiraumentwicklungskonzept-osterfeld", "klimaanpassungskonzept")]
    assert not derived.explicit and derived.rules == {"leitziel": 1.0}
    assert "Anpassung an den Klimawandel" in derived.reasons[0]


def test_network_filters_by_themenfeld_sozialraum_and_kind(pub_store):
    wohnen = synergy.network(pub_store, themenfeld=DEFAULT_BASE + "themenfeld/wohnen")
    assert [n.label for n in wohnen.nodes] == ["Integriertes Handlungskonzept (IHK) Osterfeld"]
    osterfeld = synergy.network(pub_store, sozialraum=DEFAULT_BASE + "raum/sozialraum/osterfeld")
    # the two Osterfeld concepts and the city-wide one, which touches every Sozialraum
    assert {n.iri.rsplit("/", 1)[1] for n in osterfeld.nodes} == {
        "freiraumentwicklungskonzept-osterfeld", "integriertes-handlungskonzept-ihk-osterfeld", "klimaanpassungskonzept"}
    only_explicit = synergy.network(pub_store, rules=("explizit",))
    assert all(e.explicit for e in only_explicit.edges) and len(only_explicit.edges) == 2


def test_synergy_picture_page(pub_client):
    html = pub_client.get("/synergien", headers={"Accept": "text/html"}).text
    svg = html[html.index("<svg id=\"synergy-network\""):html.index("</svg>", html.index('id="synergy-network"'))]
    assert svg.count("<circle") == 4
    assert f'href="/{CONCEPT}"' in svg
    assert svg.count("<line class=\"edge ") == 4 and 'class="edge explizit explicit"' in svg
    assert "Freiraumentwicklungskonzept Osterfeld – Klimaanpassungskonzept: gemeinsames Leitziel" in svg
    filtered = pub_client.get("/synergien?themenfeld=themenfeld/wohnen&regel=explizit").text
    assert filtered.count("<circle") == 1 + 3  # one concept, plus the legend's three swatches
    assert '<option value="themenfeld/wohnen" selected>' in filtered


def test_synergy_picture_ignores_unknown_filters(pub_client):
    html = pub_client.get("/synergien?themenfeld=themenfeld/atlantis&sozialraum=x").text
    assert html.count('class="node"') == 4


def test_ontology_documentation(pub_client):
    html = pub_client.get("/ontology", headers={"Accept": "text/html"}).text
    assert "Ontologie der Stadtentwicklungsplanung Oberhausen" in html
    konzept = html[html.index('id="Konzept"'):]
    konzept = konzept[:konzept.index("</section>")]
    assert "Planungskonzept der Stadt" in konzept and 'href="#themenfeld"' in konzept
    prop = html[html.index('id="teiltLeitzielMit"'):]
    assert "symmetrisch" in prop[:prop.index("</section>")]
    english = pub_client.get("/ontology?lang=en", headers={"Accept": "text/html"}).text
    assert "Ontology of the urban development planning of Oberhausen" in english
    pub_client.get("/ontology?lang=de")


def test_ontology_and_version_iri_serve_rdf(pub_client):
    for path in ("/ontology", "/ontology/0.1.0"):
        g = rdflib.Graph().parse(data=pub_client.get(path, headers={"Accept": "text/turtle"}).data, format="turtle")
        onto = rdflib.URIRef("https://daten.oberhausen.de/stadtgraph/ontology")
        assert (onto, rdflib.RDF.type, rdflib.OWL.Ontology) in g


def test_shapes_serve_rdf_and_a_readable_list(pub_client):
    g = rdflib.Graph().parse(data=pub_client.get("/shapes", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert len(g) > 0
    html = pub_client.get("/shapes", headers={"Accept": "text/html"}).text
    assert "Prüfregeln (SHACL)" in html
