"""What the home page lists to browse from (Themenfelder, Sozialräume, units, concepts) and the search
by title; every list item is an IRI with its name, so the page links into the graph.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal

from graph.labels import LABEL_PROPERTIES, fetch_labels, local_name
from graph.namespaces import sparql_prologue
from graph.store import Store

SEARCH_LIMIT = 100
MAX_SEARCH_LENGTH = 200

_THEMENFELDER = sparql_prologue() + """
SELECT ?t (COUNT(DISTINCT ?k) AS ?n) WHERE {
  ?t a ob:Themenfeld . FILTER(isIRI(?t)) OPTIONAL { ?k ob:themenfeld ?t ; a ob:Konzept }
} GROUP BY ?t"""

_SOZIALRAEUME = sparql_prologue() + """
SELECT ?s (COUNT(DISTINCT ?q) AS ?n) WHERE {
  ?s a ob:Sozialraum . FILTER(isIRI(?s)) OPTIONAL { ?q a ob:Sozialquartier ; ob:liegtIn ?s }
} GROUP BY ?s"""

_UNITS = sparql_prologue() + """
SELECT ?u (SAMPLE(?code) AS ?notation) (COUNT(DISTINCT ?k) AS ?n) WHERE {
  VALUES ?class { ob:Organisationseinheit ob:Dezernat ob:Bereich ob:Fachbereich }
  ?u a ?class . FILTER(isIRI(?u))
  OPTIONAL { ?u skos:notation ?code }
  OPTIONAL { { ?k ob:zustaendigeEinheit ?u } UNION { ?u ob:istZustaendigFuer ?k } }
} GROUP BY ?u"""

_CONCEPTS = sparql_prologue() + """
SELECT ?k (SAMPLE(?year) AS ?jahr) WHERE {
  ?k a ob:Konzept . FILTER(isIRI(?k)) OPTIONAL { ?k ob:veroeffentlichungsjahr ?year }
} GROUP BY ?k"""

# The classes a search looks in, with the name each result shows as its kind.
SEARCH_CLASSES = ("Konzept", "Themenfeld", "Leitziel", "Organisationseinheit", "Dezernat", "Bereich",
                  "Fachbereich", "Raum", "Stadt", "Stadtbezirk", "Sozialraum", "Sozialquartier", "Vorlage",
                  "Indikator", "Expertendialog", "Glossarbegriff", "Kommune")

_SEARCH_CLASSES = " ".join(f"ob:{c}" for c in SEARCH_CLASSES)
_SEARCH_PROPERTIES = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
_SEARCH = sparql_prologue() + f"""
SELECT DISTINCT ?q ?s ?class WHERE {{
  VALUES ?class {{ {_SEARCH_CLASSES} }}
  VALUES ?p {{ {_SEARCH_PROPERTIES} }}
  ?s a ?class ; ?p ?l . FILTER(isIRI(?s) && isLiteral(?l))
  FILTER(CONTAINS(LCASE(STR(?l)), LCASE(STR(?q))))
}} LIMIT {SEARCH_LIMIT * 4}"""


@dataclass
class Item:
    iri: str
    label: str
    count: int | None = None
    note: str | None = None  # a code, a year, a kind


@dataclass
class Overview:
    themenfelder: list[Item] = field(default_factory=list)
    sozialraeume: list[Item] = field(default_factory=list)
    units: list[Item] = field(default_factory=list)
    concepts: list[Item] = field(default_factory=list)


def overview(store: Store, lang: str = "de") -> Overview:
    """The four lists of the home page, each sorted by name (units by their code)."""
    rows = {
        "themenfelder": [(r["t"].value, int(r["n"].value), None) for r in store.query(_THEMENFELDER)],
        "sozialraeume": [(r["s"].value, int(r["n"].value), None) for r in store.query(_SOZIALRAEUME)],
        "units": [(r["u"].value, int(r["n"].value), r["notation"].value if r["notation"] else None)
                  for r in store.query(_UNITS)],
        "concepts": [(r["k"].value, None, r["jahr"].value if r["jahr"] else None) for r in store.query(_CONCEPTS)],
    }
    names = fetch_labels(store, {iri for items in rows.values() for iri, _, _ in items}, lang)
    out = Overview()
    for key, items in rows.items():
        listed = [Item(iri, names.get(iri, local_name(iri)), count, note) for iri, count, note in items]
        if key == "units":
            listed.sort(key=lambda i: (_code_key(i.note), i.label.lower()))
        else:
            listed.sort(key=lambda i: i.label.lower())
        setattr(out, key, listed)
    return out


def _code_key(code: str | None) -> tuple:
    """Unit codes sort numerically part by part: 2-6 before 3-2-10 before 5-1."""
    if not code:
        return (1, ())
    return (0, tuple(int(p) if p.isdigit() else 0 for p in code.replace(".", "-").split("-")))


def search(store: Store, text: str, lang: str = "de") -> list[Item]:
    """Records whose name or title contains ``text`` (case-insensitive), best matches first: names that
    start with it, then shorter names. The text is bound as a literal, never pasted into the query."""
    text = text.strip()[:MAX_SEARCH_LENGTH]
    if not text:
        return []
    kinds: dict[str, set[str]] = {}
    for row in store.query(_SEARCH, substitutions={"q": Literal(text)}):
        kinds.setdefault(row["s"].value, set()).add(row["class"].value)
    names = fetch_labels(store, set(kinds) | {c for cs in kinds.values() for c in cs}, lang)
    needle = text.lower()
    items = []
    for iri, classes in kinds.items():
        # The most specific kind: a Sozialraum rather than a Raum.
        kind = sorted(classes, key=lambda c: SEARCH_CLASSES.index(c.rsplit("#", 1)[-1]))[-1]
        items.append(Item(iri, names.get(iri, local_name(iri)), note=names.get(kind, local_name(kind))))
    items.sort(key=lambda i: (not i.label.lower().startswith(needle), needle not in i.label.lower(),
                              len(i.label), i.label.lower()))
    return items[:SEARCH_LIMIT]

