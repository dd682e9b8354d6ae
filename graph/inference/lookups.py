"""Look-ups over the synergy explanations in the store: a concept by IRI, slug or title, its synergies
with their reasons, and why two concepts are related (``stadtgraph explain A B``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import URIRef

from graph.errors import NotFound
from graph.inference.explain import LABEL_ORDER, RULES, last_segment
from graph.iris import Iris, slugify
from graph.namespaces import OB, sparql_prologue
from graph.store import Store


@dataclass
class Reason:
    """One explanation node, as read from the store."""

    iri: str
    rule: str          # leitziel | themenfeld | raum | explizit
    relation: str      # the property IRI (ob:regel)
    strength: float
    comment_de: str
    comment_en: str
    shared: list[tuple[str, str]] = field(default_factory=list)  # (IRI, German name)
    other: str = ""    # for synergies_of: the concept on the other side
    other_name: str = ""


def resolve_concept(store: Store, text: str) -> URIRef:
    """A concept by IRI, slug or title (case-insensitive; umlauts as in the title or transliterated).

    :raises NotFound: if no concept matches.
    """
    iris = Iris(store.settings.base_iri)
    candidates = [text] if text.startswith(("http://", "https://")) else [
        str(iris.konzept(text)), f"{iris.base}konzept/{text.strip('/')}"]
    for iri in candidates:
        try:
            ox.NamedNode(iri)
        except ValueError:  # a title with spaces is no IRI
            continue
        if bool(store.query(f"ASK {{ ?c a <{OB.Konzept}> }}", substitutions={"c": URIRef(iri)})):
            return URIRef(iri)
    wanted = slugify(text)
    rows = store.query(
        f"SELECT DISTINCT ?c ?name WHERE {{ ?c a <{OB.Konzept}> ; ?lp ?name . "
        f"VALUES ?lp {{ {' '.join(f'<{p}>' for p in LABEL_ORDER)} }} }}")
    for row in rows:
        if slugify(row["name"].value) == wanted:
            return URIRef(row["c"].value)
    raise NotFound(f"Kein Konzept „{text}“ gefunden / no concept {text!r} found")


_REASONS = sparql_prologue() + """
SELECT ?a ?node ?regel ?other ?staerke ?de ?en WHERE {
  ?node a ob:Synergiebegruendung ; ob:zwischen ?a ; ob:zwischen ?other ; ob:regel ?regel ; ob:staerke ?staerke .
  FILTER(?other != ?a)
  OPTIONAL { ?node rdfs:comment ?de FILTER(lang(?de) = "de") }
  OPTIONAL { ?node rdfs:comment ?en FILTER(lang(?en) = "en") }
} ORDER BY DESC(?staerke) ?other ?regel
"""
_SHARED = sparql_prologue() + """
SELECT ?a ?node ?item (SAMPLE(?n) AS ?name) WHERE {
  ?node a ob:Synergiebegruendung ; ob:zwischen ?a ; ob:gemeinsam ?item .
  OPTIONAL { ?item skos:prefLabel|rdfs:label|dcterms:title ?n FILTER(lang(?n) = "de" || lang(?n) = "") }
} GROUP BY ?a ?node ?item ORDER BY ?node ?name
"""


def synergies_of(store: Store, concept: URIRef, other: URIRef | None = None) -> list[Reason]:
    """Every explanation node of ``concept`` (only those with ``other`` if given), strongest first."""
    subs: dict = {"a": concept}
    query = _REASONS
    if other is not None:
        subs["other"] = other
    rule_by_relation = {str(v): k for k, v in RULES.items()}
    reasons: dict[str, Reason] = {}
    for row in store.query(query, substitutions=subs):
        node = row["node"].value
        if node in reasons:
            continue
        reasons[node] = Reason(
            iri=node, rule=rule_by_relation.get(row["regel"].value, row["regel"].value),
            relation=row["regel"].value, strength=float(row["staerke"].value),
            comment_de=row["de"].value if row["de"] else "", comment_en=row["en"].value if row["en"] else "",
            other=row["other"].value)
    for row in store.query(_SHARED, substitutions={"a": concept}):
        r = reasons.get(row["node"].value)
        if r is not None:
            item = row["item"].value
            r.shared.append((item, row["name"].value if row["name"] else item.rsplit("/", 1)[-1]))
    names: dict[str, str] = {}
    for r in reasons.values():
        if r.other not in names:
            names[r.other] = concept_name(store, URIRef(r.other))
        r.other_name = names[r.other]
    return list(reasons.values())


def concept_name(store: Store, iri: URIRef) -> str:
    """The German (or untagged) name of a thing, else its slug."""
    for pred in LABEL_ORDER:
        rows = list(store.query(
            f"SELECT ?x ?n WHERE {{ ?x <{pred}> ?n FILTER(lang(?n) = 'de' || lang(?n) = '') }} LIMIT 1",
            substitutions={"x": iri}))
        if rows:
            return rows[0]["n"].value
    return last_segment(str(iri))


def explain(store: Store, a: str, b: str) -> tuple[URIRef, URIRef, list[Reason]]:
    """Why concepts ``a`` and ``b`` (IRIs, slugs or titles) are related: their explanation nodes.

    :raises NotFound: if either concept is unknown.
    """
    first, second = resolve_concept(store, a), resolve_concept(store, b)
    return first, second, synergies_of(store, first, second)
