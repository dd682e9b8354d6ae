"""Deterministic, readable IRIs under one configurable base.

Slugs are made from German names (ä→ae, ß→ss), so a rebuild mints the same IRIs. Every record lives in
its own named graph, whose IRI is the entity's path under ``{base}graph/``.

>>> iris = Iris("https://example.org/sg/")
>>> iris.konzept("Integriertes Handlungskonzept (IHK) Brückenschlag")
rdflib.term.URIRef('https://example.org/sg/konzept/integriertes-handlungskonzept-ihk-brueckenschlag')
>>> iris.record_graph(iris.vorlage("B/16/5505-01"))
rdflib.term.URIRef('https://example.org/sg/graph/vorlage/b-16-5505-01')
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

from rdflib import URIRef

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def slugify(text: str) -> str:
    """A lower-case ASCII slug: German umlauts transliterated, everything else to hyphens.

    >>> slugify('Sportpolitisches Handlungskonzept "Bewegung ist Bildung"')
    'sportpolitisches-handlungskonzept-bewegung-ist-bildung'
    >>> slugify("Straße & Grün")
    'strasse-gruen'
    """
    text = text.translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text or "unbenannt"


class Iris:
    """IRI minting for one base. Entity kinds map to path segments (German, as users read them)."""

    def __init__(self, base: str) -> None:
        self.base = base

    def _iri(self, *parts: str) -> URIRef:
        return URIRef(self.base + "/".join(parts))

    # --- entities ---------------------------------------------------------------------------------
    def konzept(self, title: str) -> URIRef:
        return self._iri("konzept", slugify(title))

    def themenfeld(self, page_title: str) -> URIRef:
        return self._iri("themenfeld", slugify(page_title))

    def leitziel(self, themenfeld_title: str, title: str) -> URIRef:
        return self._iri("leitziel", slugify(themenfeld_title), slugify(title))

    def einheit(self, unit_type: str, code: str | None, name: str | None = None) -> URIRef:
        """An organisational unit: ``organisation/bereich-5-1``; without a code, by its name."""
        return self._iri("organisation", slugify(f"{unit_type} {code}" if code else f"{unit_type} {name}"))

    def stadt(self) -> URIRef:
        """The city as an organisation (the municipality)."""
        return self._iri("organisation", "stadt-oberhausen")

    def raum(self, kind: str, name: str) -> URIRef:
        """A place: kind is 'stadt', 'stadtbezirk', 'sozialraum' or 'sozialquartier'."""
        return self._iri("raum", kind, slugify(name))

    def vorlage(self, drucksache: str) -> URIRef:
        return self._iri("vorlage", slugify(drucksache))

    def indikator(self, name: str) -> URIRef:
        return self._iri("indikator", slugify(name))

    def expertendialog(self, sozialraum: str, date_or_ordinal: str) -> URIRef:
        return self._iri("expertendialog", slugify(f"{sozialraum} {date_or_ordinal}"))

    def glossar(self, term: str) -> URIRef:
        return self._iri("glossar", slugify(term))

    # --- concept schemes ------------------------------------------------------------------------
    def scheme(self, name: str) -> URIRef:
        """A SKOS concept scheme: 'themenfelder', 'leitziele', 'indikatoren', 'glossar'."""
        return self._iri("schema", slugify(name))

    # --- graphs -----------------------------------------------------------------------------------
    def record_graph(self, entity: str) -> URIRef:
        """The named graph holding one record: the entity path under ``graph/``."""
        if not entity.startswith(self.base):
            raise ValueError(f"{entity} is not under {self.base}")
        return URIRef(self.base + "graph/" + entity[len(self.base):])

    def source_graph(self, name: str) -> URIRef:
        """A graph for a whole source file that is not split into records (e.g. an RDF file)."""
        return self._iri("graph", "quelle", slugify(name))

    @property
    def ontology_graph(self) -> URIRef:
        return self._iri("graph", "ontologie")

    @property
    def inferred_graph(self) -> URIRef:
        """Everything the OWL 2 RL synergy inference derives lives here, apart from asserted data."""
        return self._iri("graph", "abgeleitet")

    @property
    def provenance_graph(self) -> URIRef:
        """Build and source provenance (which source, revision, when loaded)."""
        return self._iri("graph", "provenienz")

    def is_minted(self, iri: str) -> bool:
        return iri.startswith(self.base) and not iri.startswith(self.base + "graph/")


def is_absolute_iri(value: str) -> bool:
    """True for an absolute IRI a SPARQL query can hold (a scheme, none of the characters IRIREF forbids).

    >>> is_absolute_iri("https://daten.oberhausen.de/stadtgraph/konzept/x"), is_absolute_iri("konzept/x")
    (True, False)
    """
    return bool(urlsplit(value).scheme) and not any(c in value for c in ' <>"{}|^`\\')


_UNRESERVED = re.compile(r"%(2[DdEe]|5[Ff]|7[Ee]|3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa])")
_ENCODED_SEPARATOR = re.compile(r"%(2[Ff]|5[Cc])")


def normal_iri(iri: str) -> str:
    """One spelling of an HTTP(S) IRI (RFC 3986 §6.2.2): scheme and host in lower case, percent-encoded
    unreserved characters decoded, other escapes in upper case, dot segments removed.

    >>> normal_iri("HTTPS://Example.org/sg/graph/%2e%2e/graph/x%7e")
    'https://example.org/sg/graph/x~'
    """
    parts = urlsplit(iri)
    path = _UNRESERVED.sub(lambda m: chr(int(m.group(1), 16)), parts.path)
    path = re.sub(r"%[0-9a-f]{2}", lambda m: m.group(0).upper(), path)
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(segments) > 1:
                segments.pop()
        elif segment != ".":
            segments.append(segment)
    if path.endswith(("/.", "/..")):
        segments.append("")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "/".join(segments), parts.query, parts.fragment))


def graph_name_problem(base: str, iri: str) -> tuple[str, bool] | None:
    """Why ``iri`` may not name a graph written here, and whether it lies outside ``{base}graph/`` at all
    (a name nobody may write, rather than a misspelt one); None if it may. Written graphs live under
    ``{base}graph/``, in their one normal spelling, with no encoded slash, query, fragment or empty segment.

    >>> graph_name_problem("https://example.org/sg/", "https://example.org/sg/graph/konzept/x") is None
    True
    >>> graph_name_problem("https://example.org/sg/", "https://example.org/sg/graph%2Fx")[0][:22]
    'kodierter Schrägstrich'
    """
    prefix = normal_iri(base) + "graph/"
    if _ENCODED_SEPARATOR.search(iri):
        return ("kodierter Schrägstrich (%2F, %5C) in einem Graphnamen / encoded slash (%2F, %5C) in a graph "
                "name", False)
    normal = normal_iri(iri)
    if not normal.startswith(prefix) or normal == prefix:
        return f"geschrieben werden nur Graphen unter <{prefix}> / writes go only to graphs under <{prefix}>", True
    parts = urlsplit(normal)
    if parts.query or parts.fragment or "//" in parts.path or parts.path.endswith("/"):
        return ("ein Graphname hat keine Anfrage (?), kein Fragment (#) und keine leeren Pfadsegmente / a graph "
                "name has no query, fragment or empty path segment", False)
    if normal != iri:
        return f"bitte die Normalform <{normal}> verwenden / use the normal spelling <{normal}>", False
    return None

