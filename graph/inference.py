"""Synergy inference: the OWL 2 RL entailments of the ontology's axioms over the asserted data, without
junk, with an explanation for every synergy, kept in their own named graph (``Iris.inferred_graph``).

The fast path compiles the axioms into SPARQL rules (:mod:`graph.rules`) and runs them on a scratch
pyoxigraph store; owlrl's full closure (:func:`reference_closure`) is the reference the tests compare
against. :func:`refresh` recomputes everything and writes only the difference, in one transaction.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from graph import explain, rules
from graph.iris import Iris
from graph.namespaces import ONTOLOGY_IRI, OWL, RDF, RDFS, XSD
from graph.settings import Settings
from graph.store import OxigraphStore, Store

# Work graphs of the scratch store besides the rules' input and derived graphs.
ONTOLOGY_WORK = "urn:stadtgraph:inference:ontologie"
NEW_WORK = "urn:stadtgraph:inference:neu"
OLD_WORK = "urn:stadtgraph:inference:alt"

#: Subjects in these namespaces are vocabulary, not data: nothing derived about them is kept.
VOCABULARY_NAMESPACES: tuple[str, ...] = (ONTOLOGY_IRI, str(RDF), str(RDFS), str(OWL), str(XSD))
#: Types from these namespaces (owl:Thing, rdfs:Resource, owl:NamedIndividual …) tell a user nothing.
EMPTY_TYPE_NAMESPACES: tuple[str, ...] = (str(RDF), str(RDFS), str(OWL))


def _junk_filter(graph: str) -> str:
    """The WHERE clause selecting the useful triples of ``graph`` in a scratch store: the one filter
    applied to the fast path's and to owlrl's derivations alike."""
    vocab = " || ".join(f'STRSTARTS(STR(?s), "{ns}")' for ns in VOCABULARY_NAMESPACES)
    empty_types = " || ".join(f'STRSTARTS(STR(?o), "{ns}")' for ns in EMPTY_TYPE_NAMESPACES)
    return f"""
      GRAPH <{graph}> {{ ?s ?p ?o }}
      FILTER(isIRI(?s) && !isBlank(?o) && !sameTerm(?s, ?o))
      FILTER(?p != <{OWL.sameAs}>)
      FILTER(!({vocab}))
      FILTER(?p != <{RDF.type}> || !({empty_types}))
      FILTER NOT EXISTS {{ GRAPH <{ONTOLOGY_WORK}> {{ ?s ?vp ?vo }} }}"""


@dataclass
class Inference:
    """What one run derived: the new content of the inferred graph (in ``scratch``, graph NEW_WORK)."""

    scratch: ox.Store
    triples: int = 0
    derived: int = 0
    explanations: int = 0
    passes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def load_ontology(store: Store, settings: Settings) -> rdflib.Graph:
    """The ontology as the store holds it (as built), else as the file says."""
    iris = Iris(settings.base_iri)
    if str(iris.ontology_graph) in store.named_graphs():
        g = store.graph(str(iris.ontology_graph))
        if len(g):
            return g
    return rdflib.Graph().parse(Path(settings.ontology_path), format="turtle")


def _scratch_with_ontology(ontology: rdflib.Graph) -> ox.Store:
    scratch = ox.Store()
    scratch.load(ontology.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                 to_graph=ox.NamedNode(ONTOLOGY_WORK))
    return scratch


def _copy_input(store: Store, scratch: ox.Store, predicates: frozenset[str], skip: list[str]) -> None:
    """The asserted triples the rules and explanations read, from every graph but ``skip``."""
    values = " ".join(f"<{p}>" for p in sorted(predicates))
    not_in = ", ".join(f"<{g}>" for g in skip)
    result = store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?p {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} "
        f"FILTER(?g NOT IN ({not_in})) }}"
    )
    data = result.serialize(format=ox.RdfFormat.N_TRIPLES)
    scratch.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(rules.INPUT_GRAPH))


def compute(store: Store, settings: Settings, ontology: rdflib.Graph | None = None) -> Inference:
    """Derive the new content of the inferred graph from the store's asserted graphs (nothing written)."""
    iris = Iris(settings.base_iri)
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    ontology = ontology if ontology is not None else load_ontology(store, settings)
    ruleset = rules.compile_rules(ontology)
    scratch = _scratch_with_ontology(ontology)
    needed = ruleset.predicates | explain.LABEL_PREDICATES
    _copy_input(store, scratch, needed, skip=[str(iris.inferred_graph)])
    seconds["input"] = time.perf_counter() - t

    stats = rules.run(scratch, ruleset.rules)
    seconds["rules"] = stats.seconds

    t = time.perf_counter()
    scratch.update(f"INSERT {{ GRAPH <{NEW_WORK}> {{ ?s ?p ?o }} }} WHERE {{ {_junk_filter(rules.DERIVED_GRAPH)} }}")
    kept = _size(scratch, NEW_WORK)
    seconds["filter"] = time.perf_counter() - t

    t = time.perf_counter()
    quads = explain.explanation_quads(scratch, ontology, iris, ox.NamedNode(NEW_WORK))
    scratch.extend(quads)
    seconds["explain"] = time.perf_counter() - t
    return Inference(scratch, triples=kept + len(quads), derived=kept, explanations=len(quads),
                     passes=stats.passes, seconds=seconds)


