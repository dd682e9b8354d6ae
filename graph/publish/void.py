"""The VoID description of the knowledge graph: size, classes, properties, the SPARQL endpoint, the dumps,
the URI space, the asserted and inferred subsets and the linksets to other datasets on the web.

Spec: https://www.w3.org/TR/void/
"""
from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, VOID, XSD

from graph.iris import Iris, slugify
from graph.labels import local_name
from graph.namespaces import ONTOLOGY_IRI, PREFIXES, SD, sparql_prologue
from graph.publish.dumps import FULL_DUMPS, DumpSet
from graph.store import Store

FORMATS = "http://www.w3.org/ns/formats/"
FEATURES = ("Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads")

_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
_SUBJECTS = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"
_OBJECTS = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"
_ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), {base})) }"
_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c"
_PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"
_GRAPH_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH {graph} { ?s ?p ?o } }"
_EXAMPLES = sparql_prologue() + "SELECT ?k WHERE { ?k a ob:Konzept FILTER(isIRI(?k)) } ORDER BY ?k LIMIT 3"
# Links from our records to web resources elsewhere, by predicate and by the host they point to.
_LINKS = """
SELECT ?p ?host (COUNT(*) AS ?n) WHERE {
  ?s ?p ?o .
  FILTER(isIRI(?o) && ?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>
         && STRSTARTS(STR(?s), {base}) && !STRSTARTS(STR(?o), {base}) && !STRSTARTS(STR(?o), {ontology})
         && REGEX(STR(?o), "^https?://[^/?#]+"))
  BIND(REPLACE(STR(?o), "^(https?://[^/?#]+).*$", "$1/") AS ?host)
} GROUP BY ?p ?host"""


def _count(store: Store, query: str, **literals: str) -> int:
    for key, value in literals.items():
        query = query.replace("{" + key + "}", str(ox.Literal(value)))
    rows = list(store.query(query))
    return int(rows[0]["n"].value) if rows else 0


