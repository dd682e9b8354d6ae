"""The facts of one inference run as integer ids, and the semi-naive fixpoint of the rules over them.

Rules come from :mod:`graph.inference.rules`; each stratum runs once, or until nothing new follows if it reads
what it writes (https://en.wikipedia.org/wiki/Datalog#Evaluation: semi-naive evaluation).
"""
from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from graph.inference.rules import TYPE, Relation, Rule, strata

_TYPE_TERM = f"<{TYPE}>"


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cycle collector off for a while. The closure makes millions of sets and tuples, none in a
    cycle; every full collection would walk all of them again (a third of the time at 100k triples)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()



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
