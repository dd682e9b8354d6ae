"""OWL 2 RL rules compiled from the ontology's axioms and ordered in strata (evaluated by graph.inference.closure).

The fast path of the inference; owlrl (pure Python, full closure) stays the reference the tests compare
against. Implements the instance rules of https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules
that the ontology uses: prp-spo1, prp-spo2 (property chains), prp-inv1/2, prp-symp, prp-trp, prp-eqp1/2,
prp-dom, prp-rng, cax-sco, cax-eqc1/2. Equality (owl:sameAs from functional properties) is left out on
purpose: it tells a user nothing about synergies and would multiply the graph.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import rdflib
from rdflib import URIRef
from rdflib.collection import Collection

from graph.namespaces import OWL, RDF, RDFS, XSD

TYPE = str(RDF.type)
# Classes that are datatypes: a range of one of these types a literal, never a node.
_DATATYPE_PREFIXES = (str(XSD), str(RDF.langString), str(RDFS.Literal))

Relation = dict[int, set[int]]  # subject id → object ids; for rdf:type: class id → instance ids


@dataclass(frozen=True)
class Rule:
    """One OWL 2 RL rule instantiated for one axiom.

    ``kind`` is ``copy`` (body P entails head Q), ``swap`` (P(x,y) entails Q(y,x)), ``chain`` (P1∘…∘Pn
    entails Q), ``subclass`` (type C entails type D), ``domain`` or ``range`` (P entails a type D).
    """

    name: str
    kind: str
    head: str                 # a property, or rdf:type for the class rules
    body: tuple[str, ...]     # properties (for subclass: rdf:type)
    source_class: str = ""    # subclass: C
    target_class: str = ""    # subclass, domain, range: D
    axiom: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unsupported:
    """An axiom the fast path does not turn into a rule, and why."""

    axiom: tuple[str, ...]
    reason: str


@dataclass
class RuleSet:
    rules: list[Rule] = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)

    @property
    def predicates(self) -> frozenset[str]:
        """Every predicate a rule reads or writes: the input the fixpoint needs from the store."""
        out: set[str] = set()
        for r in self.rules:
            out |= set(r.body)
            out.add(r.head)
        return frozenset(out)

    def covered_axioms(self) -> set[tuple[str, ...]]:
        return {r.axiom for r in self.rules}


def compile_rules(ontology: rdflib.Graph) -> RuleSet:
    """The rules the ontology's axioms call for, and the axioms left without one."""
    out = RuleSet()
    add = out.rules.append

    def props(pred: URIRef) -> Iterator[tuple[str, str]]:
        for p, q in ontology.subject_objects(pred):
            if isinstance(p, URIRef) and isinstance(q, URIRef) and p != q and TYPE not in (str(p), str(q)):
                yield str(p), str(q)

    for p, q in props(RDFS.subPropertyOf):
        add(Rule(f"prp-spo1 {p} ⊑ {q}", "copy", q, (p,), axiom=(p, str(RDFS.subPropertyOf), q)))
    for p, q in props(OWL.equivalentProperty):
        axiom = (p, str(OWL.equivalentProperty), q)
        add(Rule(f"prp-eqp1 {p} ≡ {q}", "copy", q, (p,), axiom=axiom))
        add(Rule(f"prp-eqp2 {p} ≡ {q}", "copy", p, (q,), axiom=axiom))
    for p, q in props(OWL.inverseOf):
        axiom = (p, str(OWL.inverseOf), q)
        add(Rule(f"prp-inv1 {p} ⁻¹ {q}", "swap", q, (p,), axiom=axiom))
        add(Rule(f"prp-inv2 {p} ⁻¹ {q}", "swap", p, (q,), axiom=axiom))
    for p in ontology.subjects(RDF.type, OWL.SymmetricProperty):
        if isinstance(p, URIRef):
            add(Rule(f"prp-symp {p}", "swap", str(p), (str(p),), axiom=(str(p), TYPE, str(OWL.SymmetricProperty))))
    for p in ontology.subjects(RDF.type, OWL.TransitiveProperty):
        if isinstance(p, URIRef):
            add(Rule(f"prp-trp {p}", "chain", str(p), (str(p), str(p)),
                     axiom=(str(p), TYPE, str(OWL.TransitiveProperty))))
    for q, head in ontology.subject_objects(OWL.propertyChainAxiom):
        chain = list(Collection(ontology, head))
        axiom = (str(q), str(OWL.propertyChainAxiom), *map(str, chain))
        if not isinstance(q, URIRef) or len(chain) < 2 or not all(isinstance(c, URIRef) for c in chain) \
                or TYPE in axiom:
            out.unsupported.append(Unsupported(axiom, "Kette mit anonymen Eigenschaften / chain with anonymous properties"))
            continue
        add(Rule(f"prp-spo2 {q} ⊒ {' ∘ '.join(map(str, chain))}", "chain", str(q), tuple(map(str, chain)),
                 axiom=axiom))

    for pred, names in ((RDFS.subClassOf, ("cax-sco",)), (OWL.equivalentClass, ("cax-eqc1", "cax-eqc2"))):
        for c, d in ontology.subject_objects(pred):
            axiom = (str(c), str(pred), str(d))
            if not (isinstance(c, URIRef) and isinstance(d, URIRef)):
                out.unsupported.append(Unsupported(axiom, "Klassenausdruck / class expression"))
                continue
            if c == d:
                continue
            add(Rule(f"{names[0]} {c} ⊑ {d}", "subclass", TYPE, (TYPE,), str(c), str(d), axiom))
            if len(names) == 2:
                add(Rule(f"{names[1]} {d} ⊑ {c}", "subclass", TYPE, (TYPE,), str(d), str(c), axiom))
    for p, d in ontology.subject_objects(RDFS.domain):
        if isinstance(p, URIRef) and isinstance(d, URIRef):
            add(Rule(f"prp-dom {p} → {d}", "domain", TYPE, (str(p),), target_class=str(d),
                     axiom=(str(p), str(RDFS.domain), str(d))))
    for p, r in ontology.subject_objects(RDFS.range):
        # A datatype range types literals: a triple with a literal subject, junk by definition.
        if isinstance(p, URIRef) and isinstance(r, URIRef) and not str(r).startswith(_DATATYPE_PREFIXES):
            add(Rule(f"prp-rng {p} → {r}", "range", TYPE, (str(p),), target_class=str(r),
                     axiom=(str(p), str(RDFS.range), str(r))))

    for kind in (OWL.FunctionalProperty, OWL.InverseFunctionalProperty):
        for p in ontology.subjects(RDF.type, kind):
            out.unsupported.append(Unsupported(
                (str(p), TYPE, str(kind)),
                "ergibt nur owl:sameAs, das nicht abgeleitet wird / entails only owl:sameAs, which is not derived"))
    for kind in (OWL.hasKey, OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.intersectionOf,
                 OWL.unionOf, OWL.maxCardinality, OWL.maxQualifiedCardinality):
        for s, o in ontology.subject_objects(kind):
            out.unsupported.append(Unsupported((str(s), str(kind), str(o)), "nicht umgesetzt / not implemented"))
    return out


# ---- stratification ------------------------------------------------------------------------------
def strata(rules: Iterable[Rule]) -> list[tuple[list[Rule], frozenset[str]]]:
    """The rules grouped by strongly connected components of the predicate dependency graph, each
    stratum after those it reads from; with the stratum's predicates (a rule that reads one of them
    is recursive and runs to a fixpoint)."""
    rules = list(rules)
    edges: dict[str, set[str]] = {}
    for r in rules:
        for b in r.body:
            edges.setdefault(b, set()).add(r.head)
        edges.setdefault(r.head, set())
    out = []
    for comp in reversed(_tarjan(edges)):
        members = [r for r in rules if r.head in comp]
        if members:
            out.append((members, frozenset(comp)))
    return out


def _tarjan(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components, each listed after every component it points to."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[set[str]] = []

    def visit(v: str) -> None:  # the ontology's dependency graph is small: recursion is fine
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            out.append(comp)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out
