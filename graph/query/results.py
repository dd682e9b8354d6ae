"""Query results written in the negotiated format, cut at the row limit, and saying so when cut.

SELECT rows are written as SPARQL JSON here (pyoxigraph cannot serialize part of a result) and turned
into XML, CSV or TSV by pyoxigraph's own writers; graphs go through :func:`graph.formats.serialize_triples`.
A cut result carries a note in the body where the format has room for one: a ``link`` in the head and a
``truncated`` member (JSON), a ``link`` and a comment (XML), a comment (Turtle, N-Triples, RDF/XML).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from graph.formats import Format, serialize_triples

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
TRUNCATED_TYPE = "https://daten.oberhausen.de/stadtgraph/problems/result-truncated"


@dataclass(frozen=True)
class Written:
    """A serialized result: ``rows`` solutions or triples (1 for ASK), ``truncated`` if cut."""

    body: bytes
    rows: int
    truncated: bool
    kind: str  # "solutions", "boolean" or "triples"


def truncation_note(limit: int) -> str:
    return (f"Ergebnis nach {limit} Zeilen gekürzt (Zeilenlimit des Endpunkts) / "
            f"result cut after {limit} rows (the endpoint's row limit)")


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (XSD_STRING, RDF_LANGSTRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    raise TypeError(f"unexpected term {term!r}")


def solutions_json(variables: list[str], rows: Iterable, truncated_at: int | None = None) -> bytes:
    """SPARQL 1.1 JSON results (https://www.w3.org/TR/sparql11-results-json/) for the given rows."""
    bindings = []
    for row in rows:
        bindings.append({v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None})
    doc: dict = {"head": {"vars": variables}}
    if truncated_at is not None:
        # Before "results": some readers (pyoxigraph's among them) refuse members after the bindings.
        doc["head"]["link"] = [TRUNCATED_TYPE]
        doc["truncated"] = {"rowLimit": truncated_at, "detail": truncation_note(truncated_at)}
    doc["results"] = {"bindings": bindings}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_solutions(solutions: ox.QuerySolutions, fmt: Format, limit: int) -> Written:
    variables = [v.value for v in solutions.variables]
    rows = [list(row) for row in islice(solutions, limit + 1)]
    truncated = len(rows) > limit
    rows = rows[:limit]
    if fmt.results == ox.QueryResultsFormat.JSON:
        body = solutions_json(variables, rows, limit if truncated else None)
    else:
        # pyoxigraph writes what it reads: plain JSON becomes XML, CSV or TSV by its own writers.
        parsed = ox.parse_query_results(solutions_json(variables, rows), format=ox.QueryResultsFormat.JSON)
        body = parsed.serialize(format=fmt.results)
        if truncated and fmt.results == ox.QueryResultsFormat.XML:
            body = _note_in_xml_head(body, limit)
    return Written(body, len(rows), truncated, "solutions")


def _note_in_xml_head(body: bytes, limit: int) -> bytes:
    link = f'<link href="{TRUNCATED_TYPE}"/>'.encode()
    comment = f"<!-- {truncation_note(limit)} -->".encode()
    if b"</head>" in body:
        return body.replace(b"</head>", link + b"</head>", 1).replace(b"<head>", comment + b"<head>", 1)
    return body.replace(b"<head/>", comment + b"<head>" + link + b"</head>", 1)


def write_boolean(result: ox.QueryBoolean, fmt: Format) -> Written:
    return Written(result.serialize(format=fmt.results), 1, False, "boolean")


def write_triples(triples: ox.QueryTriples, fmt: Format, limit: int) -> Written:
    taken = list(islice(triples, limit + 1))
    truncated = len(taken) > limit
    taken = taken[:limit]
    body = serialize_triples(taken, fmt)
    if truncated:
        note = truncation_note(limit)
        if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
            body = f"# {note}\n".encode() + body
        elif fmt.rdf == ox.RdfFormat.RDF_XML:
            head, sep, rest = body.partition(b"?>")
            body = head + sep + f"\n<!-- {note} -->".encode() + rest if sep else body
    return Written(body, len(taken), truncated, "triples")
