"""The ontology and the SHACL shapes as documents: their graphs (for RDF by negotiation) and readable
documentation, German first, generated from the graphs themselves so it cannot drift from them.

pyLODE 3.4 was tried for the HTML: it fails on import (it looks for its own pyproject.toml) and
writes English headings only; this module gives the same overview with the project's own pages.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from graph.iris import Iris
from graph.labels import builtin, local_name
from graph.namespaces import OB, ONTOLOGY_IRI
from graph.settings import Settings
from graph.store import Store

VANN = rdflib.Namespace("http://purl.org/vocab/vann/")
CHARACTERISTICS = {
    OWL.SymmetricProperty: ("symmetrisch", "symmetric"),
    OWL.TransitiveProperty: ("transitiv", "transitive"),
    OWL.FunctionalProperty: ("funktional", "functional"),
    OWL.InverseFunctionalProperty: ("invers funktional", "inverse functional"),
}


def ontology_graph(store: Store, settings: Settings) -> Graph:
    """The ontology as the store holds it (what queries see), else as the file says."""
    graph = store.graph(str(Iris(settings.base_iri).ontology_graph))
    if len(graph):
        return graph
    return Graph().parse(settings.ontology_path, format="turtle")


def shapes_graph(settings: Settings) -> Graph:
    """Every ``*.ttl`` of the shapes directory as one graph, as the validation reads them."""
    graph = Graph()
    for path in sorted(Path(settings.shapes_dir).glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def is_version(graph: Graph, path: str) -> bool:
    """True when ``ontology/<path>`` is the ontology's version IRI."""
    return (URIRef(ONTOLOGY_IRI), OWL.versionIRI, URIRef(f"{ONTOLOGY_IRI}/{path}")) in graph


def _text(graph: Graph, node, props: Iterable, lang: str) -> str | None:
    for prop in props:
        found = {(o.language or ""): str(o) for o in graph.objects(node, prop) if isinstance(o, rdflib.Literal)}
        for key in (lang, "", "de", "en"):
            if key in found:
                return found[key]
        if found:
            return next(iter(found.values()))
    return None


@dataclass
class Ref:
    """A term another term points to: its IRI, its name, and whether it is one of ours (an anchor)."""

    iri: str
    label: str
    anchor: str | None = None


@dataclass
class Term:
    iri: str
    anchor: str
    label: str
    comment: str | None
    kinds: list[str] = field(default_factory=list)
    parents: list[Ref] = field(default_factory=list)
    children: list[Ref] = field(default_factory=list)
    domain: list[Ref] = field(default_factory=list)
    range: list[Ref] = field(default_factory=list)
    inverse: list[Ref] = field(default_factory=list)
    chains: list[list[Ref]] = field(default_factory=list)
    used_by: list[Ref] = field(default_factory=list)


@dataclass
class OntologyDoc:
    iri: str
    title: str
    description: str | None
    version: str | None
    version_iri: str | None
    license: str | None
    prefix: str | None
    namespace: str | None
    classes: list[Term]
    properties: list[Term]
    individuals: list[Term]


def ontology_doc(graph: Graph, lang: str = "de") -> OntologyDoc:
    ours = str(OB)
    onto = URIRef(ONTOLOGY_IRI)

    def ref(node) -> Ref | None:
        if isinstance(node, BNode):
            return None
        iri = str(node)
        label = _text(graph, node, (RDFS.label, SKOS.prefLabel), lang) or builtin(iri, lang) or local_name(iri)
        return Ref(iri, label, local_name(iri) if iri.startswith(ours) else None)

    def refs(nodes) -> list[Ref]:
        return sorted((r for r in map(ref, nodes) if r), key=lambda r: r.label.lower())

    def term(node, kinds: list[str]) -> Term:
        iri = str(node)
        return Term(iri, local_name(iri), ref(node).label,
                    _text(graph, node, (RDFS.comment, SKOS.definition), lang), kinds)

    classes, properties, individuals = [], [], []
    for node in sorted(set(graph.subjects(RDF.type, OWL.Class)), key=str):
        if not str(node).startswith(ours):
            continue
        t = term(node, [])
        t.parents = refs(graph.objects(node, RDFS.subClassOf))
        t.children = refs(graph.subjects(RDFS.subClassOf, node))
        t.used_by = refs(graph.subjects(RDFS.domain, node))
        classes.append(t)
    prop_types = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property,
                  *CHARACTERISTICS)
    prop_nodes = {s for pt in prop_types for s in graph.subjects(RDF.type, pt) if str(s).startswith(ours)}
    index = 0 if lang == "de" else 1
    for node in sorted(prop_nodes, key=str):
        kinds = []
        if (node, RDF.type, OWL.ObjectProperty) in graph:
            kinds.append("Objekteigenschaft" if lang == "de" else "object property")
        if (node, RDF.type, OWL.DatatypeProperty) in graph:
            kinds.append("Dateneigenschaft" if lang == "de" else "datatype property")
        kinds += [names[index] for kind, names in CHARACTERISTICS.items() if (node, RDF.type, kind) in graph]
        t = term(node, kinds)
        t.parents = refs(graph.objects(node, RDFS.subPropertyOf))
        t.children = refs(graph.subjects(RDFS.subPropertyOf, node))
        t.domain = refs(graph.objects(node, RDFS.domain))
        t.range = refs(graph.objects(node, RDFS.range))
        t.inverse = refs(set(graph.objects(node, OWL.inverseOf)) | set(graph.subjects(OWL.inverseOf, node)))
        for chain in graph.objects(node, OWL.propertyChainAxiom):
            t.chains.append([r for r in map(ref, Collection(graph, chain)) if r])
        properties.append(t)
    class_iris = {URIRef(c.iri) for c in classes}
    for node in sorted({s for c in class_iris for s in graph.subjects(RDF.type, c)}, key=str):
        if str(node).startswith(ours):
            t = term(node, [])
            t.parents = refs(o for o in graph.objects(node, RDF.type) if o in class_iris)
            individuals.append(t)
    by_label = lambda t: t.label.lower()  # noqa: E731
    version_iri = graph.value(onto, OWL.versionIRI)
    return OntologyDoc(
        iri=ONTOLOGY_IRI,
        title=_text(graph, onto, (DCTERMS.title, RDFS.label), lang) or ONTOLOGY_IRI,
        description=_text(graph, onto, (DCTERMS.description, RDFS.comment), lang),
        version=_text(graph, onto, (OWL.versionInfo,), lang),
        version_iri=str(version_iri) if version_iri else None,
        license=str(graph.value(onto, DCTERMS.license) or "") or None,
        prefix=_text(graph, onto, (VANN.preferredNamespacePrefix,), lang),
        namespace=_text(graph, onto, (VANN.preferredNamespaceUri,), lang),
        classes=sorted(classes, key=by_label), properties=sorted(properties, key=by_label),
        individuals=sorted(individuals, key=by_label),
    )


