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
from urllib.parse import urlsplit

from rdflib import URIRef

from graph.errors import GraphNameInvalid, GraphNotWritable

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
    def update_graph(self) -> URIRef:
        """Where a SPARQL Update that names no graph reads and writes (its default graph); a named graph
        like any other, so part of the union default graph of queries."""
        return self._iri("graph", "sparql-update")

    @property
    def provenance_graph(self) -> URIRef:
        """Build and source provenance (which source, revision, when loaded)."""
        return self._iri("graph", "provenienz")

    def writable_graph(self, iri: str) -> str:
        """The graph name a write (Graph Store or SPARQL Update) may use, checked in its normal form.

        The rule: writes go only to graphs under ``{base}graph/``, in one spelling per graph — no dot
        segments (also not as ``%2e``), no encoded slash (``%2F``), no escape of a plain character, no
        empty segment, query or fragment. The name is normalised first (:func:`normal_iri`), so a name
        that only looks like a graph outside (``graph/../graph/abgeleitet``) is judged by where it points.

        :raises GraphNotWritable: (403) outside ``{base}graph/``.
        :raises GraphNameInvalid: (400) inside, but not in its normal spelling (``normal`` says which).

        >>> iris = Iris("https://example.org/sg/")
        >>> iris.writable_graph("https://example.org/sg/graph/konzept/a")
        'https://example.org/sg/graph/konzept/a'
        >>> iris.writable_graph("https://example.org/sg/graph/x/../konzept/a")
        Traceback (most recent call last):
        ...
        graph.errors.GraphNameInvalid: Graphname nicht in Normalform ...
        """
        where = self.base + "graph/"
        if re.search(r"%2f|%5c", iri, re.IGNORECASE) and iri.startswith(self.base):
            raise GraphNameInvalid(
                f"<{iri}>: ein kodierter Schrägstrich (%2F) ist in Graphnamen nicht erlaubt / an encoded slash "
                f"(%2F) is not allowed in graph names; Regel / rule: {GRAPH_NAME_RULE}", rule="no-encoded-slash")
        normal = normal_iri(iri)
        if not normal.startswith(where) or normal == where:
            raise GraphNotWritable(
                f"<{iri}> liegt nicht unter <{where}>; geschrieben werden nur Graphen dort / is not under "
                f"<{where}>; only graphs there are written. Regel / rule: {GRAPH_NAME_RULE}", rule="under-base")
        rest = normal[len(where):]
        if "?" in rest or "#" in rest or "" in rest.split("/"):
            raise GraphNameInvalid(
                f"<{iri}>: leeres Segment, Abfrage oder Fragment im Graphnamen / empty segment, query or "
                f"fragment in the graph name; Regel / rule: {GRAPH_NAME_RULE}", rule="plain-path")
        if normal != iri:
            raise GraphNameInvalid(
                f"Graphname nicht in Normalform (Punktsegmente, unnötige Escapes); bitte <{normal}> "
                f"verwenden / graph name not in its normal form (dot segments, needless escapes); use "
                f"<{normal}>. Regel / rule: {GRAPH_NAME_RULE}", rule="normal-form", normal=normal)
        return normal

    def is_minted(self, iri: str) -> bool:
        return iri.startswith(self.base) and not iri.startswith(self.base + "graph/")


GRAPH_NAME_RULE = ("Schreiben nur in Graphen unter {base}graph/, in Normalform: ohne Punktsegmente, ohne "
                   "kodierte Schrägstriche, ohne Escapes gewöhnlicher Zeichen / writes go only to graphs under "
                   "{base}graph/, in normal form: no dot segments, no encoded slashes, no escapes of plain "
                   "characters")
_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")


def normal_iri(iri: str) -> str:
    """The IRI in RFC 3986 normal form as far as it matters for graph names: escapes of unreserved
    characters decoded (``%2e`` → ``.``), other escapes in upper case, dot segments removed (§5.2.4).

    >>> normal_iri("https://example.org/sg/graph/%2e%2e/graph/abgeleitet")
    'https://example.org/sg/graph/abgeleitet'
    >>> normal_iri("https://example.org/sg/graph/a/./b%c3%bc")
    'https://example.org/sg/graph/a/b%C3%BC'
    """
    def unescape(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        if char.isascii() and (char.isalnum() or char in "-._~"):
            return char
        return "%" + match.group(1).upper()

    parts = urlsplit(_UNRESERVED.sub(unescape, iri))
    if not parts.scheme or not parts.netloc:
        return iri
    path = _remove_dot_segments(parts.path)
    head = f"{parts.scheme}://{parts.netloc}"
    return head + path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, for an absolute path."""
    out: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                out.append("")
        elif segment == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/".join(out)


def is_absolute_iri(value: str) -> bool:
    """True for an absolute IRI a SPARQL query can hold (a scheme, none of the characters IRIREF forbids).

    >>> is_absolute_iri("https://daten.oberhausen.de/stadtgraph/konzept/x"), is_absolute_iri("konzept/x")
    (True, False)
    """
    return bool(urlsplit(value).scheme) and not any(c in value for c in ' <>"{}|^`\\')
