"""Why two concepts are related: one ``ob:Synergiebegruendung`` node per pair of concepts and rule, with
what they share, how strongly (Jaccard) and a German and English sentence; and the look-ups over them.

The RDF shape is documented in the ontology (section "Begründungen / explanations") and read by the
publishing layer: ``{base}synergie/{slugA}--{slugB}--{regel}`` with ob:zwischen, ob:regel, ob:gemeinsam,
ob:staerke and rdfs:comment, in the inferred graph.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pyoxigraph as ox
import rdflib
from rdflib import URIRef
from rdflib.collection import Collection

from graph.errors import NotFound
from graph.iris import Iris, slugify
from graph.namespaces import DCTERMS, OB, OWL, RDF, RDFS, SKOS, XSD, sparql_prologue
from graph.store import Store

#: The rules that relate two concepts, by the name their explanation IRIs carry.
RULES: dict[str, URIRef] = {
    "leitziel": OB.teiltLeitzielMit,
    "themenfeld": OB.teiltThemenfeldMit,
    "raum": OB.teiltRaumMit,
    "explizit": OB.synergieMit,
}
#: Properties that name things, best first (the sentences use them).
LABEL_PREDICATES: frozenset[str] = frozenset({str(SKOS.prefLabel), str(RDFS.label), str(DCTERMS.title)})
_LABEL_ORDER = (str(SKOS.prefLabel), str(RDFS.label), str(DCTERMS.title))
_MAX_NAMED = 6  # longer lists end in "und N weitere"

# German and English sentence parts per rule: (singular noun, plural noun, frame).
_SENTENCES: dict[str, dict[str, tuple[str, str, str]]] = {
    "leitziel": {
        "de": ("das Leitziel", "die Leitziele", "Beide Konzepte zahlen auf {items} ein."),
        "en": ("the guiding goal", "the guiding goals", "Both concepts serve {items}."),
    },
    "themenfeld": {
        "de": ("das Themenfeld", "die Themenfelder", "Beide Konzepte beziehen sich auf {items}."),
        "en": ("the thematic field", "the thematic fields", "Both concepts relate to {items}."),
    },
    "raum": {
        "de": ("den Raum", "die Räume", "Beide Konzepte betreffen {items}."),
        "en": ("the place", "the places", "Both concepts touch {items}."),
    },
}
_QUOTES = {"leitziel": {"de": ("„", "“"), "en": ("“", "”")}}
_SYNERGY = {"de": "Synergie", "en": "Synergy"}
_RULE_NAMES = {
    "de": {"leitziel": "Leitziel", "themenfeld": "Themenfeld", "raum": "Raum", "explizit": "ausdrücklich"},
    "en": {"leitziel": "guiding goal", "themenfeld": "thematic field", "raum": "place", "explizit": "explicit"},
}


def shared_property(ontology: rdflib.Graph, relation: URIRef) -> URIRef | None:
    """The property whose shared values a derived relation stands for: P in the axiom
    ``relation owl:propertyChainAxiom (P P⁻¹)``; None if the relation is not of that form."""
    for head in ontology.objects(relation, OWL.propertyChainAxiom):
        chain = list(Collection(ontology, head))
        if len(chain) == 2 and ((chain[0], OWL.inverseOf, chain[1]) in ontology
                                or (chain[1], OWL.inverseOf, chain[0]) in ontology):
            return chain[0]
    return None


def node_iri(iris: Iris, a: str, b: str, rule: str) -> URIRef:
    """``{base}synergie/{slugA}--{slugB}--{rule}``, slugs (last path segments) sorted."""
    first, second = sorted((_slug(a), _slug(b)))
    return URIRef(f"{iris.base}synergie/{first}--{second}--{rule}")


def strength(shared: int, union: int) -> str:
    """Jaccard index as an xsd:decimal lexical form with at most three places ("0.333", "1")."""
    value = Decimal(shared) / Decimal(union) if union else Decimal(0)
    text = str(value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))
    return text.rstrip("0").rstrip(".") if "." in text else text


def _join(names: list[str], lang: str) -> str:
    more = len(names) - _MAX_NAMED
    shown = names[:_MAX_NAMED] if more > 0 else names
    last = ("und" if lang == "de" else "and")
    if more > 0:
        return ", ".join(shown) + f" {last} " + (f"{more} weitere" if lang == "de" else f"{more} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {last} " + shown[-1]


def sentence(rule: str, names: list[str], lang: str, hidden: int = 0) -> str:
    """The reason in words, e.g. "Beide Konzepte beziehen sich auf das Themenfeld Mobilität."."""
    singular, plural, frame = _SENTENCES[rule][lang]
    left, right = _QUOTES.get(rule, {}).get(lang, ("", ""))
    quoted = [f"{left}{n}{right}" for n in names]
    items = f"{singular if len(names) == 1 else plural} {_join(quoted, lang)}"
    # "sowie"/"as well as": the list of names already ends in "und"/"and".
    if hidden == 1:
        items += " sowie einen darin liegenden Raum" if lang == "de" else " as well as one place within"
    elif hidden:
        items += f" sowie {hidden} darin liegende Räume" if lang == "de" else f" as well as {hidden} places within"
    return frame.format(items=items)


# ---- building the nodes (from the scratch store of an inference run) ---------------------------------
class _Facts:
    """Read access to a scratch store: values of a property across all its work graphs, and names."""

    def __init__(self, scratch: ox.Store) -> None:
        self.scratch = scratch
        self._labels: dict[str, dict[str, str]] | None = None

    def pairs(self, prop: URIRef) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for q in self.scratch.quads_for_pattern(None, ox.NamedNode(str(prop)), None, None):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                out.setdefault(q.subject.value, set()).add(q.object.value)
        return out

    def kind(self, iri: str, kinds: dict[str, dict[str, str]], lang: str) -> str | None:
        """The name of the first of ``kinds`` (class IRI → names by language) the node is typed with."""
        for q in self.scratch.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(str(RDF.type)), None, None):
            if q.object.value in kinds:
                name = kinds[q.object.value].get(lang)
                return name.lower() if name and lang == "en" else name
        return None

    def label(self, iri: str, lang: str) -> str:
        if self._labels is None:
            found: dict[str, dict[str, tuple[int, str]]] = {}
            for rank, pred in enumerate(_LABEL_ORDER):
                for q in self.scratch.quads_for_pattern(None, ox.NamedNode(pred), None, None):
                    if not isinstance(q.object, ox.Literal):
                        continue
                    slot = found.setdefault(q.subject.value, {})
                    tag = q.object.language or ""
                    if tag not in slot or slot[tag][0] > rank:
                        slot[tag] = (rank, q.object.value)
            self._labels = {s: {t: v for t, (_, v) in slot.items()} for s, slot in found.items()}
        slot = self._labels.get(iri, {})
        return slot.get(lang) or slot.get("") or slot.get("de") or next(iter(slot.values()), None) \
            or iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def explanation_quads(scratch: ox.Store, ontology: rdflib.Graph, iris: Iris, graph: ox.NamedNode) -> list[ox.Quad]:
    """An explanation node for every pair of distinct concepts related by one of :data:`RULES`, after
    the rules have run on ``scratch``."""
    facts = _Facts(scratch)
    out: list[ox.Quad] = []
    nn = ox.NamedNode
    t_type, t_zwischen, t_regel = nn(str(RDF.type)), nn(str(OB.zwischen)), nn(str(OB.regel))
    t_gemeinsam, t_staerke, t_comment = nn(str(OB.gemeinsam)), nn(str(OB.staerke)), nn(str(RDFS.comment))
    t_label, t_class, t_decimal = nn(str(RDFS.label)), nn(str(OB.Synergiebegruendung)), nn(str(XSD.decimal))
    contains = facts.pairs(OB.umfasst)
    # Stadtbezirk and Sozialraum Osterfeld share a name: sentences say which kind of place they mean.
    place_kinds = {str(c): {lit.language: str(lit) for lit in ontology.objects(c, RDFS.label)}
                   for c in ontology.subjects(RDFS.subClassOf, OB.Raum)}

    for rule, relation in RULES.items():
        related = facts.pairs(relation)
        prop = shared_property(ontology, relation)
        values = facts.pairs(prop) if prop is not None else {}
        done: set[tuple[str, str]] = set()
        for a, others in related.items():
            for b in others:
                if a == b:
                    continue
                key = (a, b) if a < b else (b, a)
                if key in done:
                    continue
                done.add(key)
                x, y = sorted(key, key=_slug)  # the order of the IRI, so names read the same way
                node = nn(str(node_iri(iris, x, y, rule)))
                names = {lang: (facts.label(x, lang), facts.label(y, lang)) for lang in ("de", "en")}
                quads = [(t_type, t_class), (t_zwischen, nn(x)), (t_zwischen, nn(y)), (t_regel, nn(str(relation)))]
                if prop is None:  # explicit: stated, nothing to share
                    quads.append((t_staerke, ox.Literal("1", datatype=t_decimal)))
                    comments = {
                        "de": f"Das Wiki nennt die Synergie zwischen {names['de'][0]} und {names['de'][1]} ausdrücklich.",
                        "en": f"The wiki states the synergy between {names['en'][0]} and {names['en'][1]} explicitly.",
                    }
                else:
                    va, vb = values.get(x, set()), values.get(y, set())
                    shared = va & vb
                    quads += [(t_gemeinsam, nn(v)) for v in sorted(shared)]
                    quads.append((t_staerke, ox.Literal(strength(len(shared), len(va | vb)), datatype=t_decimal)))
                    comments = _comments(rule, shared, contains, facts, place_kinds)
                for lang in ("de", "en"):
                    title = f"{_SYNERGY[lang]} {names[lang][0]} – {names[lang][1]} ({_RULE_NAMES[lang][rule]})"
                    quads.append((t_label, ox.Literal(title, language=lang)))
                    quads.append((t_comment, ox.Literal(comments[lang], language=lang)))
                out.extend(ox.Quad(node, p, o, graph) for p, o in quads)
    return out


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _comments(rule: str, shared: set[str], contains: dict[str, set[str]], facts: _Facts,
              place_kinds: dict[str, dict[str, str]]) -> dict[str, str]:
    if not shared:  # a relation asserted in the data, not derived from shared values
        return {"de": "Im Datenbestand ausdrücklich angegeben; keine gemeinsamen Einträge.",
                "en": "Stated in the data; nothing shared."}
    named, hidden = sorted(shared), 0
    if rule == "raum":
        # Name only the largest shared places; the places lying within them are counted.
        inner = {p for p in shared for q in shared if q != p and p in contains.get(q, ())}
        named, hidden = sorted(shared - inner), len(inner)
    out = {}
    for lang in ("de", "en"):
        names = []
        for v in named:
            kind = facts.kind(v, place_kinds, lang) if rule == "raum" else None
            names.append(f"{facts.label(v, lang)} ({kind})" if kind else facts.label(v, lang))
        names.sort()
        out[lang] = sentence(rule, names, lang, hidden)
    return out


# ---- reading them back (from the store) --------------------------------------------------------------
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
        f"VALUES ?lp {{ {' '.join(f'<{p}>' for p in _LABEL_ORDER)} }} }}")
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
    for pred in _LABEL_ORDER:
        rows = list(store.query(
            f"SELECT ?x ?n WHERE {{ ?x <{pred}> ?n FILTER(lang(?n) = 'de' || lang(?n) = '') }} LIMIT 1",
            substitutions={"x": iri}))
        if rows:
            return rows[0]["n"].value
    return _slug(str(iri))


def explain(store: Store, a: str, b: str) -> tuple[URIRef, URIRef, list[Reason]]:
    """Why concepts ``a`` and ``b`` (IRIs, slugs or titles) are related: their explanation nodes.

    :raises NotFound: if either concept is unknown.
    """
    first, second = resolve_concept(store, a), resolve_concept(store, b)
    return first, second, synergies_of(store, first, second)
