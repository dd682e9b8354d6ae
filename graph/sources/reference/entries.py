"""The building blocks every reference-data entry goes through: shape checks, typed field access,
and a record builder that adds provenance, confidence and the marks of derived statements.

Used by :mod:`graph.sources.reference.loader` (YAML files), :mod:`graph.sources.reference.sections` and :mod:`graph.sources.oparl`.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import rdflib
from rdflib import Literal, URIRef

from graph.iris import Iris, slugify
from graph.namespaces import DCTERMS, OB, PROV, RDF, XSD
from graph.records import Record, SourceRef
from graph.sources.names import is_drucksache

KONFIDENZ: dict[str, URIRef] = {
    "beobachtet": OB.Beobachtet,
    "sekundaer": OB.Sekundaer,
    "abgeleitet": OB.Abgeleitet,
}
_URL = re.compile(r"^https?://[^\s/]+[^\s]*$")


class EntryError(ValueError):
    """A malformed entry. The message says, German first, what is wrong with which field."""


@dataclass(frozen=True)
class Field:
    """The expected shape of one field: allowed Python types, whether it must be present, and for
    lists the type of their items."""

    kinds: tuple[type, ...]
    required: bool = False
    item: type | None = None


def field(*kinds: type, required: bool = False, item: type | None = None) -> Field:
    return Field(tuple(kinds), required, item)


# Fields every entry may carry; konfidenz and quellen are what makes an entry a citable record.
COMMON: dict[str, Field] = {
    "konfidenz": field(str, required=True),
    "quellen": field(list, required=True, item=str),
    "quellenangabe": field(str),
    "hinweis": field(str, dict),
    "abgeleitet": field(dict),
}

_TYPE_NAMES = {str: "Text", int: "Zahl", float: "Zahl", list: "Liste", dict: "Zuordnung", bool: "ja/nein",
               dt.date: "Datum"}


def check_shape(data: Any, shape: dict[str, Field]) -> None:
    """Raise :class:`EntryError` unless ``data`` is a mapping with exactly the fields ``shape`` (and
    :data:`COMMON`) allows, each of an allowed type."""
    if not isinstance(data, dict):
        raise EntryError("Eintrag ist keine Zuordnung (Schlüssel: Wert) / entry is not a mapping")
    allowed = {**COMMON, **shape}
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise EntryError(f"unbekannte(s) Feld(er) / unknown field(s): {', '.join(unknown)}")
    for name, spec in allowed.items():
        value = data.get(name)
        if value is None:
            if spec.required:
                raise EntryError(f"Pflichtfeld fehlt / required field missing: {name}")
            continue
        if not _is_kind(value, spec.kinds):
            wanted = " oder ".join(_TYPE_NAMES.get(k, k.__name__) for k in spec.kinds)
            raise EntryError(f"Feld {name}: erwartet {wanted} / field {name}: wrong type ({type(value).__name__})")
        if isinstance(value, list) and spec.item is not None:
            for item in value:
                if not _is_kind(item, (spec.item,)):
                    raise EntryError(f"Feld {name}: Listeneintrag {item!r} hat den falschen Typ / wrong item type")


def _is_kind(value: Any, kinds: tuple[type, ...]) -> bool:
    # bool is an int in Python, but "ja" is no number; a datetime is a date, but no plain date
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, dt.datetime):
        return False
    if isinstance(value, (int, float)) and float in kinds:
        return True
    return isinstance(value, kinds)


class Entry:
    """One entry of a source file, with typed access to its fields."""

    def __init__(self, data: dict[str, Any], sources: dict[str, str] | None = None) -> None:
        self.data = data
        self.sources = sources or {}

    def get(self, name: str, default: Any = None) -> Any:
        value = self.data.get(name)
        return default if value is None else value

    def texts(self, name: str) -> list[str]:
        value = self.get(name, [])
        return [value] if isinstance(value, str) else list(value)

    def lang(self, name: str) -> list[Literal]:
        """A text field as language-tagged literals: plain text is German; ``{de: …, en: …}`` gives both."""
        return lang_literals(self.get(name), name)

    def date(self, name: str) -> Literal | None:
        value = self.get(name)
        if value is None:
            return None
        if isinstance(value, dt.date):
            return Literal(value.isoformat(), datatype=XSD.date)
        try:
            return Literal(dt.date.fromisoformat(str(value)).isoformat(), datatype=XSD.date)
        except ValueError as exc:
            raise EntryError(f"Feld {name}: kein Datum JJJJ-MM-TT / not a date: {value!r}") from exc

    def year(self, name: str) -> Literal | None:
        value = self.get(name)
        if value is None:
            return None
        if not (isinstance(value, int) and 1000 <= value <= 2999):
            raise EntryError(f"Feld {name}: keine Jahreszahl / not a year: {value!r}")
        return Literal(str(value), datatype=XSD.gYear)

    def decimal(self, name: str) -> Literal | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            return Literal(Decimal(str(value)), datatype=XSD.decimal)
        except InvalidOperation as exc:
            raise EntryError(f"Feld {name}: keine Zahl / not a number: {value!r}") from exc

    def url(self, value: str, name: str) -> str:
        """A URL, or the key of the file's source table that stands for one."""
        url = self.sources.get(value, value)
        if not _URL.match(url):
            raise EntryError(f"Feld {name}: {value!r} ist weder URL noch Kürzel der Quellentabelle "
                             "/ neither a URL nor a key of the source table")
        return url

    def urls(self, name: str) -> list[str]:
        return [self.url(v, name) for v in self.texts(name)]

    def choice(self, name: str, allowed: Iterable[str]) -> str | None:
        value = self.get(name)
        allowed = list(allowed)
        if value is not None and value not in allowed:
            raise EntryError(f"Feld {name}: {value!r} ist keiner von / is none of: {', '.join(allowed)}")
        return value


