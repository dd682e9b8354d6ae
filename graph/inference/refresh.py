"""Synergy inference: the OWL 2 RL entailments of the ontology's axioms over the asserted data, without
junk, with an explanation for every synergy, kept in their own named graph (``Iris.inferred_graph``).

The fast path compiles the axioms into rules (:mod:`graph.inference.rules`) and runs them in memory; owlrl's full
closure (:func:`reference_closure`) is the reference the tests compare against. :func:`refresh` recomputes
everything and writes the difference to the stored graph in one transaction; :func:`updating` wraps one
write and writes only what it changed.
"""
from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from graph.inference import explain, rules
from graph.inference.closure import Closure, paused_gc
from graph.iris import Iris
from graph.namespaces import ONTOLOGY_IRI, OWL, RDF, RDFS, XSD
from graph.settings import Settings
from graph.store import Store, to_ox

#: Subjects in these namespaces are vocabulary, not data: nothing derived about them is kept.
VOCABULARY_NAMESPACES: tuple[str, ...] = (ONTOLOGY_IRI, str(RDF), str(RDFS), str(OWL), str(XSD))
#: Types from these namespaces (owl:Thing, rdfs:Resource, owl:NamedIndividual …) tell a user nothing.
EMPTY_TYPE_NAMESPACES: tuple[str, ...] = (str(RDF), str(RDFS), str(OWL))
#: Above this many triples (old + new) the write replaces the graph instead of computing a difference
#: in memory (about 300 bytes a triple).
DIFF_LIMIT = 3_000_000


class JunkFilter:
    """What the inferred graph keeps: triples about the data that tell a user something. Dropped:
    literal or blank subjects, blank objects, reflexive triples (a concept related to itself),
    owl:sameAs, anything about a term of the vocabulary, types such as owl:Thing. Terms are in
    N-Triples form; one filter for the fast path and for owlrl's closure alike."""

    def __init__(self, ontology: rdflib.Graph) -> None:
        self.vocabulary = {str(to_ox(s)) for s in ontology.subjects() if isinstance(s, rdflib.URIRef)}
        self._vocab_prefixes = tuple(f"<{ns}" for ns in VOCABULARY_NAMESPACES)
        self._empty_types = tuple(f"<{ns}" for ns in EMPTY_TYPE_NAMESPACES)
        self.same_as, self.type = f"<{OWL.sameAs}>", f"<{RDF.type}>"

    def subject(self, s: str) -> bool:
        return s.startswith("<") and not s.startswith(self._vocab_prefixes) and s not in self.vocabulary

    def object(self, p: str, o: str) -> bool:
        return not o.startswith("_:") and not (p == self.type and o.startswith(self._empty_types))

    def keep(self, s: str, p: str, o: str) -> bool:
        return s != o and p != self.same_as and self.subject(s) and self.object(p, o)


@dataclass
class Inference:
    """One run: the closure in memory and what it yields for the inferred graph (as N-Triples lines)."""

    closure: Closure
    junk: JunkFilter
    explainer: explain.Explainer
    passes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    triples: int = 0  # entailments given out by derived_chunks()

    def kept(self) -> Iterator[tuple[int, int, set[int]]]:
        """The kept entailments as (subject, predicate, objects) ids: the closure minus what was given,
        minus the junk."""
        terms, junk = self.closure.terms, self.junk
        blank = {i for i, t in enumerate(terms) if t.startswith("_:")}
        for s, p, objects in self.closure.derived():
            st, pt = terms[s], terms[p]
            if pt == junk.same_as or not junk.subject(st):
                continue
            if pt == junk.type:
                objects = {o for o in objects if junk.object(pt, terms[o])}
            objects = objects.difference(blank, (s,))  # nothing related to itself
            if objects:
                yield s, p, objects

    def derived_chunks(self, *, turtle: bool = False) -> Iterator[str]:
        """The kept entailments, one string per subject and predicate: N-Triples lines, or with
        ``turtle`` the short form ``s p o1 , o2 .``; ``triples`` counts them."""
        terms = self.closure.terms
        with paused_gc():
            for s, p, objects in self.kept():
                self.triples += len(objects)
                prefix = f"{terms[s]} {terms[p]} "
                if turtle:
                    yield prefix + " , ".join([terms[o] for o in objects]) + " .\n"
                else:
                    yield prefix + f" .\n{prefix}".join([terms[o] for o in objects]) + " .\n"

    def derived_lines(self) -> Iterator[str]:
        """The kept entailments, one N-Triples line each."""
        return _split(self.derived_chunks())

    def chunks(self, *, turtle: bool = False) -> Iterator[str]:
        """The whole new content of the inferred graph: entailments, then explanations."""
        yield from self.derived_chunks(turtle=turtle)
        yield from self.explainer.chunks(turtle=turtle)

    @property
    def given_out(self) -> int:
        """How many triples the chunks given out so far hold."""
        return self.triples + self.explainer.triples

    def lines(self) -> Iterator[str]:
        return _split(self.chunks())


