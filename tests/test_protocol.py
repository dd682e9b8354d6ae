"""The SPARQL 1.1 Protocol as researchers' tools meet it: SPARQLWrapper against a live gunicorn server for
every query form, method and return format; the error cases; content negotiation; CORS; the dataset."""
from __future__ import annotations

import csv
import io
import json

import pytest
import rdflib
import requests
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

OB = "https://daten.oberhausen.de/stadtgraph/ontology#"
KONZEPT = URIRef(OB + "Konzept")
PROLOGUE = f"PREFIX ob: <{OB}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
SELECT = PROLOGUE + "SELECT ?label WHERE { ob:Konzept rdfs:label ?label } ORDER BY ?label"
ASK = PROLOGUE + 'ASK { ob:Konzept rdfs:label "Konzept"@de }'
CONSTRUCT = PROLOGUE + "CONSTRUCT { ob:Konzept rdfs:label ?l } WHERE { ob:Konzept rdfs:label ?l }"
DESCRIBE = PROLOGUE + "DESCRIBE ob:Konzept"
LABELS = ["Konzept", "Planning concept"]
METHODS = {"GET": (GET, URLENCODED), "POST-form": (POST, URLENCODED), "POST-direct": (POST, POSTDIRECTLY)}


def wrapper(server, query: str, fmt: str, method: str) -> SPARQLWrapper:
    sw = SPARQLWrapper(server.sparql)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    http_method, request_method = METHODS[method]
    sw.setMethod(http_method)
    sw.setRequestMethod(request_method)
    sw.setTimeout(60)
    return sw


def labels_from(fmt: str, converted) -> list[str]:
    if fmt == JSON:
        return [b["label"]["value"] for b in converted["results"]["bindings"]]
    if fmt == XML:
        return [n.firstChild.data for n in converted.getElementsByTagName("literal")]
    text = converted.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text))) if fmt == CSV else [line.split("\t") for line in text.splitlines()]
    assert rows[0] == (["label"] if fmt == CSV else ["?label"])
    return [r[0] if fmt == CSV else rdflib.util.from_n3(r[0]).value for r in rows[1:]]


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("fmt,media_type", [(JSON, "application/sparql-results+json"),
                                            (XML, "application/sparql-results+xml"),
                                            (CSV, "text/csv"), (TSV, "text/tab-separated-values")])
def test_select_in_every_results_format_and_method(live_server, method, fmt, media_type):
    result = wrapper(live_server, SELECT, fmt, method).query()
    assert result.info()["content-type"].startswith(media_type)
    assert sorted(labels_from(fmt, result.convert())) == LABELS


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_ask_in_every_results_format_and_method(live_server, method, fmt):
    converted = wrapper(live_server, ASK, fmt, method).query().convert()
    if fmt == JSON:
        assert converted["boolean"] is True
    elif fmt == XML:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
    else:
        assert b"true" in converted


def as_graph(converted, fmt: str) -> rdflib.Graph:
    if isinstance(converted, rdflib.Graph):
        return converted
    return rdflib.Graph().parse(data=converted, format="turtle")


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("fmt,media_type", [(TURTLE, "text/turtle"), (N3, "text/turtle"),
                                            (RDFXML, "application/rdf+xml"), (XML, "application/rdf+xml"),
                                            (JSONLD, "application/ld+json")])
def test_graphs_in_every_rdf_format_and_method(live_server, query, method, fmt, media_type):
    result = wrapper(live_server, query, fmt, method).query()
    assert result.info()["content-type"].startswith(media_type)
    graph = as_graph(result.convert(), fmt)
    assert (KONZEPT, RDFS.label, Literal("Konzept", lang="de")) in graph


