"""/suche, /api/suche and /opensearch.xml over the shipped data: snippets, facets that narrow, paging,
"Meinten Sie", problems as problem+json, the OpenSearch description linked from every page."""
from __future__ import annotations

import time

from graph.search import index_for

HTML = {"Accept": "text/html"}


def test_the_api_answers_results_facets_and_marked_snippets(client):
    body = client.get("/api/suche?q=Einzelhandel").get_json()
    assert body["total"] >= 2 and body["results"][0]["iri"].endswith("/konzept/einzelhandelskonzept")
    assert "<mark>" in body["results"][0]["title_html"] + body["results"][0]["snippet_html"]
    kinds = {f["value"]: f["count"] for f in body["facets"]["art"]}
    narrowed = client.get("/api/suche?q=Einzelhandel&art=Vorlage").get_json()
    assert narrowed["total"] == kinds["Vorlage"] and {r["kind"] for r in narrowed["results"]} == {"Vorlage"}


def test_a_syntax_error_is_a_problem_naming_it(client):
    r = client.get('/api/suche?q="Neue Mitte')
    assert r.status_code == 400 and r.mimetype == "application/problem+json"
    problem = r.get_json()
    assert problem["type"].endswith("/search-syntax") and "Anführungszeichen" in problem["detail"]
    assert problem["position"] == 1


def test_bad_parameters_are_bad_requests(client):
    for query in ("q=Wohnen&seite=0", "q=Wohnen&seite=x", "q=Wohnen&pro_seite=1000", "q=Wohnen&von=20",
                  "q=" + "a" * 201):
        r = client.get("/api/suche?" + query)
        assert r.status_code == 400, query


def test_a_search_is_stopped_at_its_time_limit(client, settings, built_store):
    index = index_for(settings, built_store)
    index.timeout, old = 0.000001, index.timeout
    try:
        started = time.monotonic()
        r = client.get("/api/suche?q=Oberhausen OR Stadt OR Konzept OR Quartier OR Sozialraum")
        assert r.status_code == 503 and r.get_json()["type"].endswith("/query-timeout")
        assert time.monotonic() - started < 1
    finally:
        index.timeout = old


def test_the_page_shows_snippets_facets_and_pages(client):
    html = client.get("/suche?q=Oberhausen&pro_seite=5", headers=HTML).text
    assert '<ol class="results" start="1">' in html and "<mark>Oberhausen</mark>" in html
    assert 'data-facet="art"' in html and 'data-facet="themenfeld"' in html
    assert 'rel="next" href="/suche?q=Oberhausen&amp;pro_seite=5&amp;seite=2"' in html
    second = client.get("/suche?q=Oberhausen&pro_seite=5&seite=2", headers=HTML).text
    assert '<ol class="results" start="6">' in second and 'rel="prev"' in second


def test_the_page_says_did_you_mean(client):
    html = client.get("/suche?q=Quartir", headers=HTML).text
    assert 'id="corrected"' in html and "Keine Treffer für „Quartir“" in html and "Quartier" in html
    none = client.get("/suche?q=Xyzzyplox", headers=HTML).text
    assert "Keine Treffer." in none and 'id="did-you-mean"' not in none


def test_every_page_links_the_opensearch_description(client):
    assert 'rel="search" type="application/opensearchdescription+xml"' in client.get("/", headers=HTML).text
    r = client.get("/opensearch.xml")
    assert r.mimetype == "application/opensearchdescription+xml"
    assert "/suche?q={searchTerms}" in r.text and "<ShortName>stadtgraph Oberhausen</ShortName>" in r.text


def test_the_api_is_in_the_openapi_description(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    params = {p["name"] for p in paths["/api/suche"]["get"]["parameters"]}
    assert {"q", "art", "themenfeld", "sozialraum", "jahr", "einheit", "von", "bis", "seite"} <= params


PROLOGUE = "PREFIX ob: <https://daten.oberhausen.de/stadtgraph/ontology#>\n"


def test_sparql_joins_full_text_with_graph_patterns(client):
    query = PROLOGUE + """SELECT ?k WHERE {
      ?k ob:volltext "Einzelhandel" .
      ?k a ob:Konzept .
    }"""
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    found = {b["k"]["value"] for b in r.get_json()["results"]["bindings"]}
    assert "https://daten.oberhausen.de/stadtgraph/konzept/einzelhandelskonzept" in found
    assert not any("/vorlage/" in iri for iri in found)  # the graph pattern narrowed the search


def test_sparql_full_text_that_does_not_stand_alone_is_a_syntax_error(client):
    query = PROLOGUE + 'SELECT ?k WHERE { ?k a ob:Konzept ; ob:volltext "Wohnen" }'
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 400 and "volltext" in r.get_json()["detail"]
    bad = PROLOGUE + 'SELECT ?k WHERE { ?k ob:volltext "\\"Neue Mitte" }'
    r = client.get("/sparql", query_string={"query": bad}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 400 and r.get_json()["type"].endswith("/search-syntax")
