"""What a concept's page shows besides its triples: council resolutions with their ALLRIS and ratsinfo
links, and its explicit and derived synergies with the reasons the inference gave (ob:Synergiebegruendung).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import URIRef

from graph.inference.explain import RULES as SYNERGY_RULES
from graph.labels import fetch_labels, pick
from graph.namespaces import DCTERMS, OB, RDFS, sparql_prologue
from graph.store import Store

EXPLICIT = str(OB.synergieMit)
STATEMENT_TEXTS = (str(RDFS.comment), str(DCTERMS.description))
RULES: tuple[str, ...] = tuple(str(relation) for relation in SYNERGY_RULES.values())  # strongest first

_VORLAGEN = sparql_prologue() + """
SELECT ?c ?v ?drucksache ?title ?date ?allris ?ratsinfo ?gremium WHERE {
  { ?c ob:beschlossenDurch ?v } UNION { ?v ob:beschliesst ?c }
  FILTER(isIRI(?v))
  OPTIONAL { ?v ob:drucksache ?drucksache }
  OPTIONAL { ?v dcterms:title ?title }
  OPTIONAL { ?v dcterms:date|dcterms:issued ?date }
  OPTIONAL { ?v ob:allrisSeite ?allris }
  OPTIONAL { ?v ob:ratsinfoSeite ?ratsinfo }
  OPTIONAL { ?v ob:gremium ?gremium }
}"""

_EXPLANATIONS = sparql_prologue() + """
SELECT ?c ?b ?other ?rule ?strength WHERE {
  ?b ob:zwischen ?c , ?other . FILTER(?other != ?c && isIRI(?other))
  OPTIONAL { ?b ob:regel ?rule }
  OPTIONAL { ?b ob:staerke ?strength }
}"""

_EXPLANATION_DETAILS = sparql_prologue() + """
SELECT ?b ?p ?v WHERE { VALUES ?b { {nodes} } VALUES ?p { rdfs:comment ob:gemeinsam } ?b ?p ?v }"""

_RELATIONS = sparql_prologue() + """
SELECT DISTINCT ?c ?other ?rule WHERE {
  VALUES ?rule { ob:synergieMit ob:teiltLeitzielMit ob:teiltThemenfeldMit ob:teiltRaumMit }
  { ?c ?rule ?other } UNION { ?other ?rule ?c }
  FILTER(?other != ?c && isIRI(?other))
}"""

# Explicit synergy statements of either concept, with the other's statements about this one.
_STATEMENTS = sparql_prologue() + """
SELECT ?c ?a ?other ?p ?v WHERE {
  { ?c ob:synergieangabe ?a . ?a ob:zielkonzept ?other } UNION { ?other ob:synergieangabe ?a . ?a ob:zielkonzept ?c }
  FILTER(?other != ?c)
  OPTIONAL { ?a ?p ?v FILTER(isLiteral(?v)) }
}"""


@dataclass
class Vorlage:
    iri: str
    drucksache: str | None = None
    title: str | None = None
    date: str | None = None
    gremium: str | None = None
    allris: list[str] = field(default_factory=list)
    ratsinfo: list[str] = field(default_factory=list)


@dataclass
class Synergy:
    """One synergy with another concept, by one rule, with what the inference says about it."""

    other: str
    other_label: str
    rule: str
    rule_label: str
    strength: float | None = None
    reason: str | None = None
    shared: list[tuple[str, str]] = field(default_factory=list)  # (IRI, name)
    explanation: str | None = None  # IRI of the ob:Synergiebegruendung node
    statements: list[str] = field(default_factory=list)  # texts of explicit ob:Synergieangabe nodes
    years: list[str] = field(default_factory=list)

    @property
    def explicit(self) -> bool:
        return self.rule == EXPLICIT

    @property
    def overlap(self) -> tuple[int, int] | None:
        """What the strength means, as counts: (shared, together). The inference's strength is the share of
        the two concepts' items (Themenfelder, Leitziele, places) that both have: shared / together."""
        if not self.shared or not self.strength:
            return None
        return len(self.shared), max(len(self.shared), round(len(self.shared) / self.strength))

    @property
    def rule_key(self) -> str:
        """``themenfeld``, ``leitziel``, ``raum`` or ``explizit``: the kind of synergy, for the page's words."""
        name = self.rule.rsplit("#", 1)[-1]
        return {"teiltThemenfeldMit": "themenfeld", "teiltLeitzielMit": "leitziel",
                "teiltRaumMit": "raum"}.get(name, "explizit")


