"""The vocabularies the graph uses, as rdflib namespaces and as a prefix table for SPARQL and Turtle."""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

OB = Namespace("https://daten.oberhausen.de/stadtgraph/ontology#")
SCHEMA = Namespace("https://schema.org/")
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

ONTOLOGY_IRI = "https://daten.oberhausen.de/stadtgraph/ontology"

PREFIXES: dict[str, str] = {
    "ob": str(OB),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "org": str(ORG),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "foaf": str(FOAF),
    "dcat": str(DCAT),
    "void": str(VOID),
    "sh": str(SH),
}

__all__ = [
    "OB", "SCHEMA", "DCATDE", "HYDRA", "SD", "VCARD", "ONTOLOGY_IRI", "PREFIXES",
    "DCAT", "DCTERMS", "FOAF", "ORG", "OWL", "PROV", "RDF", "RDFS", "SKOS", "SH", "VOID", "XSD",
]


def sparql_prologue(prefixes: dict[str, str] | None = None) -> str:
    """``PREFIX`` lines for every known prefix."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or PREFIXES).items())
