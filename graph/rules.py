"""OWL 2 RL rules compiled from the ontology's axioms into SPARQL updates, run to a fixpoint on pyoxigraph.

The fast path of the inference (owlrl, pure Python, stays the reference that tests compare against).
Implements the instance rules of https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules
that the ontology uses: prp-spo1, prp-spo2 (property chains), prp-inv1/2, prp-symp, prp-trp, prp-eqp1/2,
prp-dom, prp-rng, cax-sco, cax-eqc1/2. Equality (owl:sameAs from functional properties) is left out on
purpose: it tells a user nothing about synergies and would multiply the graph.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterable

import pyoxigraph as ox
import rdflib
from rdflib import URIRef
from rdflib.collection import Collection

from graph.namespaces import OWL, RDF, RDFS, XSD

#: The work graphs inside the scratch store: the input triples and everything the rules derive.
INPUT_GRAPH = "urn:stadtgraph:inference:eingabe"
DERIVED_GRAPH = "urn:stadtgraph:inference:abgeleitet"

_TYPE = str(RDF.type)
# Classes that are datatypes: a range of one of these types a literal, never a node.
_DATATYPE_NAMESPACES = (str(XSD), str(RDF.langString), str(RDFS.Literal))


@dataclass(frozen=True)
class Rule:
    """One OWL 2 RL rule instantiated for one axiom: ``body`` patterns entail the ``head`` triple.

    ``body`` is a list of (subject, predicate, object) patterns over the variables ``?s``, ``?o`` and
    ``?v1``…; ``head`` uses ``?s`` and ``?o`` (or a fixed class for rdf:type).
    """

    name: str
    head: tuple[str, str, str]
    body: tuple[tuple[str, str, str], ...]
    axiom: tuple[str, ...]
    object_must_be_node: bool = False

    @property
    def head_predicate(self) -> str:
        return self.head[1]

    @property
    def body_predicates(self) -> frozenset[str]:
        return frozenset(p for _, p, _ in self.body)

    def sparql(self) -> str:
        """The rule as one SPARQL update on the scratch store: body over any work graph, new heads
        into the derived graph (only those not yet known, so the fixpoint can count what it added)."""
        patterns = " ".join(
            f"GRAPH ?g{i} {{ {_term(s)} <{p}> {_term(o)} }}" for i, (s, p, o) in enumerate(self.body)
        )
        hs, hp, ho = self.head
        node_filter = f"FILTER(!isLiteral({hs}))" if self.object_must_be_node else ""
        variables = " ".join(v for v in (hs, ho) if v.startswith("?"))
        return (
            f"INSERT {{ GRAPH <{DERIVED_GRAPH}> {{ {hs} <{hp}> {_term(ho)} }} }}\n"
            f"WHERE {{ {{ SELECT DISTINCT {variables} WHERE {{ {patterns} {node_filter} }} }}\n"
            f"  FILTER NOT EXISTS {{ GRAPH ?known {{ {hs} <{hp}> {_term(ho)} }} }} }}"
        )


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
            out |= r.body_predicates
            out.add(r.head_predicate)
        return frozenset(out)


def _term(t: str) -> str:
    """A variable as is, an IRI in angle brackets."""
    return t if t.startswith("?") else f"<{t}>"


def _is_datatype(iri: str) -> bool:
    return iri.startswith(_DATATYPE_NAMESPACES)


def compile_rules(ontology: rdflib.Graph) -> RuleSet:
    """The rules that the ontology's axioms call for, and the axioms left without a rule."""
    out = RuleSet()
    add = out.rules.append

    for p, q in ontology.subject_objects(RDFS.subPropertyOf):
        if isinstance(p, URIRef) and isinstance(q, URIRef) and p != q:
            add(Rule(f"prp-spo1 {p} ⊑ {q}", ("?s", str(q), "?o"), (("?s", str(p), "?o"),),
                     (str(p), str(RDFS.subPropertyOf), str(q))))
    for p, q in ontology.subject_objects(OWL.equivalentProperty):
        if isinstance(p, URIRef) and isinstance(q, URIRef) and p != q:
            axiom = (str(p), str(OWL.equivalentProperty), str(q))
            add(Rule(f"prp-eqp1 {p} ≡ {q}", ("?s", str(q), "?o"), (("?s", str(p), "?o"),), axiom))
            add(Rule(f"prp-eqp2 {p} ≡ {q}", ("?s", str(p), "?o"), (("?s", str(q), "?o"),), axiom))
    for p, q in ontology.subject_objects(OWL.inverseOf):
        if isinstance(p, URIRef) and isinstance(q, URIRef):
            axiom = (str(p), str(OWL.inverseOf), str(q))
            add(Rule(f"prp-inv1 {p} ⁻¹ {q}", ("?s", str(q), "?o"), (("?o", str(p), "?s"),), axiom))
            add(Rule(f"prp-inv2 {p} ⁻¹ {q}", ("?s", str(p), "?o"), (("?o", str(q), "?s"),), axiom))
    for p in ontology.subjects(RDF.type, OWL.SymmetricProperty):
        if isinstance(p, URIRef):
            add(Rule(f"prp-symp {p}", ("?s", str(p), "?o"), (("?o", str(p), "?s"),),
                     (str(p), _TYPE, str(OWL.SymmetricProperty))))
    for p in ontology.subjects(RDF.type, OWL.TransitiveProperty):
        if isinstance(p, URIRef):
            add(Rule(f"prp-trp {p}", ("?s", str(p), "?o"), (("?s", str(p), "?v1"), ("?v1", str(p), "?o")),
                     (str(p), _TYPE, str(OWL.TransitiveProperty))))
    for q, head in ontology.subject_objects(OWL.propertyChainAxiom):
        chain = list(Collection(ontology, head))
        axiom = (str(q), str(OWL.propertyChainAxiom), *map(str, chain))
        if not isinstance(q, URIRef) or not chain or not all(isinstance(c, URIRef) for c in chain):
            out.unsupported.append(Unsupported(axiom, "Kette mit anonymen Eigenschaften / chain with anonymous properties"))
            continue
        nodes = ["?s", *(f"?v{i}" for i in range(1, len(chain))), "?o"]
        body = tuple((nodes[i], str(c), nodes[i + 1]) for i, c in enumerate(chain))
        add(Rule(f"prp-spo2 {q} ⊒ {' ∘ '.join(map(str, chain))}", ("?s", str(q), "?o"), body, axiom))

    for c, d in ontology.subject_objects(RDFS.subClassOf):
        axiom = (str(c), str(RDFS.subClassOf), str(d))
        if isinstance(c, URIRef) and isinstance(d, URIRef):
            if c != d:
                add(Rule(f"cax-sco {c} ⊑ {d}", ("?s", _TYPE, str(d)), (("?s", _TYPE, str(c)),), axiom))
        else:
            out.unsupported.append(Unsupported(axiom, "Klassenausdruck / class expression"))
    for c, d in ontology.subject_objects(OWL.equivalentClass):
        axiom = (str(c), str(OWL.equivalentClass), str(d))
        if isinstance(c, URIRef) and isinstance(d, URIRef):
            add(Rule(f"cax-eqc1 {c} ≡ {d}", ("?s", _TYPE, str(d)), (("?s", _TYPE, str(c)),), axiom))
            add(Rule(f"cax-eqc2 {c} ≡ {d}", ("?s", _TYPE, str(c)), (("?s", _TYPE, str(d)),), axiom))
        else:
            out.unsupported.append(Unsupported(axiom, "Klassenausdruck / class expression"))
    for p, d in ontology.subject_objects(RDFS.domain):
        if isinstance(p, URIRef) and isinstance(d, URIRef):
            add(Rule(f"prp-dom {p} → {d}", ("?s", _TYPE, str(d)), (("?s", str(p), "?v1"),),
                     (str(p), str(RDFS.domain), str(d))))
    for p, r in ontology.subject_objects(RDFS.range):
        axiom = (str(p), str(RDFS.range), str(r))
        # A datatype range types literals: a triple with a literal subject, junk by definition.
        if isinstance(p, URIRef) and isinstance(r, URIRef) and not _is_datatype(str(r)):
            add(Rule(f"prp-rng {p} → {r}", ("?s", _TYPE, str(r)), (("?v1", str(p), "?s"),), axiom,
                     object_must_be_node=True))

    for kind in (OWL.FunctionalProperty, OWL.InverseFunctionalProperty):
        for p in ontology.subjects(RDF.type, kind):
            out.unsupported.append(Unsupported(
                (str(p), _TYPE, str(kind)),
                "ergibt nur owl:sameAs, das nicht abgeleitet wird / entails only owl:sameAs, which is not derived"))
    for kind in (OWL.hasKey, OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.intersectionOf,
                 OWL.unionOf, OWL.maxCardinality, OWL.maxQualifiedCardinality):
        for s, o in ontology.subject_objects(kind):
            out.unsupported.append(Unsupported((str(s), str(kind), str(o)), "nicht umgesetzt / not implemented"))
    return out


