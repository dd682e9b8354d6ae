"""Why two concepts are related: one ``ob:Synergiebegruendung`` node per pair of concepts and rule, with
what they share, how strongly (Jaccard) and a German and English sentence (look-ups: graph.inference.lookups).

The RDF shape is documented in the ontology (section "Begründungen / explanations") and read by the
publishing layer: ``{base}synergie/{slugA}--{slugB}--{regel}`` with ob:zwischen, ob:regel, ob:gemeinsam,
ob:staerke and rdfs:comment, in the inferred graph.
"""
from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import pyoxigraph as ox
import rdflib
from rdflib import URIRef
from rdflib.collection import Collection

from graph.inference.closure import paused_gc
from graph.iris import Iris
from graph.namespaces import DCTERMS, OB, OWL, RDF, RDFS, SKOS, XSD

#: The rules that relate two concepts, by the name their explanation IRIs carry (and the synergy picture's
#: filter uses), strongest first: the one table of synergy rules, which pages order by.
RULES: dict[str, URIRef] = {
    "explizit": OB.synergieMit,
    "leitziel": OB.teiltLeitzielMit,
    "themenfeld": OB.teiltThemenfeldMit,
    "raum": OB.teiltRaumMit,
}
#: Properties that name things, best first (the sentences use them).
LABEL_PREDICATES: frozenset[str] = frozenset({str(SKOS.prefLabel), str(RDFS.label), str(DCTERMS.title)})
LABEL_ORDER = (str(SKOS.prefLabel), str(RDFS.label), str(DCTERMS.title))
_MAX_NAMED = 6  # longer lists end in "und N weitere"
# Terms in N-Triples form, made once (an rdflib namespace makes a new URIRef at every access).
_GEMEINSAM, _STAERKE, _COMMENT = f"<{OB.gemeinsam}>", f"<{OB.staerke}>", f"<{RDFS.comment}>"
_DECIMAL = str(XSD.decimal)

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


def last_segment(iri: str) -> str:
    """The slug of an IRI: its last path segment."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _node_base(iris: Iris, a: str, b: str) -> str:
    """Where explanation nodes go: ``{base}synergie/``; for concepts minted under a deeper prefix
    (``{base}stadt-0001/konzept/…``, several cities in one store) under that prefix, so that equal
    slugs of different cities do not share a node."""
    pa, pb = a.rstrip("/").rsplit("/", 2)[0], b.rstrip("/").rsplit("/", 2)[0]
    prefix = pa + "/" if pa == pb and pa.startswith(iris.base) else iris.base
    return f"{prefix}synergie/"


def node_iri(iris: Iris, a: str, b: str, rule: str) -> URIRef:
    """``{base}synergie/{slugA}--{slugB}--{rule}``, slugs (last path segments) sorted."""
    first, second = sorted((last_segment(a), last_segment(b)))
    return URIRef(f"{_node_base(iris, a, b)}{first}--{second}--{rule}")


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


# ---- building the nodes (from the closure of an inference run) ---------------------------------------
@lru_cache(maxsize=4096)
def _literal(text: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal in N-Triples form, as pyoxigraph writes it (so that lines compare with a dump)."""
    if lang:
        return str(ox.Literal(text, language=lang))
    return str(ox.Literal(text, datatype=ox.NamedNode(datatype))) if datatype else str(ox.Literal(text))


#: A node's last triples (ob:gemeinsam, ob:staerke, rdfs:comment): as N-Triples parts that each follow
#: the node IRI, as Turtle after ``ob:regel …``, and how many triples the whole node has.
Tail = tuple[list[str], str, int]


def _tail(named: tuple[str, ...], weight: str, de: str, en: str) -> Tail:
    parts = [*(f" {_GEMEINSAM} {v} .\n" for v in named), f" {_STAERKE} {weight} .\n",
             f" {_COMMENT} {de} .\n", f" {_COMMENT} {en} .\n"]
    shared = f" ; {_GEMEINSAM} {' , '.join(named)}" if named else ""
    return parts, f"{shared} ; {_STAERKE} {weight} ; {_COMMENT} {de} , {en} .\n", 4 + len(parts)


