"""The SHACL shapes of ``shapes/``: read once per process, checked when read, split for the two engines.

A shapes file that breaks the house rules (a shape without a German and an English message, a SPARQL
constraint that does not parse) fails at start-up with a :class:`ConfigurationError`, never at a user.
Core constraints are compiled for the Rust engine (``shacl``); SPARQL-based constraints and
``sh:nodeKind`` are turned into whole-graph queries that :mod:`graph.gate.engine` runs on pyoxigraph.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
import shacl
from rdflib import BNode, Literal, URIRef

from graph.errors import ConfigurationError
from graph.namespaces import RDF, SH

LANGS = ("de", "en")
SHAPES_GRAPH_IRI = "https://daten.oberhausen.de/stadtgraph/shapes"

# sh:nodeKind → the SPARQL test a value must pass (https://www.w3.org/TR/shacl/#NodeKindConstraintComponent)
_NODE_KIND_TESTS: dict[URIRef, str] = {
    SH.IRI: "isIRI(?value)",
    SH.Literal: "isLiteral(?value)",
    SH.BlankNode: "isBlank(?value)",
    SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
    SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
    SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))",
}


@dataclass(frozen=True)
class ShapeInfo:
    """What a report says about a shape: its name, message and fix hint in German and English."""

    iri: URIRef
    name: dict[str, str]
    message: dict[str, str]
    hint: dict[str, str]
    severity: URIRef
    path: URIRef | None = None
    node_shapes: tuple[URIRef, ...] = ()  # the node shapes that hold this property shape

    def text(self, what: str, lang: str = "de") -> str:
        table: dict[str, str] = getattr(self, what)
        return table.get(lang) or table.get("de") or next(iter(table.values()), "")


@dataclass(frozen=True)
class QueryCheck:
    """A constraint evaluated as one query over the whole data graph: a SPARQL-based constraint
    (https://www.w3.org/TR/shacl/#sparql-constraints) or a generated ``sh:nodeKind`` test. The query
    selects ``?this`` (the focus node, joined with the shape's targets) and, where it has one, ``?value``."""

    shape: URIRef
    component: URIRef
    query: str
    constraint: rdflib.term.Node | None = None


@dataclass
class Shapes:
    """The shapes graph, the shapes by IRI, the compiled core part and the whole-graph query checks."""

    graph: rdflib.Graph
    info: dict[URIRef, ShapeInfo]
    checks: list[QueryCheck]
    core: rdflib.Graph
    _compiled: shacl.Shapes | None = field(default=None, repr=False)

    @property
    def compiled(self) -> shacl.Shapes:
        """The core constraints compiled for the Rust engine (compiled once, shared by all threads)."""
        if self._compiled is None:
            self._compiled = shacl.Shapes.from_text(self.core.serialize(format="nt"), format="ntriples")
        return self._compiled

    def turtle(self) -> str:
        return self.graph.serialize(format="turtle")


# ---- loading -----------------------------------------------------------------------------------------
def load_shapes(shapes_dir: str | Path) -> Shapes:
    """The shapes of every ``*.ttl`` file in ``shapes_dir``; cached until a file changes.

    :raises ConfigurationError: if a file does not parse or a shape breaks the house rules.
    """
    directory = Path(shapes_dir)
    files = tuple(sorted(directory.glob("*.ttl")))
    if not files:
        raise ConfigurationError(f"Keine SHACL-Regeln in {directory} / no shapes in {directory}")
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in files)
    return _load(stamp)


@functools.lru_cache(maxsize=4)
def _load(stamp: tuple[tuple[str, int], ...]) -> Shapes:
    g = rdflib.Graph()
    for name, _ in stamp:
        try:
            g.parse(name, format="turtle")
        except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
            raise ConfigurationError(f"SHACL-Datei {name} nicht lesbar / shapes file unreadable: {exc}") from exc
    return build_shapes(g)


def build_shapes(g: rdflib.Graph) -> Shapes:
    """Check a shapes graph and split it for the two engines."""
    info = _shape_infos(g)
    prologue = _prologue(g)
    checks: list[QueryCheck] = []
    core = rdflib.Graph()
    for triple in g:
        core.add(triple)
    for shape, sparql in list(g.subject_objects(SH.sparql)):
        checks.append(_sparql_check(g, info, prologue, shape, sparql))
        _remove_tree(core, shape, SH.sparql, sparql)
    for shape, kind in list(g.subject_objects(SH.nodeKind)):
        if shape in info and info[shape].path is not None:  # nested blank shapes stay with the Rust engine
            checks.append(_node_kind_check(info[shape], kind, g))
            core.remove((shape, SH.nodeKind, kind))
    _compile_check(checks)
    return Shapes(graph=g, info=info, checks=checks, core=core)


def _texts(g: rdflib.Graph, node: rdflib.term.Node, prop: URIRef) -> dict[str, str]:
    return {o.language: str(o) for o in g.objects(node, prop) if isinstance(o, Literal) and o.language}


def _shape_infos(g: rdflib.Graph) -> dict[URIRef, ShapeInfo]:
    shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    shapes |= {s for s in g.objects(None, SH.property) if isinstance(s, URIRef)}
    info: dict[URIRef, ShapeInfo] = {}
    for shape in shapes:
        if not isinstance(shape, URIRef):
            raise ConfigurationError(f"Jede Regel braucht eine IRI / every shape needs an IRI: {shape}")
        message = _texts(g, shape, SH.message)
        missing = [lang for lang in LANGS if lang not in message]
        if missing:
            raise ConfigurationError(f"Regel {shape}: sh:message fehlt für {', '.join(missing)} / "
                                     f"sh:message missing for {', '.join(missing)}")
        path = g.value(shape, SH.path)
        if path is not None and not isinstance(path, URIRef):
            raise ConfigurationError(f"Regel {shape}: nur einfache Pfade / only simple paths are supported")
        hint = _texts(g, shape, SH.description)
        if path is not None and any(lang not in hint for lang in LANGS):
            raise ConfigurationError(f"Regel {shape}: sh:description (Hinweis) fehlt auf Deutsch oder Englisch / "
                                     "sh:description (fix hint) missing in German or English")
        info[shape] = ShapeInfo(
            iri=shape, name=_texts(g, shape, SH.name), message=message, hint=hint,
            severity=g.value(shape, SH.severity) or SH.Violation, path=path,
            node_shapes=tuple(sorted(n for n in g.subjects(SH.property, shape) if isinstance(n, URIRef))))
    return info


def _prologue(g: rdflib.Graph) -> str:
    """PREFIX lines for every sh:declare in the shapes graph (https://www.w3.org/TR/shacl/#sparql-prefixes)."""
    lines = []
    for decl in g.objects(None, SH.declare):
        prefix, namespace = g.value(decl, SH.prefix), g.value(decl, SH.namespace)
        if prefix is not None and namespace is not None:
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines))) + "\n"