# ---- shapes --------------------------------------------------------------------------------------
CONSTRAINTS = (SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH.pattern, SH.hasValue,
               SH["in"], SH.minInclusive, SH.maxInclusive, SH.minLength, SH.maxLength, SH.node, SH.uniqueLang)


@dataclass
class PropertyRule:
    path: str
    name: str | None
    constraints: list[tuple[str, str]]
    message: str | None
    severity: str


@dataclass
class ShapeDoc:
    iri: str
    anchor: str
    name: str
    description: str | None
    targets: list[Ref]
    rules: list[PropertyRule]


@dataclass
class ShapesDoc:
    title: str | None
    description: str | None
    shapes: list[ShapeDoc]


def _path(graph: Graph, node) -> str:
    """A SHACL property path as a reader writes it (prefixed names, ^inverse, sequences with /)."""
    if isinstance(node, URIRef):
        return graph.namespace_manager.normalizeUri(node)
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + _path(graph, inverse)
    if (node, RDF.first, None) in graph:
        return " / ".join(_path(graph, n) for n in Collection(graph, node))
    for op, sign in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(node, op)
        if inner is not None:
            return _path(graph, inner) + sign
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return " | ".join(_path(graph, n) for n in Collection(graph, alternatives))
    return "…"


def _value(graph: Graph, node) -> str:
    if isinstance(node, URIRef):
        return graph.namespace_manager.normalizeUri(node)
    if isinstance(node, BNode) and (node, RDF.first, None) in graph:
        return ", ".join(_value(graph, n) for n in Collection(graph, node))
    return str(node)


def shapes_doc(graph: Graph, lang: str = "de") -> ShapesDoc:
    header = next(iter(graph.subjects(RDF.type, OWL.Ontology)), None)
    shapes = []
    for node in sorted(set(graph.subjects(RDF.type, SH.NodeShape)), key=str):
        targets = [Ref(str(t), graph.namespace_manager.normalizeUri(t))
                   for t in graph.objects(node, SH.targetClass) if isinstance(t, URIRef)]
        rules = []
        for prop in graph.objects(node, SH.property):
            path = graph.value(prop, SH.path)
            constraints = [(graph.namespace_manager.normalizeUri(c), _value(graph, v))
                           for c in CONSTRAINTS for v in graph.objects(prop, c)]
            severity = graph.value(prop, SH.severity) or graph.value(node, SH.severity) or SH.Violation
            rules.append(PropertyRule(_path(graph, path) if path is not None else "…",
                                      _text(graph, prop, (SH.name,), lang), sorted(constraints),
                                      _text(graph, prop, (SH.message,), lang), local_name(str(severity))))
        for sparql in graph.objects(node, SH.sparql):
            severity = graph.value(sparql, SH.severity) or graph.value(node, SH.severity) or SH.Violation
            rules.append(PropertyRule("SPARQL", _text(graph, sparql, (SH.name, RDFS.label), lang), [],
                                      _text(graph, sparql, (SH.message,), lang), local_name(str(severity))))
        iri = str(node) if isinstance(node, URIRef) else ""
        shapes.append(ShapeDoc(
            iri, local_name(iri) if iri else str(node),
            _text(graph, node, (SH.name, RDFS.label), lang) or (local_name(iri) if iri else "…"),
            _text(graph, node, (SH.description, RDFS.comment), lang), targets,
            sorted(rules, key=lambda r: r.path)))
    return ShapesDoc(
        title=_text(graph, header, (DCTERMS.title,), lang) if header is not None else None,
        description=_text(graph, header, (DCTERMS.description,), lang) if header is not None else None,
        shapes=sorted(shapes, key=lambda s: s.name.lower()),
    )