def _size(scratch: ox.Store, graph: str) -> int:
    return sum(1 for _ in scratch.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def refresh(store: Store, settings: Settings) -> int:
    """Bring the inferred graph up to date with the asserted graphs; returns its number of triples.

    Everything is recomputed (fast: see ``python -m bench.inference``), but only the difference to the
    current inferred graph is written, in one transaction: readers see the old graph or the new one.
    Call it after any write to the asserted graphs (the build does; so should the HTTP write path).
    """
    inferred = compute(store, settings)
    _write(store, Iris(settings.base_iri).inferred_graph, inferred.scratch)
    return inferred.triples


def _write(store: Store, inferred_graph: rdflib.URIRef, scratch: ox.Store) -> None:
    new = ox.NamedNode(NEW_WORK)
    if not isinstance(store, OxigraphStore):
        # Another backend: replace the whole graph through the interface (one request).
        g = rdflib.Graph().parse(data=scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=new), format="nt")
        store.replace_graphs({str(inferred_graph): g})
        return
    raw, target = store.raw, ox.NamedNode(str(inferred_graph))
    old = raw.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=target)
    if not old:
        # A first build: one transactional load.
        raw.load(scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=new), format=ox.RdfFormat.N_TRIPLES,
                 to_graph=target)
        return
    scratch.load(old, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(OLD_WORK))
    added = _difference(scratch, NEW_WORK, OLD_WORK)
    removed = _difference(scratch, OLD_WORK, NEW_WORK)
    if not added and not removed:
        return
    # One SPARQL update is one transaction in Oxigraph. The inferred graph holds no blank nodes
    # (the junk filter drops them), so DELETE DATA can name every triple.
    raw.update(
        f"DELETE DATA {{ GRAPH {target} {{\n{removed}\n}} }} ;\n"
        f"INSERT DATA {{ GRAPH {target} {{\n{added}\n}} }}"
    )


def _difference(scratch: ox.Store, graph: str, minus: str) -> str:
    result = scratch.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH <{minus}> {{ ?s ?p ?o }} }} }}"
    )
    return result.serialize(format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


# ---- the reference: owlrl's full closure, filtered the same way --------------------------------------
def reference_closure(asserted: rdflib.Graph, ontology: rdflib.Graph) -> set[tuple[rdflib.term.Node, ...]]:
    """What owlrl's full OWL 2 RL closure of ontology + asserted data adds, minus the junk (the same
    filter as the fast path). Slow (pure Python): for tests and the bench, never for the build."""
    import owlrl

    graph = rdflib.Graph()
    for t in ontology:
        graph.add(t)
    for t in asserted:
        graph.add(t)
    before = set(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    new = rdflib.Graph()
    for t in graph:
        if t not in before and not isinstance(t[0], rdflib.Literal):
            new.add(t)
    scratch = _scratch_with_ontology(ontology)
    scratch.load(new.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                 to_graph=ox.NamedNode(rules.DERIVED_GRAPH))
    return _triples(scratch.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_junk_filter(rules.DERIVED_GRAPH)} }}"))


def derived_triples(inferred: Inference) -> set[tuple[rdflib.term.Node, ...]]:
    """The kept entailments of a run (the inferred graph without the explanation nodes), as rdflib terms."""
    return _triples(inferred.scratch.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_junk_filter(rules.DERIVED_GRAPH)} }}"))


def _triples(result: ox.QueryTriples) -> set[tuple[rdflib.term.Node, ...]]:
    from graph.store import to_rdflib

    return {(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in result}