def build(store: Store, base: str, root: str, dumps: DumpSet, *, modified: str) -> Graph:
    """The VoID graph; ``root`` is the service's public URL with a trailing slash."""
    iris = Iris(base)
    g = Graph()
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    g.bind("foaf", FOAF)
    doc = URIRef(root + ".well-known/void")
    ds = URIRef(base + "datensatz/wissensgraph")
    g.add((doc, RDF.type, VOID.DatasetDescription))
    g.add((doc, DCTERMS.title, Literal("VoID-Beschreibung des Stadtgraphen Oberhausen", lang="de")))
    g.add((doc, DCTERMS.title, Literal("VoID description of the Oberhausen stadtgraph", lang="en")))
    g.add((doc, FOAF.primaryTopic, ds))

    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal("Wissensgraph der Stadtentwicklungsplanung Oberhausen", lang="de")))
    g.add((ds, DCTERMS.title, Literal("Knowledge graph of Oberhausen's urban development planning", lang="en")))
    g.add((ds, DCTERMS.publisher, iris.stadt()))
    g.add((ds, DCTERMS.license, URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")))
    g.add((ds, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    g.add((ds, FOAF.homepage, URIRef(root)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(root + "sparql")))
    # The change feed (LDES) of its record versions: what a portal follows instead of the dumps.
    g.add((ds, RDFS.seeAlso, URIRef(root + "ldes")))
    for spec in FULL_DUMPS:
        g.add((ds, VOID.dataDump, URIRef(f"{root}dumps/{spec.name}")))
    g.add((ds, VOID.uriSpace, Literal(base)))
    g.add((ds, VOID.uriRegexPattern, Literal("^" + re.escape(base))))
    for feature in FEATURES:
        g.add((ds, VOID.feature, URIRef(FORMATS + feature)))
    for row in store.query(_EXAMPLES):
        g.add((ds, VOID.exampleResource, URIRef(row["k"].value)))

    g.add((ds, VOID.triples, _int(_count(store, _TRIPLES))))
    g.add((ds, VOID.entities, _int(_count(store, _ENTITIES, base=base))))
    g.add((ds, VOID.distinctSubjects, _int(_count(store, _SUBJECTS))))
    g.add((ds, VOID.distinctObjects, _int(_count(store, _OBJECTS))))

    classes = [(row["c"].value, int(row["n"].value)) for row in store.query(_CLASSES)]
    properties = [(row["p"].value, int(row["n"].value)) for row in store.query(_PROPERTIES)]
    g.add((ds, VOID.classes, _int(len(classes))))
    g.add((ds, VOID.properties, _int(len(properties))))
    for cls, n in sorted(classes):
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, _int(n)))
    for prop, n in sorted(properties):
        part = BNode()
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, _int(n)))
    used = {c for c, _ in classes} | {p for p, _ in properties}
    g.add((ds, VOID.vocabulary, URIRef(ONTOLOGY_IRI + "#")))
    for ns in sorted(set(PREFIXES.values())):
        if any(term.startswith(ns) for term in used):
            g.add((ds, VOID.vocabulary, URIRef(ns)))

    # The inferred triples are a named graph of their own that a query can pick or leave out.
    inferred = iris.inferred_graph
    sub = URIRef(f"{ds}/abgeleitet")
    g.add((ds, VOID.subset, sub))
    g.add((sub, RDF.type, VOID.Dataset))
    g.add((sub, RDF.type, SD.NamedGraph))
    g.add((sub, SD.name, inferred))
    g.add((sub, DCTERMS.title, Literal("Abgeleitete Tripel (Synergie-Inferenz)", lang="de")))
    g.add((sub, DCTERMS.title, Literal("Inferred triples (synergy inference)", lang="en")))
    g.add((sub, VOID.triples, _int(_count(store, _GRAPH_SIZE.replace("{graph}", f"<{inferred}>")))))
    g.add((sub, VOID.sparqlEndpoint, URIRef(root + "sparql")))

    links = store.query(_LINKS.replace("{base}", str(ox.Literal(base)))
                        .replace("{ontology}", str(ox.Literal(ONTOLOGY_IRI))))
    for row in sorted(links, key=lambda r: (r["host"].value, r["p"].value)):
        host, prop, n = row["host"].value, row["p"].value, int(row["n"].value)
        target = URIRef(f"{base}datensatz/extern/{slugify(host.split('://', 1)[1])}")
        g.add((target, RDF.type, VOID.Dataset))
        g.add((target, VOID.uriSpace, Literal(host)))
        g.add((target, FOAF.homepage, URIRef(host)))
        linkset = URIRef(f"{ds}/verknuepfung/{slugify(host.split('://', 1)[1])}-{slugify(local_name(prop))}")
        g.add((ds, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.subjectsTarget, ds))
        g.add((linkset, VOID.objectsTarget, target))
        g.add((linkset, VOID.linkPredicate, URIRef(prop)))
        g.add((linkset, VOID.triples, _int(n)))
    return g


def _int(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def summary(g: Graph) -> dict:
    """The figures the VoID page shows: size, partitions and linksets of the knowledge graph."""
    ds = next(g.objects(None, FOAF.primaryTopic))
    number = lambda node, prop: int(g.value(node, prop) or 0)  # noqa: E731
    classes = sorted(((str(g.value(p, VOID["class"])), number(p, VOID.entities))
                      for p in g.objects(ds, VOID.classPartition)), key=lambda c: -c[1])
    properties = sorted(((str(g.value(p, VOID.property)), number(p, VOID.triples))
                         for p in g.objects(ds, VOID.propertyPartition)), key=lambda c: -c[1])
    linksets = sorted(((str(g.value(ls, VOID.linkPredicate)), str(g.value(g.value(ls, VOID.objectsTarget),
                                                                         VOID.uriSpace)), number(ls, VOID.triples))
                       for ls in g.subjects(RDF.type, VOID.Linkset)), key=lambda c: (c[1], -c[2]))
    return {
        "dataset": str(ds),
        "triples": number(ds, VOID.triples), "entities": number(ds, VOID.entities),
        "subjects": number(ds, VOID.distinctSubjects), "objects": number(ds, VOID.distinctObjects),
        "classes": classes, "properties": properties, "linksets": linksets,
        "endpoint": str(g.value(ds, VOID.sparqlEndpoint)), "uri_space": str(g.value(ds, VOID.uriSpace)),
        "dumps": sorted(str(d) for d in g.objects(ds, VOID.dataDump)),
    }
