"""Parsing RDF that comes from outside (files, uploads) safely, with errors that name the line.

RDF/XML with a DOCTYPE is refused (entity expansion can stall the parser; external entities can read
files); JSON-LD never fetches a remote context (``@context`` or ``@import`` naming a URL); Turtle,
N-Triples, N-Quads and TriG are checked by pyoxigraph's strict parser first, because rdflib's accepts a
literal in subject position and reports some truncated documents without a line (``IndexError``).
Invalid UTF-8 names its line too; input nested too deeply is refused before parsing (:mod:`graph.nesting`). Every parse of outside RDF goes through :func:`parse_rdf`.
"""
from __future__ import annotations

import json
import re

import pyoxigraph as ox
import rdflib

from graph.errors import LoaderError, NestingTooDeep, ParseError
from graph.nesting import check_depth

MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_LINE = re.compile(r"line[ :]+(\d+)", re.IGNORECASE)
_SAX_POSITION = re.compile(r"^[^:\n]*:(\d+):(\d+):")  # "<unknown>:5:0: no element found"
STRICT_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
}
SYNTAX_NAMES = {"turtle": "Turtle", "nt": "N-Triples", "json-ld": "JSON-LD", "xml": "RDF/XML", "nquads": "N-Quads",
                "trig": "TriG"}
# Relative IRIs of an upload given without a base: never the server's working directory (rdflib's
# default, which would show a path of the server in the report).
FALLBACK_BASE = "http://localhost/upload/"


def parse_rdf(data: bytes, fmt: str, *, source: str = "", base: str | None = None) -> rdflib.Graph:
    """Parse ``data`` in rdflib format ``fmt`` into a new graph.

    :raises LoaderError: naming the source, and the line where known, if the data cannot be read
        (:class:`NestingTooDeep` if it nests deeper than :data:`graph.nesting.MAX_DEPTH`).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoaderError(f"kein gültiges UTF-8 in Zeile {line} / invalid UTF-8 at line {line}",
                          source=source, line=line, column=column) from exc
    # Before any parser: they recurse per level (rdflib's Turtle fails near 200, json near 1000).
    check_depth(text, fmt, what=SYNTAX_NAMES.get(fmt, fmt), source=source)
    if fmt == "xml" and _DOCTYPE.search(data):
        raise LoaderError("RDF/XML mit DOCTYPE/ENTITY wird nicht angenommen / DOCTYPE and entities are refused",
                          source=source)
    if fmt == "json-ld":
        _refuse_remote_context(text, source)
    base = base or FALLBACK_BASE
    if fmt in STRICT_FORMATS:
        _check_strictly(data, fmt, source, base)
    g = rdflib.Graph()
    try:
        g.parse(data=text, format=fmt, publicID=base)
    except Exception as exc:  # rdflib raises many unrelated types for bad input; we name them all
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        line, column = _position(str(exc))
        name = SYNTAX_NAMES.get(fmt, fmt)
        where, where_en = (f" in Zeile {line}", f" at line {line}") if line else ("", "")
        raise LoaderError(f"nicht lesbar als {name}{where} / not readable as {name}{where_en}: {message}", source=source,
                          line=line, column=column) from exc
    for s, p, _ in g:
        if isinstance(s, rdflib.Literal) or not isinstance(p, rdflib.URIRef):
            raise LoaderError(f"Literal als Subjekt oder Prädikat / literal in subject or predicate position: {s}",
                              source=source)
    return g


def _check_strictly(data: bytes, fmt: str, source: str, base: str) -> None:
    """Parse with pyoxigraph (strict RDF 1.1, exact positions) and drop the result.

    :raises LoaderError: with line and column of the first error.
    """
    try:
        for _ in ox.parse(data, format=STRICT_FORMATS[fmt], base_iri=base):
            pass
    except SyntaxError as exc:
        line, column, message = exc.lineno, exc.offset, str(exc)
        name = SYNTAX_NAMES.get(fmt, fmt)
        raise LoaderError(f"nicht lesbar als {name} in Zeile {line} / not readable as {name} at line {line}: "
                          f"{message}", source=source, line=line, column=column) from exc


def _position(message: str) -> tuple[int | None, int | None]:
    """Line (and column) from a parser's message: ``line 3`` or SAX's ``<unknown>:5:0:``."""
    sax = _SAX_POSITION.search(message)
    if sax:
        return int(sax.group(1)), int(sax.group(2)) + 1
    m = _LINE.search(message)
    return (int(m.group(1)), None) if m else (None, None)


def _refuse_remote_context(text: str, source: str) -> None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoaderError(f"kein gültiges JSON in Zeile {exc.lineno}, Spalte {exc.colno} / invalid JSON",
                          source=source, line=exc.lineno, column=exc.colno) from exc

    def walk(node) -> None:
        if isinstance(node, dict):
            ctx = node.get("@context")
            imported = node.get("@import")
            for c in (ctx if isinstance(ctx, list) else [ctx]) + [imported]:
                if isinstance(c, str):
                    raise LoaderError("entfernte JSON-LD-Kontexte werden nicht geladen / remote JSON-LD "
                                      f"contexts are not fetched: {c}", source=source)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)


def parse_upload(data: bytes, media_type: str, *, base: str | None = None) -> rdflib.Graph:
    """Parse an HTTP body by its media type. :raises ParseError: (HTTP 400) when it cannot be read."""
    fmt = MEDIA_TYPES.get(media_type)
    if fmt is None:
        raise ParseError(f"Medientyp {media_type} ist kein unterstütztes RDF-Format / unsupported RDF type")
    try:
        return parse_rdf(data, fmt, source="request body", base=base)
    except NestingTooDeep:
        raise
    except LoaderError as exc:
        raise ParseError(exc.detail, **{k: v for k, v in exc.extra.items() if k in ("line", "column")}) from exc
