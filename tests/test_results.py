"""The row cap: a result longer than the limit is cut, and says so in a header and, where the format has
room, in the body; a result that fits is left alone. Live server with ``row_limit=5``."""
from __future__ import annotations

import io
import json

import pytest
import rdflib

ALL_TRIPLES = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
TRUNCATED_TYPE = "https://daten.oberhausen.de/stadtgraph/problems/result-truncated"


@pytest.fixture(scope="module")
def capped(start_live_server):
    return start_live_server(workers=1, threads=4, query_processes=2, query_timeout=1.5, row_limit=5,
                             query_queue_wait=0.3)


def get(server, query: str, fmt: str):
    r = server.get("/sparql", params={"query": query, "format": fmt})
    assert r.status_code == 200, r.text
    return r


def test_json_cut_says_so_in_header_and_body(capped):
    r = get(capped, ALL_TRIPLES, "json")
    assert r.headers["X-Result-Truncated"] == "true" and r.headers["X-Result-Limit"] == "5"
    assert r.headers["X-Result-Rows"] == "5"
    doc = r.json()
    assert len(doc["results"]["bindings"]) == 5
    assert doc["head"]["link"] == [TRUNCATED_TYPE]
    assert doc["truncated"]["rowLimit"] == 5 and "gekürzt" in doc["truncated"]["detail"]


def test_xml_cut_carries_a_link_and_a_comment(capped):
    r = get(capped, ALL_TRIPLES, "xml")
    assert r.headers["X-Result-Truncated"] == "true"
    assert r.text.count("<result>") == 5
    assert f'<link href="{TRUNCATED_TYPE}"/>' in r.text and "<!-- Ergebnis nach 5 Zeilen gekürzt" in r.text
    # Still a valid results document for an ordinary reader.
    assert len(rdflib.query.Result.parse(io.BytesIO(r.content), format="xml")) == 5


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_and_tsv_are_cut_to_the_limit(capped, fmt):
    r = get(capped, ALL_TRIPLES, fmt)
    assert r.headers["X-Result-Truncated"] == "true"
    assert len(r.text.strip().splitlines()) == 1 + 5


@pytest.mark.parametrize("fmt,parse_as", [("turtle", "turtle"), ("ntriples", "nt"), ("rdfxml", "xml"),
                                          ("jsonld", "json-ld")])
def test_graphs_are_cut_to_the_limit(capped, fmt, parse_as):
    r = get(capped, "CONSTRUCT WHERE { ?s ?p ?o }", fmt)
    assert r.headers["X-Result-Truncated"] == "true"
    assert len(rdflib.Graph().parse(data=r.content, format=parse_as)) == 5
    if fmt in ("turtle", "ntriples"):
        assert r.text.startswith("# Ergebnis nach 5 Zeilen gekürzt")


@pytest.mark.parametrize("limit,cut", [(5, False), (6, True)])
def test_only_a_longer_result_is_cut(capped, limit, cut):
    r = get(capped, f"{ALL_TRIPLES} LIMIT {limit}", "json")
    assert ("X-Result-Truncated" in r.headers) is cut
    assert ("truncated" in r.json()) is cut
    assert len(r.json()["results"]["bindings"]) == 5


def test_curated_queries_are_capped_too(capped):
    r = capped.get("/api/queries/raeume-und-sozialquartiere")
    assert r.status_code == 200
    assert r.headers["X-Result-Truncated"] == "true"
    assert len(json.loads(r.content)["results"]["bindings"]) == 5