def _targets(g: rdflib.Graph, shape: URIRef) -> list[str]:
    """SPARQL patterns that bind ``?this`` to the focus nodes of one shape's own targets."""
    out = []
    for c in g.objects(shape, SH.targetClass):
        out.append(f"?this <{RDF.type}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{c}> .")
    if (shape, RDF.type, rdflib.OWL.Class) in g or (shape, RDF.type, rdflib.RDFS.Class) in g:
        out.append(f"?this <{RDF.type}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{shape}> .")
    for p in g.objects(shape, SH.targetSubjectsOf):
        out.append(f"?this <{p}> ?_target .")
    for p in g.objects(shape, SH.targetObjectsOf):
        out.append(f"?_target <{p}> ?this .")
    for n in g.objects(shape, SH.targetNode):
        out.append(f"VALUES ?this {{ {n.n3()} }}")
    return out


def _focus_pattern(g: rdflib.Graph, info: ShapeInfo) -> str:
    patterns = _targets(g, info.iri)
    for node_shape in info.node_shapes:
        patterns += _targets(g, node_shape)
    if not patterns:
        raise ConfigurationError(f"Regel {info.iri}: keine Ziele (sh:target…) / no targets")
    union = " UNION ".join(f"{{ {p} }}" for p in patterns)
    # DISTINCT: a node with two types of the target class hierarchy is one focus node, not two
    return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"


def _sparql_check(g: rdflib.Graph, info: dict[URIRef, ShapeInfo], prologue: str, shape: rdflib.term.Node,
                  constraint: rdflib.term.Node) -> QueryCheck:
    if shape not in info:
        raise ConfigurationError(f"SPARQL-Regel an einer Form ohne IRI / SPARQL constraint on an unnamed shape: {shape}")
    select = g.value(constraint, SH.select)
    if select is None:
        raise ConfigurationError(f"Regel {shape}: sh:sparql ohne sh:select / sh:sparql without sh:select")
    if "prefix " in str(select).lower().split("select", 1)[0]:
        raise ConfigurationError(f"Regel {shape}: PREFIX gehört in sh:declare / PREFIX belongs in sh:declare")
    # Whole-graph form: the constraint's own SELECT, joined with the shape's focus nodes.
    query = (f"{prologue}SELECT ?this ?value WHERE {{\n  {_focus_pattern(g, info[shape])}\n"
             f"  {{ {select} }}\n}}")
    return QueryCheck(shape=shape, component=SH.SPARQLConstraintComponent, query=query, constraint=constraint)


def _node_kind_check(shape: ShapeInfo, kind: rdflib.term.Node, g: rdflib.Graph) -> QueryCheck:
    test = _NODE_KIND_TESTS.get(kind)  # type: ignore[arg-type]
    if test is None:
        raise ConfigurationError(f"Regel {shape.iri}: unbekannte sh:nodeKind / unknown sh:nodeKind {kind}")
    query = (f"SELECT ?this ?value WHERE {{\n  {_focus_pattern(g, shape)}\n"
             f"  ?this <{shape.path}> ?value . FILTER (!{test})\n}}")
    return QueryCheck(shape=shape.iri, component=SH.NodeKindConstraintComponent, query=query)


def _remove_tree(g: rdflib.Graph, subject: rdflib.term.Node, prop: URIRef, node: rdflib.term.Node) -> None:
    g.remove((subject, prop, node))
    if isinstance(node, BNode):
        for p, o in list(g.predicate_objects(node)):
            _remove_tree(g, node, p, o)


def _compile_check(checks: list[QueryCheck]) -> None:
    """Prepare every query once on an empty store, so a syntax error fails start-up."""
    empty = ox.Store()
    for check in checks:
        try:
            list(empty.query(check.query))
        except SyntaxError as exc:
            raise ConfigurationError(f"Regel {check.shape}: SPARQL nicht lesbar / SPARQL unreadable: {exc}") from exc
