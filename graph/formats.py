"""Result and RDF formats, and the pure content negotiation that picks one (as rdflib-endpoint does).

One table per kind: SPARQL results (SELECT/ASK) and RDF graphs (CONSTRUCT/DESCRIBE, pages, catalog).
``negotiate`` takes the parsed ``Accept`` header (Werkzeug's ``MIMEAccept``) and an optional
``format=``/``output=`` parameter, and returns the chosen :class:`Format` or raises NotAcceptable.
:func:`best_media_type` is the one comparison every route uses: media ranges are matched by type and
subtype (RFC 9110 §12.5.1), q-values and wildcards honoured, other parameters (``charset``, a JSON-LD
``profile`` — there is one JSON-LD form here) never make a match fail.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept

from graph.errors import NotAcceptable
from graph.namespaces import PREFIXES


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    aliases: tuple[str, ...]
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None
    extension: str = ""

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith("text/") or self.media_type.endswith(("json", "xml"))
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type


RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", ("json", "application/json", "srj"),
           results=ox.QueryResultsFormat.JSON, extension="srj"),
    Format("xml", "application/sparql-results+xml", ("xml", "application/xml", "text/xml", "srx"),
           results=ox.QueryResultsFormat.XML, extension="srx"),
    Format("csv", "text/csv", ("csv",), results=ox.QueryResultsFormat.CSV, extension="csv"),
    Format("tsv", "text/tab-separated-values", ("tsv", "tab"), results=ox.QueryResultsFormat.TSV, extension="tsv"),
)

RDF_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", ("turtle", "ttl", "n3", "text/n3", "application/x-turtle"),
           rdf=ox.RdfFormat.TURTLE, extension="ttl"),
    Format("ntriples", "application/n-triples", ("nt", "ntriples", "n-triples", "text/plain"),
           rdf=ox.RdfFormat.N_TRIPLES, extension="nt"),
    Format("jsonld", "application/ld+json", ("jsonld", "json-ld", "json", "application/json"),
           rdf=ox.RdfFormat.JSON_LD, extension="jsonld"),
    Format("rdfxml", "application/rdf+xml", ("rdfxml", "rdf+xml", "rdf", "xml", "application/xml"),
           rdf=ox.RdfFormat.RDF_XML, extension="rdf"),
)

# A linked-data page: HTML for people, the RDF formats for machines (``*/*`` means a machine).
HTML = Format("html", "text/html", ("html", "htm", "application/xhtml+xml"), extension="html")
PAGE_FORMATS: tuple[Format, ...] = (HTML, *RDF_FORMATS)

DATASET_FORMATS: tuple[Format, ...] = (
    Format("nquads", "application/n-quads", ("nq", "nquads", "n-quads"), rdf=ox.RdfFormat.N_QUADS, extension="nq"),
    Format("trig", "application/trig", ("trig",), rdf=ox.RdfFormat.TRIG, extension="trig"),
)


def media_ranges(accept: MIMEAccept) -> MIMEAccept:
    """The ``Accept`` header with every media range reduced to ``type/subtype`` (lower case) and its q.

    Werkzeug compares parameters too, so ``text/turtle; charset=utf-8`` would match no ``text/turtle``.
    A type listed twice keeps its highest q.

    >>> list(media_ranges(MIMEAccept([("Text/Turtle; charset=utf-8", 1), ("*/*", 0.1)])))
    [('text/turtle', 1), ('*/*', 0.1)]
    """
    quality: dict[str, float] = {}
    for value, q in accept:
        bare = value.split(";", 1)[0].strip().lower()
        if bare:
            quality[bare] = max(q, quality.get(bare, q))
    return MIMEAccept(list(quality.items()))


def best_media_type(accept: MIMEAccept, candidates: Iterable[str], default: str | None = None) -> str | None:
    """The candidate the client prefers, comparing type and subtype only; ``default`` when none fits.

    >>> accept = MIMEAccept([('application/sparql-results+json; charset=UTF-8', 1)])
    >>> best_media_type(accept, ["application/sparql-results+xml", "application/sparql-results+json"])
    'application/sparql-results+json'
    >>> best_media_type(MIMEAccept([("text/turtle; charset=utf-8", 0), ("*/*", 0.1)]), ["text/turtle"]) is None
    True
    """
    return media_ranges(accept).best_match(list(candidates), default=default)


def negotiate(accept: MIMEAccept, offered: Iterable[Format], param: str | None = None,
              default: Format | None = None) -> Format:
    """The format to answer in. A ``format``/``output`` parameter wins over ``Accept``; ``*/*`` or no
    ``Accept`` gives ``default`` (else the first offered). :raises NotAcceptable: if nothing fits.

    >>> negotiate(MIMEAccept([("text/csv", 1)]), RESULT_FORMATS).name
    'csv'
    >>> negotiate(MIMEAccept([]), RDF_FORMATS, param="json-ld").name
    'jsonld'
    """
    offered = tuple(offered)
    if param:
        p = param.strip().lower()
        for fmt in offered:
            if p == fmt.name or p == fmt.media_type or p in fmt.aliases:
                return fmt
        raise NotAcceptable(f"Format {param!r} wird hier nicht angeboten / not offered here; "
                            f"möglich / offered: {', '.join(f.name for f in offered)}")
    if not accept or not list(accept.values()):
        return default or offered[0]
    accept = media_ranges(accept)
    candidates = [f.media_type for f in offered]
    # Aliased media types (application/json for SPARQL JSON) count as their format.
    alias_types = {a: f for f in offered for a in f.aliases if "/" in a}
    best = best_media_type(accept, candidates + list(alias_types))
    if best is None:
        raise NotAcceptable(
            f"Keines der angefragten Formate ({accept}) wird angeboten / none of the accepted types is offered; "
            f"möglich / offered: {', '.join(candidates)}")
    if best in alias_types and best not in candidates:
        return alias_types[best]
    chosen = next(f for f in offered if f.media_type == best)
    # "*/*" matches everything equally: prefer the default over the first listed.
    if default and accept[best] == accept["*/*"] and best not in accept.values():
        return default
    return chosen


def serialize_triples(triples: Iterable[ox.Triple], fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialize triples in an RDF format, with the project's prefixes where the format has them."""
    kwargs = {}
    if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML, ox.RdfFormat.TRIG):
        kwargs["prefixes"] = prefixes or PREFIXES
    return ox.serialize(triples, format=fmt.rdf, **kwargs)


def ox_triples(graph: Iterable[tuple]) -> list[ox.Triple]:
    """The triples of an rdflib graph as pyoxigraph triples, for :func:`serialize_triples`."""
    from graph.store import to_ox

    return [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph]


def by_name(name: str) -> Format:
    for fmt in (*RESULT_FORMATS, *RDF_FORMATS, *DATASET_FORMATS, HTML):
        if fmt.name == name:
            return fmt
    raise KeyError(name)
