"""The tokenizer that refuses updates and SERVICE before any engine sees a query, however it is written."""
from __future__ import annotations

import pytest

from graph.errors import QueryRefused
from graph.querytext import check_public, inspect, syntax_error


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "select * where { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * { ?s ?p ?o . SeRvIcE <http://x/> {} }",
    "SELECT * {\n# a comment\n  ?s ?p 'x' .\n  SERVICE ?endpoint { ?a ?b ?c } }",
    "SELECT * { FILTER(?a<?b)SERVICE<http://x/>{} }",
    'SELECT * { ?s ?p """a "quoted" part""" . SERVICE <http://x/> {} }',
    "PREFIX s: <http://x/> SELECT * { SERVICE s:e { ?s ?p ?o } }",
])
def test_service_is_refused_wherever_it_stands(query):
    with pytest.raises(QueryRefused) as err:
        check_public(query)
    assert "SERVICE" in err.value.detail
    assert err.value.extra["line"] >= 1 and err.value.extra["column"] >= 1


@pytest.mark.parametrize("query", [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "PREFIX ex: <http://e/> DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "load silent <http://x/> into graph <http://g/>",
    "CLEAR ALL", "DROP GRAPH <http://g/>", "CREATE GRAPH <http://g/>",
    "WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "SELECT * {} ; LOAD <http://x/>",
])
def test_updates_are_refused(query):
    with pytest.raises(QueryRefused) as err:
        check_public(query)
    assert "read-only" in err.value.detail


@pytest.mark.parametrize("query", [
    'SELECT * { ?s ?p "SERVICE LOAD INSERT" }',
    "SELECT * { ?s ?p ?o } # SERVICE <http://x/>",
    "PREFIX ex: <http://e/> SELECT ?service { ?service ex:SERVICE ?load }",
    "SELECT * { ?s <http://e/SERVICE> ?o }",
    "SELECT * { ?s ?p 'it''s' }",
])
def test_the_words_inside_strings_iris_names_and_comments_are_harmless(query):
    assert check_public(query).form == "SELECT"


def test_dataset_clause_is_read_with_prefixes_and_base():
    info = inspect("BASE <http://b/x/>\nPREFIX g: <http://g/>\n"
                   "CONSTRUCT { ?s ?p ?o } FROM g:a\\-1 FROM <rel> FROM NAMED <http://g/n> WHERE { ?s ?p ?o }")
    assert info.form == "CONSTRUCT" and info.returns_graph
    assert info.from_graphs == ["http://g/a-1", "http://b/x/rel"]
    assert info.from_named == ["http://g/n"]


def test_syntax_error_names_line_and_column():
    err = syntax_error("error at 3:14: expected one of ABS, AVG")
    assert (err.extra["line"], err.extra["column"]) == (3, 14)
    assert "Zeile 3, Spalte 14" in err.detail and "line 3, column 14" in err.detail