# ---- stratification ------------------------------------------------------------------------------
def strata(rules: Iterable[Rule]) -> list[tuple[list[Rule], bool]]:
    """The rules grouped by strongly connected components of the predicate dependency graph, in an
    order where every stratum only reads predicates that earlier strata have finished; each with a
    flag whether it feeds itself (then it runs to a fixpoint, else once)."""
    rules = list(rules)
    edges: dict[str, set[str]] = {}
    for r in rules:
        for b in r.body_predicates:
            edges.setdefault(b, set()).add(r.head_predicate)
        edges.setdefault(r.head_predicate, set())
    components = _tarjan(edges)  # reverse topological order
    out = []
    for comp in reversed(components):
        members = [r for r in rules if r.head_predicate in comp]
        if not members:
            continue
        recursive = any(r.body_predicates & comp for r in members)
        out.append((members, recursive))
    return out


def _tarjan(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components, each listed after every component it points to."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[set[str]] = []
    counter = 0

    def visit(v: str) -> None:  # the ontology's dependency graph is small: recursion is fine
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
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


# ---- running ---------------------------------------------------------------------------------------
@dataclass
class RunStats:
    passes: int = 0
    derived: int = 0
    seconds: float = 0.0


def run(scratch: ox.Store, rules: Iterable[Rule], *, max_passes: int = 100) -> RunStats:
    """Apply the rules to the scratch store (input in :data:`INPUT_GRAPH`) until nothing new follows;
    the new triples end up in :data:`DERIVED_GRAPH`."""
    stats = RunStats()
    started = time.perf_counter()
    derived = ox.NamedNode(DERIVED_GRAPH)

    def size() -> int:
        return sum(1 for _ in scratch.quads_for_pattern(None, None, None, derived))

    for members, recursive in strata(rules):
        updates = [r.sparql() for r in members]
        for _ in range(max_passes):
            before = len(scratch)
            for u in updates:
                scratch.update(u)
            stats.passes += 1
            if not recursive or len(scratch) == before:
                break
        else:
            raise RuntimeError(f"no fixpoint after {max_passes} passes: {[r.name for r in members]}")
    stats.derived = size()
    stats.seconds = time.perf_counter() - started
    return stats


def covered_axioms(rules: RuleSet) -> set[tuple[str, ...]]:
    """The axioms that have at least one rule."""
    return {r.axiom for r in rules.rules}
