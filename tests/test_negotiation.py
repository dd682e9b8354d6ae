"""Content negotiation on every route that negotiates (issue 20.1): media ranges are compared by type and
subtype, so ``charset`` and a JSON-LD ``profile`` never make a match fail; q-values and wildcards count."""
from __future__ import annotations

import json

import pytest
import rdflib

from tests.fixtures.publishing import CONCEPT, pub_client, pub_settings, pub_store  # noqa: F401

TURTLE = "text/turtle; charset=utf-8"
JSONLD = 'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"'
NTRIPLES = "application/n-triples;charset=UTF-8"
RDFXML = "application/rdf+xml; charset=utf-8; q=0.9, text/turtle; charset=utf-8; q=0.1"
SPARQL_JSON = "application/sparql-results+json; charset=UTF-8"
SPARQL_XML = "application/sparql-results+xml;charset=utf-8"
ASK = "ASK { ?s ?p ?o }"

# Every route that answers RDF by negotiation, read from the shipped data or the publishing fixture.
RDF_ROUTES = [
    "/konzept/einzelhandelskonzept",  # a resource IRI
    "/ontology", "/shapes",  # vocabulary documents
    "/catalog", "/.well-known/void",
    "/sparql",  # without a query: the Service Description
    "/graph-store?graph=https://daten.oberhausen.de/stadtgraph/graph/konzept/einzelhandelskonzept",
    "/graph-store?default",
]
PARSERS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
           "application/rdf+xml": "xml"}


def _rdf(response) -> rdflib.Graph:
    media_type = response.mimetype
    return rdflib.Graph().parse(data=response.data, format=PARSERS[media_type])


@pytest.mark.parametrize("path", RDF_ROUTES)
@pytest.mark.parametrize(("accept", "media_type"), [
    (TURTLE, "text/turtle"), (JSONLD, "application/ld+json"), (NTRIPLES, "application/n-triples"),
    (RDFXML, "application/rdf+xml"),
    ("text/*; charset=utf-8", "text/turtle"),
])
def test_rdf_routes_read_accept_headers_with_parameters(client, path, accept, media_type):
    r = client.get(path, headers={"Accept": accept})
    assert r.status_code == 200, r.text[:300]
    assert r.mimetype == media_type
    assert len(_rdf(r)) > 0
    assert "Accept" in r.headers.get("Vary", "")


@pytest.mark.parametrize("path", RDF_ROUTES)
def test_rdf_routes_honour_a_refusal_with_q_zero_and_parameters(client, path):
    r = client.get(path, headers={"Accept": "text/turtle; charset=utf-8; q=0, application/n-triples; q=0.5"})
    assert r.status_code == 200 and r.mimetype == "application/n-triples"
    refused = client.get(path, headers={"Accept": "text/turtle;charset=utf-8;q=0"})
    assert refused.status_code == 406 and refused.mimetype == "application/problem+json"


def test_head_on_the_graph_store_negotiates_as_get(client):
    path = RDF_ROUTES[6]
    for accept, media_type in ((JSONLD, "application/ld+json"), (TURTLE, "text/turtle")):
        get, head = client.get(path, headers={"Accept": accept}), client.head(path, headers={"Accept": accept})
        assert head.status_code == get.status_code == 200
        assert head.mimetype == get.mimetype == media_type and head.data == b""
    assert client.head(path, headers={"Accept": "text/csv; charset=utf-8"}).status_code == 406


def test_a_page_with_parameters_on_the_publishing_fixture(pub_client):  # noqa: F811
    r = pub_client.get("/" + CONCEPT, headers={"Accept": TURTLE})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    html = pub_client.get("/" + CONCEPT, headers={"Accept": "text/html; charset=utf-8, */*; q=0.1"})
    assert html.status_code == 200 and html.mimetype == "text/html"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(("accept", "media_type"), [
    (SPARQL_JSON, "application/sparql-results+json"), (SPARQL_XML, "application/sparql-results+xml"),
    ("text/csv; charset=utf-8; header=present", "text/csv"),
    ("application/sparql-results+json;charset=UTF-8;q=0.2, application/sparql-results+xml;q=0.8",
     "application/sparql-results+xml"),
    ("application/json; charset=utf-8", "application/sparql-results+json"),
])
def test_sparql_results_read_accept_headers_with_parameters(client, method, accept, media_type):
    if method == "GET":
        r = client.get("/sparql", query_string={"query": ASK}, headers={"Accept": accept})
    else:
        r = client.post("/sparql", data={"query": ASK}, headers={"Accept": accept})
    assert r.status_code == 200, r.text[:300]
    assert r.mimetype == media_type


def test_sparql_construct_reads_rdf_accept_headers_with_parameters(client):
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSONLD})
    assert r.status_code == 200 and r.mimetype == "application/ld+json"


def test_the_query_ui_is_chosen_by_a_browser_header_with_parameters(client):
    r = client.get("/sparql", headers={"Accept": "text/html; charset=utf-8"})
    assert r.status_code == 200 and r.mimetype == "text/html"


def test_curated_queries_read_accept_headers_with_parameters(client):
    r = client.get("/api/queries/konzepte-je-themenfeld", headers={"Accept": "text/csv; charset=utf-8"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    r = client.get("/api/queries/konzepte-je-themenfeld", headers={"Accept": SPARQL_JSON})
    assert r.status_code == 200 and r.mimetype == "application/sparql-results+json"


def test_validate_reads_accept_headers_with_parameters(client):
    body = b"@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c .\n"
    r = client.post("/validate", data=body, content_type="text/turtle",
                    headers={"Accept": "text/turtle; charset=utf-8, application/json; q=0.5"})
    assert r.mimetype == "text/turtle"
    r = client.post("/validate", data=body, content_type="text/turtle",
                    headers={"Accept": "text/html; charset=utf-8"})
    assert r.mimetype == "text/html"


def test_dumps_and_errors_read_accept_headers_with_parameters(client):
    r = client.get("/dumps", headers={"Accept": "text/html; charset=utf-8"})
    assert r.mimetype == "text/html"
    missing = client.get("/konzept/gibt-es-nicht", headers={"Accept": "text/html; charset=utf-8"})
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    missing = client.get("/konzept/gibt-es-nicht", headers={"Accept": "application/json; charset=utf-8"})
    assert missing.status_code == 404 and json.loads(missing.data)["status"] == 404


def test_the_live_server_reads_parametered_headers_as_clients_send_them(live_server):
    r = live_server.get("/sparql", params={"query": ASK}, headers={"Accept": SPARQL_JSON})
    assert r.status_code == 200 and r.json()["boolean"] is True
    page = live_server.get("/konzept/einzelhandelskonzept", headers={"Accept": TURTLE})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/turtle")
    jsonld = live_server.get("/catalog", headers={"Accept": JSONLD})
    assert jsonld.status_code == 200 and jsonld.headers["Content-Type"].startswith("application/ld+json")