# ---- content negotiation ------------------------------------------------------------------------------
@pytest.mark.parametrize("accept,expected", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("*/*", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/sparql-results+xml"),
    ("text/turtle", None), ("image/png", None),
])
def test_conneg_for_results(live_server, accept, expected):
    r = live_server.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    if expected is None:
        assert r.status_code == 406
        assert r.headers["Content-Type"].startswith("application/problem+json")
    else:
        assert r.status_code == 200
        assert r.headers["Content-Type"].split(";")[0] == expected
        assert "Accept" in r.headers["Vary"]


@pytest.mark.parametrize("accept,expected", [
    ("text/turtle", "text/turtle"), ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"), ("application/json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"), ("*/*", "text/turtle"), ("", "text/turtle"),
    ("text/csv", None),
])
def test_conneg_for_graphs(live_server, accept, expected):
    r = live_server.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    if expected is None:
        assert r.status_code == 406
        return
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == expected
    fmt = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
           "application/rdf+xml": "xml"}[expected]
    assert (KONZEPT, RDFS.label, Literal("Konzept", lang="de")) in rdflib.Graph().parse(data=r.content, format=fmt)


@pytest.mark.parametrize("param", ["format", "output", "results"])
def test_format_parameter_wins_over_accept(live_server, param):
    r = live_server.get("/sparql", params={"query": SELECT, param: "csv"}, headers={"Accept": "application/json"})
    assert r.headers["Content-Type"].startswith("text/csv")
    assert r.text.splitlines()[0] == "label"


def test_format_parameter_as_sparqlwrapper_repeats_it(live_server):
    r = live_server.get("/sparql", params=[("query", CONSTRUCT), ("format", "json-ld"),
                                           ("format", "application/ld+json"), ("output", "json-ld")])
    assert r.headers["Content-Type"].startswith("application/ld+json")
    assert json.loads(r.content)


def test_unknown_format_parameter_is_not_acceptable(live_server):
    r = live_server.get("/sparql", params={"query": SELECT, "format": "png"})
    assert r.status_code == 406 and "json" in r.json()["detail"]


# ---- errors the protocol names ---------------------------------------------------------------------------
def problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["detail"]
    return body


def test_syntax_error_is_400_naming_line_and_column(live_server):
    lines = ["SELECT *", "WHERE {", "  ?s ?p ?o .", "  FILTER(?o > ) }"]
    body = problem(live_server.get("/sparql", params={"query": "\n".join(lines)}), 400)
    assert body["line"] == 4 and 1 <= body["column"] <= len(lines[3]) + 1
    assert f"Zeile 4, Spalte {body['column']}" in body["detail"]
    assert f"line 4, column {body['column']}" in body["detail"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_with_allow(live_server, method):
    r = live_server.request(method, "/sparql", data=SELECT)
    assert r.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in r.headers["Allow"].split(",")}


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json",
                                          "application/sparql-query; charset=latin-1"])
def test_post_with_missing_or_wrong_media_type_is_415(live_server, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    prepared = requests.Request("POST", live_server.sparql, data=SELECT.encode(), headers=headers).prepare()
    if content_type is None:
        prepared.headers.pop("Content-Type", None)
    problem(requests.Session().send(prepared, timeout=60), 415)


def test_two_queries_are_400(live_server):
    problem(live_server.get("/sparql", params=[("query", SELECT), ("query", ASK)]), 400)
    problem(live_server.post("/sparql", params={"query": SELECT}, data={"query": ASK}), 400)
    problem(live_server.post("/sparql?query=ASK%7B%7D", data=SELECT.encode(),
                             headers={"Content-Type": "application/sparql-query"}), 400)


def test_non_utf8_is_400(live_server):
    problem(live_server.get("/sparql?query=SELECT%20%22%FF%22%20%7B%7D"), 400)
    problem(live_server.post("/sparql", data=b'SELECT ("\xff" AS ?x) {}',
                             headers={"Content-Type": "application/sparql-query"}), 400)
    problem(live_server.post("/sparql", data=b"query=SELECT%20%22%FE%22%20%7B%7D",
                             headers={"Content-Type": "application/x-www-form-urlencoded"}), 400)


def test_post_without_query_and_unknown_dataset_are_400(live_server):
    problem(live_server.post("/sparql", data={"default-graph-uri": "http://x/"}), 400)
    problem(live_server.get("/sparql", params={"query": SELECT, "dataset": "alles"}), 400)
    problem(live_server.get("/sparql", params={"query": "  "}), 400)


@pytest.mark.parametrize("how", ["query", "update-param", "update-body"])
def test_updates_are_refused(live_server, how):
    update = "INSERT DATA { <http://a/> <http://b/> <http://c/> }"
    if how == "query":
        r = live_server.get("/sparql", params={"query": update})
    elif how == "update-param":
        r = live_server.post("/sparql", data={"update": update})
    else:
        r = live_server.post("/sparql", data=update, headers={"Content-Type": "application/sparql-update"})
    assert "read-only" in problem(r, 403)["detail"]
    assert live_server.get("/sparql", params={"query": "ASK { <http://a/> ?p ?o }"}).json()["boolean"] is False


def test_graphs_outside_the_store_are_refused(live_server):
    foreign = "http://example.org/elsewhere"
    body = problem(live_server.get("/sparql", params={"query": SELECT, "default-graph-uri": foreign}), 403)
    assert body["graphs"] == [foreign]
    problem(live_server.get("/sparql", params={"query": f"SELECT * FROM <{foreign}> {{ ?s ?p ?o }}"}), 403)
    problem(live_server.get("/sparql", params={"query": f"SELECT * FROM NAMED <{foreign}> {{ ?s ?p ?o }}"}), 403)


# ---- dataset -----------------------------------------------------------------------------------------------
INFERRED_ASK = PROLOGUE + "ASK { ?a ob:verwandtDurchSynergie ?b }"
ASSERTED_ASK = PROLOGUE + "ASK { ob:Konzept rdfs:label ?l }"


def ask(server, query: str, **params) -> bool:
    r = server.get("/sparql", params={"query": query, **params})
    assert r.status_code == 200, r.text
    return r.json()["boolean"]


def test_dataset_switch_separates_asserted_and_inferred(live_server):
    assert ask(live_server, INFERRED_ASK) and ask(live_server, ASSERTED_ASK)
    assert ask(live_server, INFERRED_ASK, dataset="inferred") and not ask(live_server, ASSERTED_ASK, dataset="inferred")
    assert not ask(live_server, INFERRED_ASK, dataset="asserted") and ask(live_server, ASSERTED_ASK, dataset="asserted")


def test_protocol_dataset_overrides_the_query(live_server):
    inferred = "https://daten.oberhausen.de/stadtgraph/graph/abgeleitet"
    ontology = "https://daten.oberhausen.de/stadtgraph/graph/ontologie"
    assert ask(live_server, INFERRED_ASK, **{"default-graph-uri": inferred})
    assert not ask(live_server, INFERRED_ASK, **{"default-graph-uri": ontology})
    from_ontology = PROLOGUE + f"ASK FROM <{ontology}> {{ ?a ob:verwandtDurchSynergie ?b }}"
    assert not ask(live_server, from_ontology)
    assert ask(live_server, from_ontology, **{"default-graph-uri": inferred})
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = live_server.get("/sparql", params={"query": named, "named-graph-uri": ontology})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [ontology]


# ---- CORS -------------------------------------------------------------------------------------------------
def test_cors_for_reads_and_errors(live_server):
    r = live_server.get("/sparql", params={"query": SELECT}, headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Result-Truncated" in r.headers["Access-Control-Expose-Headers"]
    r = live_server.get("/sparql", params={"query": "SELECT"}, headers={"Origin": "https://example.org"})
    assert r.status_code == 400 and r.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight_for_a_direct_post(live_server):
    r = live_server.request("OPTIONS", "/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "content-type" in r.headers["Access-Control-Allow-Headers"].lower()