class Explainer:
    """Builds the explanation nodes from a finished :class:`graph.inference.closure.Closure`, as N-Triples lines."""

    def __init__(self, closure, ontology: rdflib.Graph, iris: Iris) -> None:
        self.closure, self.ontology, self.iris = closure, ontology, iris
        self._labels: dict[str, dict[str, tuple[int, str]]] = {}
        self._said: dict[tuple[str, frozenset[int]], tuple[tuple[str, ...], str, str]] = {}
        self.triples = 0  # how many triples chunks() has given out

    def add_label(self, subject: ox.NamedNode | ox.BlankNode, predicate: str, value) -> None:
        """Remember a name (rdfs:label, skos:prefLabel, dcterms:title) for the sentences."""
        if not isinstance(value, ox.Literal) or not isinstance(subject, ox.NamedNode):
            return
        rank, slot = LABEL_ORDER.index(predicate), self._labels.setdefault(str(subject), {})
        tag = value.language or ""
        if tag not in slot or slot[tag][0] > rank:
            slot[tag] = (rank, value.value)

    def label(self, term: str, lang: str) -> str:
        """The name of a term (``<iri>``) in ``lang``, else untagged, else German, else its slug."""
        slot = self._labels.get(term, {})
        found = slot.get(lang) or slot.get("") or slot.get("de") or next(iter(slot.values()), None)
        return found[1] if found else last_segment(term[1:-1]).rsplit("#", 1)[-1]

    def chunks(self, only: set[int] | None = None, *, turtle: bool = False) -> Iterator[str]:
        """One node per pair of distinct concepts related by one of :data:`RULES`, one string per node:
        N-Triples lines (comparable line by line), or with ``turtle`` the same triples in Turtle's short
        form (a third of the text, for bulk loads); ``triples`` counts them. With ``only``, just the
        pairs with at least one of these concepts."""
        with paused_gc():
            yield from self._chunks(only, turtle)

    def _chunks(self, only: set[int] | None, turtle: bool) -> Iterator[str]:
        closure = self.closure
        terms = closure.terms
        type_ = f"<{RDF.type}>"
        zwischen, regel, cls = f"<{OB.zwischen}>", f"<{OB.regel}>", f"<{OB.Synergiebegruendung}>"
        contains = closure.relation(str(OB.umfasst))
        # Stadtbezirk and Sozialraum Osterfeld share a name: sentences say which kind of place they mean.
        types = closure.relation(str(RDF.type))
        kind_of: dict[int, dict[str, str]] = {}
        for c in self.ontology.subjects(RDFS.subClassOf, OB.Raum):
            names = {lit.language: str(lit) for lit in self.ontology.objects(c, RDFS.label)}
            names["en"] = names.get("en", "").lower()
            for place in types.get(closure.ids.get(f"<{c}>", -1), ()):
                kind_of[place] = names
        # concept → (the prefix its IRI is minted under, slug, its ob:zwischen line); None: not an IRI
        concepts: dict[int, tuple[str, str, str] | None] = {}

        def concept(i: int) -> tuple[str, str, str] | None:
            term = terms[i]
            if not term.startswith("<"):
                found = None
            else:
                iri = term[1:-1].rstrip("/")
                found = (iri.rsplit("/", 2)[0], last_segment(iri), f" {zwischen} {term} .\n")
            concepts[i] = found
            return found

        base = self.iris.base
        for rule, relation in RULES.items():
            related = closure.relation(str(relation))
            symmetric = (relation, RDF.type, OWL.SymmetricProperty) in self.ontology
            prop = shared_property(self.ontology, relation)
            values = closure.relation(str(prop)) if prop is not None else {}
            # Many concepts have equal value sets (every city-wide concept touches every place): what
            # a pair of value sets says is worked out once. Sets are numbered by first appearance.
            numbers: dict[frozenset[int], int] = {}
            by_concept = {c: numbers.setdefault(frozenset(v), len(numbers)) for c, v in values.items()}
            sets = {n: fs for fs, n in numbers.items()}
            tails: dict[tuple[int, int], list[str]] = {}  # (set number, set number) → the node's last lines
            head = ["", f" {type_} {cls} .\n"]
            rule_part = f" {regel} <{relation}> .\n"
            opening = f" {type_} {cls} ; {zwischen} "
            rule_ttl = f" ; {regel} <{relation}>"
            pairs = related.items() if only is None else ((a, related[a]) for a in only if a in related)
            for a, others in pairs:
                about_a = concepts[a] if a in concepts else concept(a)
                if about_a is None:
                    continue
                pa, sa, za = about_a
                na = by_concept.get(a, -1)
                for b in others:
                    # Each unordered pair once: from its smaller end (of a symmetric relation, the other
                    # half is there), or from the end that ``only`` lists.
                    if b <= a and (only is None or b in only) and (b == a or symmetric or a in related.get(b, ())):
                        continue
                    about_b = concepts[b] if b in concepts else concept(b)
                    if about_b is None:
                        continue
                    pb, sb, zb = about_b
                    # as node_iri(), without its parsing: this runs for every pair
                    prefix = pa + "/" if pa == pb and pa.startswith(base) else base
                    if sa <= sb:
                        node, x, y = f"<{prefix}synergie/{sa}--{sb}--{rule}>", a, b
                    else:
                        node, x, y = f"<{prefix}synergie/{sb}--{sa}--{rule}>", b, a
                    if prop is None:  # explicit: stated, nothing to share
                        tail = self._stated(terms[x], terms[y])
                    else:
                        nb = by_concept.get(b, -1)
                        key = (na, nb) if na <= nb else (nb, na)
                        tail = tails.get(key)
                        if tail is None:
                            tail = tails[key] = self._shared_tail(rule, sets.get(na, frozenset()),
                                                                  sets.get(nb, frozenset()), contains, kind_of)
                    self.triples += tail[2]
                    if turtle:
                        yield f"{node}{opening}{terms[x]} , {terms[y]}{rule_ttl}{tail[1]}"
                    else:
                        zx, zy = (za, zb) if x == a else (zb, za)
                        yield node.join([*head, zx, zy, rule_part, *tail[0]])

    def _stated(self, x: str, y: str) -> Tail:
        """The last triples of an explicit synergy's node."""
        de = (f"Das Wiki nennt die Synergie zwischen {self.label(x, 'de')} und {self.label(y, 'de')} "
              "ausdrücklich.")
        en = f"The wiki states the synergy between {self.label(x, 'en')} and {self.label(y, 'en')} explicitly."
        return _tail((), _literal("1", datatype=_DECIMAL), _literal(de, lang="de"), _literal(en, lang="en"))

    def _shared_tail(self, rule: str, va: frozenset[int], vb: frozenset[int], contains: dict[int, set[int]],
                     kind_of: dict[int, dict[str, str]]) -> Tail:
        """The last lines of a node whose concepts have the value sets ``va`` and ``vb``: what they
        share, how strongly, and why in words."""
        shared = va & vb
        key = (rule, shared)
        said = self._said.get(key)
        if said is None:
            said = self._said[key] = self._say(rule, shared, contains, kind_of)
        named, de, en = said
        return _tail(named, _literal(strength(len(shared), len(va | vb)), datatype=_DECIMAL), de, en)

    def changed_concepts(self, other: Explainer) -> set[int] | None:
        """The concepts whose explanations may differ between this run and ``other`` (same term table):
        those whose relations, shared values or names changed. None if something every explanation
        may depend on changed (names of shared values, the place hierarchy): then all of them."""
        mine, theirs = self.closure, other.closure
        changed: set[int] = set()
        for relation in RULES.values():
            for prop in (relation, shared_property(self.ontology, relation)):
                if prop is not None:
                    changed |= _differing_keys(mine.relation(str(prop)), theirs.relation(str(prop)))
        if _differing_keys(mine.relation(str(OB.umfasst)), theirs.relation(str(OB.umfasst))):
            return None
        for c in self.ontology.subjects(RDFS.subClassOf, OB.Raum):
            key = mine.ids.get(f"<{c}>", -1)
            if mine.relation(str(RDF.type)).get(key) != theirs.relation(str(RDF.type)).get(key):
                return None
        renamed = {t for t in set(self._labels) | set(other._labels) if self._labels.get(t) != other._labels.get(t)}
        concepts = set()
        for relation in RULES.values():
            concepts |= set(mine.relation(str(relation))) | set(theirs.relation(str(relation)))
        for term in renamed:
            i = mine.ids.get(term)
            if i is None:
                continue
            if i not in concepts:
                return None  # a shared value was renamed: its sentences change everywhere
            changed.add(i)
        return changed

    def _say(self, rule: str, shared: frozenset[int], contains: dict[int, set[int]],
             kind_of: dict[int, dict[str, str]]) -> tuple[tuple[str, ...], str, str]:
        """The values a node names as shared (N-Triples terms), and the sentences as literals. For
        places only the largest shared ones: those within them follow from ob:umfasst and are counted."""
        terms = self.closure.terms
        if not shared:  # a relation asserted in the data, not derived from shared values
            return ((), _literal("Im Datenbestand ausdrücklich angegeben; nichts gemeinsam.", lang="de"),
                    _literal("Stated in the data; nothing shared.", lang="en"))
        named, hidden = sorted(shared), 0
        if rule == "raum":
            inner: set[int] = set()
            for q in shared:
                inner |= contains.get(q, set())
            inner &= shared
            named, hidden = sorted(shared - inner), len(inner)
        sentences = []
        for lang in ("de", "en"):
            names = []
            for v in named:
                kind = kind_of.get(v, {}).get(lang) if rule == "raum" else None
                name = self.label(terms[v], lang)
                names.append(f"{name} ({kind})" if kind else name)
            sentences.append(_literal(sentence(rule, sorted(names), lang, hidden), lang=lang))
        return tuple(terms[v] for v in named), sentences[0], sentences[1]


def _differing_keys(a: dict[int, set[int]], b: dict[int, set[int]]) -> set[int]:
    """Keys whose values differ between two relations (objects count as keys too: a relation's other
    end is affected as well)."""
    out: set[int] = set()
    for key in set(a) | set(b):
        va, vb = a.get(key, set()), b.get(key, set())
        if va != vb:
            out.add(key)
            out |= va ^ vb
    return out
