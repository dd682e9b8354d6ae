"""The fast SHACL engine: core constraints in Rust (the ``shacl`` package), SPARQL-based constraints and
``sh:nodeKind`` as one whole-graph query each on pyoxigraph. Its findings equal pySHACL's (tests compare).

Why two engines: the Rust engine checks core constraints of a million triples in seconds, but runs a
SPARQL constraint once per focus node, which costs minutes at that size; pyoxigraph answers the same
constraint for all focus nodes in one query. The Rust engine renames blank nodes, so blank nodes are
handed to it as skolem IRIs and mapped back; ``sh:nodeKind`` is therefore checked on pyoxigraph, where
blank nodes are still blank (https://www.w3.org/TR/shacl/#NodeKindConstraintComponent). The data passes
through pyoxigraph, which writes numbers canonically ("0.0"^^xsd:decimal becomes "0") and stores derived
integer types as xsd:integer: findings describe the data as the store would hold it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib import BNode, URIRef

from graph.gate.shapes import Shapes
from graph.namespaces import SH
from graph.store import to_ox, to_rdflib

SKOLEM = "urn:x-stadtgraph:bnode:"
_SEVERITY_RANK = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}


@dataclass(frozen=True)
class Finding:
    """One validation result (https://www.w3.org/TR/shacl/#results-validation-result)."""

    focus: rdflib.term.Node
    path: URIRef | None
    value: rdflib.term.Node | None
    severity: URIRef
    shape: URIRef
    component: URIRef
    messages: tuple[tuple[str, str], ...] = ()
    constraint: rdflib.term.Node | None = None

    @property
    def is_violation(self) -> bool:
        return self.severity == SH.Violation

    def message(self, lang: str = "de") -> str:
        table = dict(self.messages)
        return table.get(lang) or table.get("de") or next(iter(table.values()), "")

    def key(self) -> tuple:
        """What identifies a finding whatever engine produced it (messages and constraint node aside)."""
        return (self.focus, self.path, self.value, self.shape, self.component, self.severity)

    def sort_key(self) -> tuple:
        return (_SEVERITY_RANK.get(self.severity, 3), str(self.focus), str(self.shape), str(self.path or ""),
                str(self.value if self.value is not None else ""), str(self.component))


# ---- data in ------------------------------------------------------------------------------------------
def dataset(triples: Iterable[tuple]) -> ox.Store:
    """An in-memory pyoxigraph store holding rdflib triples in its default graph."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in triples)
    return store


def _skolem(term):
    return ox.NamedNode(SKOLEM + term.value) if isinstance(term, ox.BlankNode) else term


def _unskolem(term: rdflib.term.Node | None) -> rdflib.term.Node | None:
    if isinstance(term, URIRef) and term.startswith(SKOLEM):
        return BNode(term[len(SKOLEM):])
    return term


def ntriples_for_rust(data: ox.Store) -> bytes:
    """The default graph as N-Triples, blank nodes as skolem IRIs (the Rust engine renames blank nodes)."""
    has_blank = data.query("ASK { { ?s ?p ?o FILTER isBlank(?s) } UNION { ?s ?p ?o FILTER isBlank(?o) } }")
    if not bool(has_blank):
        return data.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    triples = (ox.Triple(_skolem(q.subject), q.predicate, _skolem(q.object))
               for q in data.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


# ---- validation ---------------------------------------------------------------------------------------
def validate(shapes: Shapes, data: ox.Store) -> list[Finding]:
    """Every finding of ``shapes`` on the default graph of ``data``, sorted (violations first).

    ``data`` must hold whatever the class targets need, i.e. the ontology's rdfs:subClassOf triples.
    """
    found: set[Finding] = set()
    report = shapes.compiled.validate_text(ntriples_for_rust(data).decode("utf-8"), format="ntriples")
    for result in report.results:
        found.add(_from_rust(shapes, result))
    for check in shapes.checks:
        info = shapes.info[check.shape]
        messages = tuple(sorted(info.message.items()))
        for row in data.query(check.query):
            found.add(Finding(
                focus=to_rdflib(row["this"]), path=info.path, value=to_rdflib(row["value"]),
                severity=info.severity, shape=check.shape, component=check.component,
                messages=messages, constraint=check.constraint))
    return sorted(found, key=Finding.sort_key)


def _term(nt: str | None) -> rdflib.term.Node | None:
    if not nt:
        return None
    if nt.startswith("<") and nt.endswith(">"):
        return _unskolem(URIRef(nt[1:-1]))
    if nt.startswith("_:"):
        return BNode(nt[2:])
    triple = next(iter(ox.parse(f"<urn:s> <urn:p> {nt} .".encode(), format=ox.RdfFormat.N_TRIPLES)))
    return to_rdflib(triple.object)


def _from_rust(shapes: Shapes, result) -> Finding:
    shape = _term(result.root_shape or result.source_shape)
    info = shapes.info.get(shape)  # type: ignore[arg-type]
    messages = tuple(sorted(info.message.items())) if info else tuple(("und", m) for m in result.messages)
    path = _term(result.path) if result.path and result.path.startswith("<") else None
    return Finding(
        focus=_term(result.focus_node), path=path, value=_term(result.value),
        severity=URIRef(result.severity_iri), shape=shape, component=URIRef(result.component_iri),
        messages=messages)


def conforms(findings: Iterable[Finding]) -> bool:
    return not any(f.is_violation for f in findings)