def lang_literals(value: Any, name: str = "text") -> list[Literal]:
    if value is None:
        return []
    if isinstance(value, str):
        return [Literal(_squash(value), lang="de")]
    if isinstance(value, dict) and value and set(value) <= {"de", "en"} \
            and all(isinstance(v, str) for v in value.values()):
        if "de" not in value:
            raise EntryError(f"Feld {name}: der deutsche Text (de) fehlt / German text missing")
        return [Literal(_squash(value[k]), lang=k) for k in ("de", "en") if k in value]
    raise EntryError(f"Feld {name}: erwartet Text oder {{de: …, en: …}} / expected text or {{de, en}}")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def drucksache(value: str, name: str = "drucksache") -> str:
    if not is_drucksache(value):
        raise EntryError(f"Feld {name}: {value!r} ist keine Drucksachennummer wie B/16/5505-01 "
                         "/ not a paper number")
    return value


class RecordBuilder:
    """Collects the triples of one record. A triple added for a field that the entry lists under
    ``abgeleitet`` is marked as derived: the statement is described (``rdf:Statement``) with
    ``ob:konfidenz ob:Abgeleitet`` and the reason as ``ob:hinweis``, and the entity gets the reason as
    ``ob:hinweis`` too, so a query can tell exactly which statements were inferred."""

    def __init__(self, iris: Iris, entity: URIRef, entry: Entry, source_file: str,
                 kind: str = "reference") -> None:
        self.iris = iris
        self.entity = entity
        self.entry = entry
        self.source_file = source_file
        self.kind = kind
        self.g = rdflib.Graph()
        self._derived: dict[str, list[Literal]] = {
            str(k): lang_literals(v, f"abgeleitet.{k}") for k, v in (entry.get("abgeleitet") or {}).items()
        }
        self._derived_used: dict[str, int] = {}

    def add(self, p: URIRef, o: rdflib.term.Node, *, feld: str | None = None) -> None:
        self.g.add((self.entity, p, o))
        if feld is not None and feld in self._derived:
            n = self._derived_used.get(feld, 0) + 1
            self._derived_used[feld] = n
            st = URIRef(f"{self.entity}#abgeleitet-{slugify(feld)}-{n}")
            self.g.add((st, RDF.type, RDF.Statement))
            self.g.add((st, RDF.subject, self.entity))
            self.g.add((st, RDF.predicate, p))
            self.g.add((st, RDF.object, o))
            self.g.add((st, OB.konfidenz, OB.Abgeleitet))
            for text in self._derived[feld]:
                self.g.add((st, OB.hinweis, text))

    def add_all(self, p: URIRef, objects: Iterable[rdflib.term.Node], *, feld: str | None = None) -> None:
        for o in objects:
            self.add(p, o, feld=feld)

    def finish(self, label: str) -> Record:
        """Add confidence, sources and notes; check that every ``abgeleitet`` field was used."""
        unused = sorted(set(self._derived) - set(self._derived_used))
        if unused:
            raise EntryError(f"abgeleitet nennt Feld(er) ohne Aussage / 'abgeleitet' names field(s) that state "
                             f"nothing: {', '.join(unused)}")
        level = self.entry.choice("konfidenz", KONFIDENZ)
        # one confidence per record (the shapes allow one): how well the record as a whole is supported;
        # single derived statements carry their own ob:Abgeleitet on the statement description
        self.g.add((self.entity, OB.konfidenz, KONFIDENZ[level]))
        notes = self.entry.lang("hinweis")
        if level == "abgeleitet" and not notes:
            raise EntryError("konfidenz abgeleitet verlangt einen hinweis, was abgeleitet ist "
                             "/ an inferred record needs a note saying what was inferred")
        for note in notes:
            self.g.add((self.entity, OB.hinweis, note))
        for feld in sorted(self._derived_used):
            for text in self._derived[feld]:
                self.g.add((self.entity, OB.hinweis, text))
        urls = self.entry.urls("quellen")
        if not urls:
            raise EntryError("quellen ist leer / no source given")
        for url in urls:
            self.g.add((self.entity, PROV.wasDerivedFrom, URIRef(url)))
        for text in self.entry.texts("quellenangabe"):
            self.g.add((self.entity, DCTERMS.source, Literal(text, lang="de")))
        return Record(
            iri=self.entity,
            graph_iri=self.iris.record_graph(self.entity),
            triples=self.g,
            source=SourceRef(self.source_file, urls=tuple(dict.fromkeys(urls)), kind=self.kind),
            label=label,
        )
