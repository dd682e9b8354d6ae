"""Deeply nested input (issue 20.4): every parser the service calls is bounded by a depth scan before it
runs, so a query, an upload or a source file nested thousands of levels deep is a 400 problem+json naming
the limit, never a crashed query process or an "unexpected error", and the next request works."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.errors import NestingTooDeep
from graph.iris import Iris
from graph.loaders import load_paths
from graph.nesting import MAX_DEPTH, check_depth, deepest
from tests.graph_store_data import AUTH, BASE
from tests.test_graph_store import writable  # noqa: F401

N = 10_000
ASK = "ASK { ?s ?p ?o }"


def _turtle_bnodes(n: int) -> str:
    return "<http://example.org/s> <http://example.org/p> " + "[ <http://example.org/p> " * n + "1" + " ]" * n + " ."


def _turtle_collection(n: int) -> str:
    return "<http://example.org/s> <http://example.org/p> " + "( " * n + "1" + " )" * n + " ."


def _jsonld(n: int) -> str:
    return ('{"@id": "http://example.org/s", "http://example.org/p": ' + '{"http://example.org/p": ' * n + '1'
            + "}" * n + "}")


def _rdfxml(n: int) -> str:
    return ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
            '<rdf:Description rdf:about="http://example.org/s">' + "<ex:p><rdf:Description>" * n
            + "</rdf:Description></ex:p>" * n + "</rdf:Description></rdf:RDF>")


def _trig(n: int) -> str:
    return "<http://example.org/g> { " + _turtle_bnodes(n) + " }"


def _nquads(n: int) -> str:  # RDF-star quoted triples inside quoted triples
    return ("<http://example.org/s> <http://example.org/p> " + "<< <http://example.org/s> <http://example.org/p> " * n
            + "<http://example.org/o>" + " >>" * n + " <http://example.org/g> .")


UPLOADS = {
    "turtle-blank-nodes": ("text/turtle", _turtle_bnodes),
    "turtle-collections": ("text/turtle", _turtle_collection),
    "json-ld": ("application/ld+json", _jsonld),
    "rdf-xml": ("application/rdf+xml", _rdfxml),
    "trig": ("application/trig", _trig),
    "n-quads": ("application/n-quads", _nquads),
}


def _is_nesting_problem(response, limit: int = MAX_DEPTH) -> dict:
    assert response.status_code == 400, response.text[:500]
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["type"].endswith("/nesting-too-deep")
    assert problem["limit"] == limit and str(limit) in problem["detail"]
    return problem


@pytest.mark.parametrize("query", [
    "SELECT * WHERE " + "{ " * N + "?s ?p ?o" + " }" * N,
    "SELECT * WHERE { ?s ?p ?o FILTER" + "(" * N + "true" + ")" * N + " }",
    "SELECT * WHERE { ?s ?p " + "[ a " * N + "?o" + " ]" * N + " }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<" + "(" * N + "1" + ")" * N + ">?s) }",  # "<" as less-than, not IRI
])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_deeply_nested_query_is_refused_and_the_endpoint_keeps_working(client, query, method):
    if method == "GET":
        r = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    else:
        r = client.post("/sparql", data=query.encode(), content_type="application/sparql-query")
    problem = _is_nesting_problem(r)
    assert problem["line"] == 1 and problem["column"] > 1
    after = client.get("/sparql", query_string={"query": ASK}, headers={"Accept": "application/sparql-results+json"})
    assert after.status_code == 200 and after.get_json()["boolean"] is True


def test_a_query_nested_within_the_limit_runs(client):
    query = "SELECT * WHERE " + "{ " * 40 + "?s ?p ?o" + " }" * 40 + " LIMIT 1"
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and len(r.get_json()["results"]["bindings"]) == 1


@pytest.mark.parametrize("kind", sorted(UPLOADS))
def test_validate_refuses_deeply_nested_rdf(client, kind):
    media_type, make = UPLOADS[kind]
    limit = 2 * MAX_DEPTH if kind == "rdf-xml" else MAX_DEPTH  # a level of RDF/XML is two elements
    _is_nesting_problem(client.post("/validate", data=make(N).encode(), content_type=media_type), limit)
    assert client.post("/validate", data=_turtle_bnodes(3).encode(), content_type="text/turtle").status_code == 200


def test_validate_reads_rdf_nested_within_the_limit(client):
    for body in (_turtle_bnodes(40), _turtle_collection(40), _jsonld(40), _rdfxml(40)):
        media_type = ("application/ld+json" if body.startswith("{") else
                      "application/rdf+xml" if body.startswith("<rdf:") else "text/turtle")
        assert client.post("/validate", data=body.encode(), content_type=media_type).status_code == 200, body[:40]


def test_validate_refuses_templates_nested_in_templates(client):
    wikitext = "{{Konzeption|Art=Konzept|Beschreibung=" + "{{Vorlage|" * N + "x" + "}}" * N + "}}"
    r = client.post("/validate", query_string={"title": "Tiefes Konzept"}, data=wikitext.encode(),
                    content_type="text/x-wiki")
    _is_nesting_problem(r)


@pytest.mark.parametrize("kind", ["turtle-blank-nodes", "turtle-collections", "json-ld", "rdf-xml"])
def test_the_graph_store_refuses_deeply_nested_rdf_and_writes_nothing(writable, kind):  # noqa: F811
    client, store, _ = writable
    media_type, make = UPLOADS[kind]
    graph = BASE + "graph/konzept/tief"
    r = client.put(f"/graph-store?graph={graph}", data=make(N).encode(), headers={"Content-Type": media_type, **AUTH})
    _is_nesting_problem(r, 2 * MAX_DEPTH if kind == "rdf-xml" else MAX_DEPTH)
    assert not store.has_graph(graph)
    assert client.get("/graph-store", query_string={"graph": BASE + "graph/konzept/einzelhandelskonzept"}).status_code == 200


def test_source_files_nested_too_deeply_are_loader_errors_not_crashes(tmp_path: Path):
    (tmp_path / "tief.ttl").write_text(_turtle_bnodes(N), encoding="utf-8")
    (tmp_path / "tief.jsonld").write_text(_jsonld(N), encoding="utf-8")
    (tmp_path / "tief.oparl.json").write_text('{"data": ' + "[" * N + "]" * N + "}", encoding="utf-8")
    (tmp_path / "Tief.wiki").write_text("{{Konzeption|Art=" + "{{a|" * N + "}}" * N + "}}", encoding="utf-8")
    (tmp_path / "tief-fluss.yaml").write_text("format: stadtgraph-referenz/1\nraum: " + "[" * N + "]" * N, "utf-8")
    (tmp_path / "tief-block.yaml").write_text("".join("  " * i + "k:\n" for i in range(3000)), encoding="utf-8")
    result = load_paths([tmp_path], Iris(BASE))
    assert len(result.errors) == 6, [str(e) for e in result.errors]
    assert all(isinstance(e, NestingTooDeep) and f"{MAX_DEPTH}" in str(e) for e in result.errors)


def test_the_scan_counts_brackets_only_outside_strings_iris_and_comments():
    assert deepest('"[[[[" <http://x/[[> # [[[[\n[ ]', "turtle") == 1
    assert deepest('{"a": "{{{{"}', "json") == 1
    assert deepest("<a><!-- <b><c> --><![CDATA[<d><e>]]><f/></a>", "xml") == 1
    assert deepest("{{a|{{b}}}} [[x]] <!-- {{{{ -->", "wiki") == 2
    assert check_depth("{" * MAX_DEPTH + "}" * MAX_DEPTH, "json") == MAX_DEPTH
    with pytest.raises(NestingTooDeep) as caught:
        check_depth("{\n" + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}", "json", what="JSON")
    assert caught.value.status == 400 and caught.value.extra["line"] == 2
    assert json.loads(json.dumps(caught.value.problem()))["limit"] == MAX_DEPTH


def test_the_live_server_refuses_a_deep_query_and_its_runners_keep_answering(live_server):
    deep = "SELECT * WHERE " + "{ " * N + "?s ?p ?o" + " }" * N
    for _ in range(3):  # more times than a worker has runners: none of them was harmed
        r = live_server.post("/sparql", data=deep.encode(), headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 400 and r.json()["limit"] == MAX_DEPTH
    r = live_server.post("/sparql", data={"query": ASK}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    assert "Traceback" not in live_server.log()
