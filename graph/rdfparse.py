"""Parsing RDF that comes from outside (files, uploads) safely.

RDF/XML with a DOCTYPE is refused (entity expansion can stall the parser; external entities can read
files); JSON-LD never fetches a remote context; a parse error names the line where the parser says.
"""
from __future__ import annotations

import json
import re

import rdflib

from graph.errors import LoaderError, ParseError

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


def parse_rdf(data: bytes, fmt: str, *, source: str = "", base: str | None = None) -> rdflib.Graph:
    """Parse ``data`` in rdflib format ``fmt`` into a new graph.

    :raises LoaderError: naming the source, and the line where known, if the data cannot be read.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LoaderError(f"kein gültiges UTF-8 in Zeile {line} / invalid UTF-8 at line {line}",
                          source=source, line=line) from exc
    if fmt == "xml" and _DOCTYPE.search(data):
        raise LoaderError("RDF/XML mit DOCTYPE/ENTITY wird nicht angenommen / DOCTYPE and entities are refused",
                          source=source)
    if fmt == "json-ld":
        _refuse_remote_context(text, source)
    g = rdflib.Graph()
    try:
        g.parse(data=text, format=fmt, publicID=base)
    except Exception as exc:  # rdflib raises many unrelated types for bad input; we name them all
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        m = _LINE.search(str(exc))
        raise LoaderError(f"nicht lesbar als {fmt} / not readable as {fmt}: {message}", source=source,
                          line=int(m.group(1)) if m else None) from exc
    return g


def _refuse_remote_context(text: str, source: str) -> None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoaderError(f"kein gültiges JSON in Zeile {exc.lineno}, Spalte {exc.colno} / invalid JSON",
                          source=source, line=exc.lineno, column=exc.colno) from exc

    def walk(node) -> None:
        if isinstance(node, dict):
            ctx = node.get("@context")
            for c in ctx if isinstance(ctx, list) else [ctx]:
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
    except LoaderError as exc:
        raise ParseError(exc.detail, **{k: v for k, v in exc.extra.items() if k in ("line", "column")}) from exc