def load_ontology(store: Store, settings: Settings) -> rdflib.Graph:
    """The ontology as the store holds it (as built), else as the file says."""
    iris = Iris(settings.base_iri)
    if str(iris.ontology_graph) in store.named_graphs():
        g = store.graph(str(iris.ontology_graph))
        if len(g):
            return g
    return rdflib.Graph().parse(Path(settings.ontology_path), format="turtle")


def _read(store: Store, predicates: frozenset[str], skip: str) -> Iterator[tuple[str, ox.Triple | ox.Quad]]:
    """(predicate IRI, triple) of the asserted triples with these predicates, from every graph but ``skip``."""
    raw = store.native()
    if raw is not None:
        # Graph by graph: the predicate indexes would also walk the (large) inferred graph.
        skipped = ox.NamedNode(skip)
        for graph in [ox.DefaultGraph(), *raw.named_graphs()]:
            if graph != skipped:
                for quad in raw.quads_for_pattern(None, None, None, graph):
                    p = quad.predicate.value
                    if p in predicates:
                        yield p, quad
        return
    values = " ".join(f"<{p}>" for p in sorted(predicates))
    for triple in store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?p {{ {values} }} "
                              f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{skip}>) }}"):
        yield triple.predicate.value, triple


def compute(store: Store, settings: Settings, ontology: rdflib.Graph | None = None, *,
            like: Inference | None = None) -> Inference:
    """Derive the new content of the inferred graph from the store's asserted graphs (nothing written).
    With ``like``, share its term table, so that the two runs can be compared."""
    iris = Iris(settings.base_iri)
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    ontology = ontology if ontology is not None else load_ontology(store, settings)
    ruleset = rules.compile_rules(ontology)
    closure = Closure(like.closure if like else None)
    explainer = explain.Explainer(closure, ontology, iris)
    wanted, labels = ruleset.predicates, explain.LABEL_PREDICATES
    terms = {p: f"<{p}>" for p in wanted}
    with paused_gc():
        for p, triple in _read(store, wanted | labels, str(iris.inferred_graph)):
            if p in labels:
                explainer.add_label(triple.subject, p, triple.object)
                if p not in wanted:
                    continue
            closure.add(str(triple.subject), terms[p], str(triple.object))
        seconds["input"] = time.perf_counter() - t
        stats = closure.run(ruleset.rules)
    seconds["rules"] = stats.seconds
    return Inference(closure, JunkFilter(ontology), explainer, passes=stats.passes, seconds=seconds)


def refresh(store: Store, settings: Settings) -> int:
    """Bring the inferred graph up to date with the asserted graphs; returns its number of triples.

    Everything is recomputed in memory (``python -m bench.inference``). Where the graph exists, only the
    difference is written, in one transaction, so readers see the old graph or the new one; an empty
    graph is filled by a bulk load, and one of more than :data:`DIFF_LIMIT` triples replaced. The build
    calls it; for one write at a time :func:`updating` is faster.
    """
    return write(store, Iris(settings.base_iri).inferred_graph, compute(store, settings))["triples"]


def write(store: Store, graph: rdflib.URIRef, inference: Inference) -> dict[str, int]:
    """Make ``graph`` hold exactly ``inference.lines()``; returns counts (triples, added, removed)."""
    raw = store.native()
    if raw is None:
        g = rdflib.Graph().parse(data="".join(inference.lines()), format="nt")
        store.replace_graphs({str(graph): g})
        return {"triples": len(g), "added": len(g), "removed": -1}
    target = ox.NamedNode(str(graph))
    if next(iter(raw.quads_for_pattern(None, None, None, target)), None) is None:
        # Nothing there yet (a first build): stream everything in. bulk_load, because one transaction
        # of millions of triples would be held in memory; readers may see the graph fill up.
        raw.bulk_load(io.BufferedReader(_ChunkReader(inference.chunks(turtle=True)), 1 << 20),
                      format=ox.RdfFormat.TURTLE, to_graph=target)
        _compact(store)
        return {"triples": inference.given_out, "added": inference.given_out, "removed": 0}
    new = set(inference.lines())
    old_size = sum(1 for _ in raw.quads_for_pattern(None, None, None, target))
    if old_size + len(new) > DIFF_LIMIT:
        # Too big to compare in memory: replace (readers may see the graph empty for a moment).
        raw.update(f"DROP SILENT GRAPH {target}")
        raw.bulk_load(io.BufferedReader(_ChunkReader(iter(new)), 1 << 20), format=ox.RdfFormat.N_TRIPLES,
                      to_graph=target)
        _compact(store)
        return {"triples": len(new), "added": len(new), "removed": old_size}
    old = set(raw.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=target).decode("utf-8").splitlines(keepends=True))
    added, removed = new - old, old - new
    if added or removed:
        # One SPARQL update is one transaction in Oxigraph. The inferred graph holds no blank nodes
        # (the junk filter drops them), so DELETE DATA can name every triple.
        raw.update(f"DELETE DATA {{ GRAPH {target} {{\n{''.join(removed)}}} }} ;\n"
                   f"INSERT DATA {{ GRAPH {target} {{\n{''.join(added)}}} }}")
    return {"triples": len(new), "added": len(added), "removed": len(removed)}


