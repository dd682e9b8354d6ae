"""The Service Description on a bare GET: true about formats (each one it names is served), features,
the union default graph and the entailment of the named graphs; YASGUI for a browser instead."""
from __future__ import annotations

import pytest
import rdflib
from rdflib import Namespace, URIRef
from rdflib.namespace import RDF

from graph.query.service_description import FORMAT_IRIS

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ENT = Namespace("http://www.w3.org/ns/entailment/")
INFERRED = URIRef("https://daten.oberhausen.de/stadtgraph/graph/abgeleitet")
MEDIA_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
               "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
               "ntriples": "application/n-triples", "jsonld": "application/ld+json",
               "rdfxml": "application/rdf+xml"}


@pytest.fixture(scope="module")
def description(live_server) -> rdflib.Graph:
    r = live_server.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    return rdflib.Graph().parse(data=r.text, format="turtle")


def test_describes_this_endpoint_as_sparql_11_query_only(description, live_server):
    service = URIRef(live_server.sparql)
    assert (service, RDF.type, SD.Service) in description
    assert (service, SD.endpoint, service) in description
    languages = set(description.objects(service, SD.supportedLanguage))
    assert languages == {SD.SPARQL11Query}
    features = set(description.objects(service, SD.feature))
    assert SD.UnionDefaultGraph in features and SD.BasicFederatedQuery not in features


def test_every_named_result_format_is_served(description, live_server):
    named = set(description.objects(URIRef(live_server.sparql), SD.resultFormat))
    assert named == set(FORMAT_IRIS.values())
    by_iri = {iri: name for name, iri in FORMAT_IRIS.items()}
    for iri in named:
        media_type = MEDIA_TYPES[by_iri[iri]]
        graph_format = by_iri[iri] in ("turtle", "ntriples", "jsonld", "rdfxml")
        query = "CONSTRUCT WHERE { ?s a ?t } LIMIT 1" if graph_format else "SELECT ?s WHERE { ?s a ?t } LIMIT 1"
        r = live_server.get("/sparql", params={"query": query}, headers={"Accept": media_type})
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(media_type), iri


def test_inferred_graph_and_its_entailment_are_described(description, live_server):
    dataset = description.value(URIRef(live_server.sparql), SD.defaultDataset)
    graphs = {description.value(node, SD.name): node for node in description.objects(dataset, SD.namedGraph)}
    inferred = graphs[INFERRED]
    assert (inferred, SD.entailmentRegime, ENT["OWL-RDF-Based"]) in description
    asserted = [node for name, node in graphs.items() if name != INFERRED]
    assert asserted and all((n, SD.entailmentRegime, ENT.Simple) in description for n in asserted)
    # The sizes are those the endpoint itself reports.
    count = live_server.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} }}"})
    expected = int(count.json()["results"]["bindings"][0]["n"]["value"])
    assert int(description.value(description.value(inferred, SD.graph), rdflib.VOID.triples)) == expected > 0


@pytest.mark.parametrize("accept,media_type", [("*/*", "text/turtle"), ("application/rdf+xml", "application/rdf+xml"),
                                               ("application/ld+json", "application/ld+json")])
def test_description_by_content_negotiation(live_server, accept, media_type):
    r = live_server.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(media_type)


def test_a_browser_gets_the_query_ui(live_server):
    r = live_server.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert 'id="yasgui"' in r.text and "/static/vendor/yasgui/yasgui.min.js" in r.text
    assert "cdn" not in r.text.lower() and "unpkg" not in r.text.lower()
    assert live_server.get("/static/vendor/yasgui/yasgui.min.js").status_code == 200
