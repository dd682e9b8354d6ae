"""The ontology as the pipeline and the gate read it: the Turtle file parsed once per call, and the
class hierarchy the SHACL targets need (``sh:targetClass`` includes subclasses)."""

from __future__ import annotations

import rdflib

from graph.namespaces import RDFS
from graph.settings import Settings

Triple = tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]


def ontology_graph(settings: Settings) -> rdflib.Graph:
    """The ontology file named by ``settings.ontology_path``, parsed."""
    return rdflib.Graph().parse(settings.ontology_path, format="turtle")


def ontology_classes(ontology: rdflib.Graph) -> list[Triple]:
    """The ``rdfs:subClassOf`` triples of ``ontology``.

    >>> from rdflib import Graph, URIRef
    >>> g = Graph(); _ = g.add((URIRef("urn:a"), RDFS.subClassOf, URIRef("urn:b")))
    >>> len(ontology_classes(g))
    1
    """
    return list(ontology.triples((None, RDFS.subClassOf, None)))
