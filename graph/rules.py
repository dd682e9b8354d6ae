"""OWL 2 RL rules compiled from the ontology's axioms, evaluated semi-naively to a fixpoint in memory.

The fast path of the inference; owlrl (pure Python, full closure) stays the reference the tests compare
against. Implements the instance rules of https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules
that the ontology uses: prp-spo1, prp-spo2 (property chains), prp-inv1/2, prp-symp, prp-trp, prp-eqp1/2,
prp-dom, prp-rng, cax-sco, cax-eqc1/2. Equality (owl:sameAs from functional properties) is left out on
purpose: it tells a user nothing about synergies and would multiply the graph.
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import rdflib
from rdflib import URIRef
from rdflib.collection import Collection

from graph.namespaces import OWL, RDF, RDFS, XSD

TYPE = str(RDF.type)
_TYPE_TERM = f"<{TYPE}>"
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


# ---- evaluation ----------------------------------------------------------------------------------
@dataclass
class RunStats:
    passes: int = 0
    seconds: float = 0.0


class Closure:
    """Facts as integer ids (terms in N-Triples form), one relation per predicate, and the rules'
    fixpoint over them. rdf:type is kept by class (class → instances), which the class rules need."""

    def __init__(self, like: Closure | None = None) -> None:
        # Closures that share their term table (``like``) use the same ids: they can be compared.
        self.ids: dict[str, int] = like.ids if like else {}
        self.terms: list[str] = like.terms if like else []
        self.literals: set[int] = like.literals if like else set()
        self.rel: dict[int, Relation] = {}
        self.given: dict[int, Relation] = {}

    def id(self, term: str) -> int:
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
            if term.startswith('"'):
                self.literals.add(found)
        return found

    def add(self, s: str, p: str, o: str) -> None:
        """An asserted fact, each term in N-Triples form (``<iri>``, ``"lit"@de``, ``_:b``); all of
        them before :meth:`run`."""
        ids = self.ids
        pid, sid, oid = ids.get(p), ids.get(s), ids.get(o)
        pid = self.id(p) if pid is None else pid
        sid = self.id(s) if sid is None else sid
        oid = self.id(o) if oid is None else oid
        key, val = (oid, sid) if p == _TYPE_TERM else (sid, oid)
        rel = self.rel.get(pid)
        if rel is None:
            rel = self.rel[pid] = {}
        slot = rel.get(key)
        if slot is None:
            rel[key] = {val}
        else:
            slot.add(val)

    def relation(self, predicate: str) -> Relation:
        """The facts of a predicate (given and derived); for rdf:type by class."""
        return self.rel.setdefault(self.id(f"<{predicate}>"), {})

    def run(self, rules: Iterable[Rule]) -> RunStats:
        stats = RunStats()
        started = time.perf_counter()
        # What was given, to tell the derived facts apart at the end.
        self.given = {p: {k: set(v) for k, v in rel.items()} for p, rel in self.rel.items()}
        for members, preds in strata(rules):
            self._stratum(members, preds, stats)
        stats.seconds = time.perf_counter() - started
        return stats

    def _stratum(self, members: list[Rule], preds: frozenset[str], stats: RunStats) -> None:
        recursive = any(set(r.body) & preds for r in members)
        delta: dict[str, Relation] | None = None  # None: first pass, every body atom reads everything
        for _ in range(1000):
            stats.passes += 1
            new: dict[str, Relation] = {}
            for rule in members:
                self._apply(rule, delta, preds, new if recursive else None)
            if not recursive:
                return
            delta = {}
            for p, rel in new.items():
                full = self.relation(p)
                for key, vals in rel.items():
                    have = full.get(key)
                    fresh = vals - have if have else vals
                    if fresh:
                        (full.__setitem__(key, set(fresh)) if have is None else have.update(fresh))
                        delta.setdefault(p, {})[key] = fresh
            if not delta:
                return
        raise RuntimeError(f"no fixpoint: {[r.name for r in members]}")

    def _apply(self, rule: Rule, delta: dict[str, Relation] | None, preds: frozenset[str],
               staged: dict[str, Relation] | None) -> None:
        """One rule, semi-naively: after the first pass, only derivations that use a fact new in the
        last pass. Results go to ``staged`` (recursive strata) or straight into the relation."""
        head = self.relation(rule.head)
        out = staged.setdefault(rule.head, {}) if staged is not None else head

        def emit(key: int, vals: Iterable[int]) -> None:
            have = head.get(key)
            fresh = set(vals).difference(have) if have else set(vals)
            if fresh:
                slot = out.get(key)
                if slot is None:
                    out[key] = fresh
                else:
                    slot.update(fresh)

        def source(p: str) -> Relation | None:
            """The body relation to read: all of it, or only its delta (None: nothing new)."""
            if delta is None or p not in preds:
                return self.relation(p) if delta is None else None
            return delta.get(p)

        if rule.kind in ("copy", "domain", "range"):
            src = source(rule.body[0])
            if not src:
                return
            if rule.kind == "copy":
                for s, os in list(src.items()):
                    emit(s, os)
            elif rule.kind == "domain":
                emit(self.id(f"<{rule.target_class}>"), src.keys())
            else:
                objects: set[int] = set()
                for os in src.values():
                    objects.update(os)
                emit(self.id(f"<{rule.target_class}>"), objects - self.literals)
        elif rule.kind == "swap":
            src = source(rule.body[0])
            if not src:
                return
            flipped: Relation = {}
            for s, os in list(src.items()):
                for o in os:
                    slot = flipped.get(o)
                    if slot is None:
                        flipped[o] = {s}
                    else:
                        slot.add(s)
            for o, ss in flipped.items():
                emit(o, ss)
        elif rule.kind == "subclass":
            src = source(TYPE)
            if src:
                instances = src.get(self.id(f"<{rule.source_class}>"))
                if instances:
                    emit(self.id(f"<{rule.target_class}>"), instances)
        elif rule.kind == "chain":
            self._chain(rule, delta, preds, emit)
        else:  # pragma: no cover - compile_rules makes only the kinds above
            raise ValueError(rule.kind)

    def _chain(self, rule: Rule, delta: dict[str, Relation] | None, preds: frozenset[str], emit) -> None:
        body = rule.body
        positions = [None] if delta is None else [i for i, p in enumerate(body) if p in preds and delta.get(p)]
        for i in positions:
            # Start at the atom that reads the delta (or the first), extend to the right by subject…
            start = 0 if i is None else i
            current: Relation = dict(self.relation(body[0]) if i is None else delta[body[i]])
            for p in body[start + 1:]:
                rel = self.relation(p)
                nxt: Relation = {}
                for s, ys in current.items():
                    acc: set[int] = set()
                    for y in ys:
                        zs = rel.get(y)
                        if zs:
                            acc |= zs
                    if acc:
                        nxt[s] = acc
                current = nxt
            # …and to the left by object, through an inverted index of each earlier relation.
            for p in reversed(body[:start]):
                back: Relation = {}
                for x, ys in self.relation(p).items():
                    for y in ys:
                        if y in current:
                            slot = back.get(x)
                            if slot is None:
                                back[x] = set(current[y])
                            else:
                                slot |= current[y]
                current = back
            for s, zs in current.items():
                emit(s, zs)

    # -- reading the result -------------------------------------------------------------------------
    def derived(self) -> Iterator[tuple[int, int, set[int]]]:
        """(subject, predicate, objects) of every fact the rules added, by subject."""
        type_id = self.ids.get(f"<{TYPE}>")
        for p, rel in self.rel.items():
            given = self.given.get(p, {})
            if p == type_id:
                by_subject: Relation = {}
                for cls, instances in rel.items():
                    fresh = instances - given[cls] if cls in given else instances
                    for s in fresh:
                        by_subject.setdefault(s, set()).add(cls)
                for s, classes in by_subject.items():
                    yield s, p, classes
                continue
            for s, os in rel.items():
                fresh = os - given[s] if s in given else os
                if fresh:
                    yield s, p, fresh