def vorlagen(store: Store, concept: str, lang: str = "de") -> list[Vorlage]:
    """The council papers that adopted the concept, oldest first."""
    found: dict[str, Vorlage] = {}
    titles: dict[str, list[tuple[str, str | None]]] = {}
    for row in store.query(_VORLAGEN, substitutions={"c": URIRef(concept)}):
        v = found.setdefault(row["v"].value, Vorlage(row["v"].value))
        if row["drucksache"] is not None:
            v.drucksache = row["drucksache"].value
        if row["title"] is not None:
            titles.setdefault(v.iri, []).append((row["title"].value, row["title"].language))
        if row["date"] is not None:
            v.date = row["date"].value
        if row["gremium"] is not None:
            v.gremium = row["gremium"].value
        for key in ("allris", "ratsinfo"):
            url = row[key]
            if isinstance(url, ox.NamedNode) and url.value not in getattr(v, key):
                getattr(v, key).append(url.value)
    for iri, texts in titles.items():
        found[iri].title = pick(texts, lang)
    return sorted(found.values(), key=lambda v: (v.date or "9999", v.drucksache or v.iri))


def synergies(store: Store, concept: str, lang: str = "de") -> list[Synergy]:
    """Every synergy of the concept: one entry per other concept and rule. Where the inference wrote an
    explanation node, its reason, shared items and strength come along; explicit statements add their
    texts. Sorted: explicit first, then by rule, strongest first."""
    c = {"c": URIRef(concept)}
    found: dict[tuple[str, str], Synergy] = {}
    nodes: dict[str, Synergy] = {}
    for row in store.query(_EXPLANATIONS, substitutions=c):
        rule = row["rule"].value if isinstance(row["rule"], ox.NamedNode) else ""
        syn = found.setdefault((row["other"].value, rule), Synergy(row["other"].value, "", rule, ""))
        syn.explanation = row["b"].value if isinstance(row["b"], ox.NamedNode) else None
        if row["strength"] is not None:
            try:
                syn.strength = float(row["strength"].value)
            except ValueError:
                syn.strength = None
        if isinstance(row["b"], ox.NamedNode):  # the agreed shape mints IRIs; VALUES takes no blank node
            nodes[str(row["b"])] = syn
    for row in store.query(_RELATIONS, substitutions=c):
        found.setdefault((row["other"].value, row["rule"].value),
                         Synergy(row["other"].value, "", row["rule"].value, ""))
    comments: dict[str, list[tuple[str, str | None]]] = {}
    if nodes:
        query = _EXPLANATION_DETAILS.replace("{nodes}", " ".join(nodes))
        for row in store.query(query):
            syn = nodes[str(row["b"])]
            if row["p"].value == str(OB.gemeinsam) and isinstance(row["v"], ox.NamedNode):
                syn.shared.append((row["v"].value, ""))
            elif isinstance(row["v"], ox.Literal):
                comments.setdefault(str(row["b"]), []).append((row["v"].value, row["v"].language))
    for node, texts in comments.items():
        nodes[node].reason = pick(texts, lang)
    statement_texts: dict[str, dict[str, list[tuple[str, str | None]]]] = {}
    for row in store.query(_STATEMENTS, substitutions=c):
        syn = found.setdefault((row["other"].value, EXPLICIT), Synergy(row["other"].value, "", EXPLICIT, ""))
        if row["v"] is None:
            continue
        lit: ox.Literal = row["v"]
        if lit.datatype.value.endswith(("#gYear", "#integer", "#date")) and not lit.language:
            if lit.value not in syn.years:
                syn.years.append(lit.value)
        elif row["p"].value in STATEMENT_TEXTS:  # not its rdfs:label, which only repeats the target's name
            statement_texts.setdefault(row["other"].value, {}).setdefault(str(row["a"]), []).append(
                (lit.value, lit.language))
    for other, by_node in statement_texts.items():
        syn = found[(other, EXPLICIT)]
        syn.statements = [t for t in (pick(texts, lang) for texts in by_node.values()) if t]
    names = fetch_labels(store, {s.other for s in found.values()} | {s.rule for s in found.values() if s.rule}
                         | {iri for s in found.values() for iri, _ in s.shared}, lang)
    for syn in found.values():
        syn.other_label = names.get(syn.other, syn.other)
        syn.rule_label = names.get(syn.rule, syn.rule) if syn.rule else ""
        syn.shared = sorted(((iri, names.get(iri, iri)) for iri, _ in syn.shared), key=lambda s: s[1].lower())
    order = {rule: n for n, rule in enumerate(RULES)}
    return sorted(found.values(), key=lambda s: (order.get(s.rule, len(RULES)), -(s.strength or 0),
                                                 s.other_label.lower()))