def _compact(store: Store) -> None:
    """After a bulk load into an on-disk store: without compaction, reading the other graphs back
    (the next update reads every asserted graph) is several times slower."""
    if store.path is not None:
        store.native().optimize()


@contextmanager
def updating(store: Store, settings: Settings) -> Iterator[dict[str, int]]:
    """Wrap a write to asserted graphs: afterwards, only what the write changed in the inferred graph
    is written, in one transaction. Much faster than :func:`refresh` on a large graph, and meant for
    the HTTP write path. Assumes the inferred graph is current before (a build or refresh makes it so).

        with inference.updating(store, settings) as counts:
            store.replace_graphs({graph: record})
        counts  # {"added": …, "removed": …}
    """
    before = compute(store, settings)
    counts: dict[str, int] = {}
    yield counts
    after = compute(store, settings, like=before)
    counts.update(write_difference(store, Iris(settings.base_iri).inferred_graph, before, after))


def difference(before: Inference, after: Inference) -> tuple[list[str], list[str]]:
    """The N-Triples lines to remove and to add to turn ``before``'s inferred graph into ``after``'s
    (two runs sharing one term table)."""
    terms = after.closure.terms
    old = {(s, p): objects for s, p, objects in before.kept()}
    removed: list[str] = []
    added: list[str] = []
    for s, p, objects in after.kept():
        was = old.pop((s, p), None)
        if was == objects:
            continue
        prefix = f"{terms[s]} {terms[p]} "
        added += [f"{prefix}{terms[o]} .\n" for o in (objects - was if was else objects)]
        if was:
            removed += [f"{prefix}{terms[o]} .\n" for o in was - objects]
    for (s, p), objects in old.items():
        removed += [f"{terms[s]} {terms[p]} {terms[o]} .\n" for o in objects]
    only = before.explainer.changed_concepts(after.explainer)
    was_said = set(_split(before.explainer.chunks(only)))
    now_said = set(_split(after.explainer.chunks(only)))
    return removed + sorted(was_said - now_said), added + sorted(now_said - was_said)


def write_difference(store: Store, graph: rdflib.URIRef, before: Inference, after: Inference) -> dict[str, int]:
    """Apply :func:`difference` to the stored inferred graph in one transaction."""
    raw = store.native()
    if raw is None:
        return write(store, graph, after)
    removed, added = difference(before, after)
    if removed or added:
        target = ox.NamedNode(str(graph))
        raw.update(f"DELETE DATA {{ GRAPH {target} {{\n{''.join(removed)}}} }} ;\n"
                         f"INSERT DATA {{ GRAPH {target} {{\n{''.join(added)}}} }}")
    return {"added": len(added), "removed": len(removed)}


def _split(chunks: Iterator[str]) -> Iterator[str]:
    for chunk in chunks:
        yield from chunk.splitlines(keepends=True)


class _ChunkReader(io.RawIOBase):
    """A binary stream over chunks of RDF text, so that pyoxigraph can load a generator without it
    being joined in memory first."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self._lines, self._buffer, self._pos = chunks, b"", 0

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:  # type: ignore[override]
        if self._pos >= len(self._buffer):
            chunk = []
            for line in self._lines:
                chunk.append(line)
                if len(chunk) >= 1024:
                    break
            self._buffer, self._pos = "".join(chunk).encode("utf-8"), 0
        n = min(len(target), len(self._buffer) - self._pos)
        target[:n] = self._buffer[self._pos:self._pos + n]
        self._pos += n
        return n


# ---- the reference: owlrl's full closure, filtered the same way --------------------------------------
def reference_closure(asserted: rdflib.Graph, ontology: rdflib.Graph) -> set[str]:
    """The N-Triples lines owlrl's full OWL 2 RL closure of ontology + asserted data adds, minus the junk
    (the same :class:`JunkFilter` as the fast path). Slow (pure Python): for tests and the bench only."""
    import owlrl

    graph = rdflib.Graph()
    for t in ontology:
        graph.add(t)
    for t in asserted:
        graph.add(t)
    before = set(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    junk = JunkFilter(ontology)
    out = set()
    for s, p, o in graph:
        if (s, p, o) in before or isinstance(s, rdflib.Literal):
            continue
        st, pt, ot = str(to_ox(s)), str(to_ox(p)), str(to_ox(o))
        if junk.keep(st, pt, ot):
            out.add(f"{st} {pt} {ot} .\n")
    return out
