"""The endpoint's SPARQL 1.1 Service Description, answered on a bare ``GET /sparql``.

https://www.w3.org/TR/sparql11-service-description/ — it states only what is true of this endpoint:
SPARQL 1.1 Query (no Update, no federation: SERVICE is refused), the result formats offered, the
default graph as the union of all named graphs (``sd:UnionDefaultGraph``), and the named graphs with
their entailment: asserted record graphs under simple entailment, the inferred graph holding what the
OWL 2 RL synergy rules entail (materialised at build time, not computed at query time).
"""
from __future__ import annotations

import json

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD

from graph.formats import RDF_FORMATS, RESULT_FORMATS, Format, serialize_triples
from graph.iris import Iris
from graph.namespaces import SD
from graph.query.executors import Executor, QueryJob
from graph.settings import Settings
from graph.store import to_ox

ENT = Namespace("http://www.w3.org/ns/entailment/")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
OWL_PROFILE_RL = URIRef("http://www.w3.org/ns/owl-profile/RL")
MAX_LISTED_GRAPHS = 1000  # beyond this, only the special graphs are listed (the document stays small)

# The W3C format IRIs (https://www.w3.org/ns/formats/) of the formats the endpoint offers.
FORMAT_IRIS = {
    "json": FORMATS["SPARQL_Results_JSON"], "xml": FORMATS["SPARQL_Results_XML"],
    "csv": FORMATS["SPARQL_Results_CSV"], "tsv": FORMATS["SPARQL_Results_TSV"],
    "turtle": FORMATS["Turtle"], "ntriples": FORMATS["N-Triples"], "jsonld": FORMATS["JSON-LD"],
    "rdfxml": FORMATS["RDF_XML"],
}
SD_PREFIXES = {"sd": str(SD), "ent": str(ENT), "formats": str(FORMATS), "void": str(VOID),
               "rdfs": str(RDFS), "dcterms": str(DCTERMS), "xsd": str(XSD)}

_GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def graph_sizes(executor: Executor, settings: Settings) -> dict[str, int]:
    """Triples per named graph, counted by a query under the usual time limit."""
    outcome = executor.run(QueryJob(_GRAPH_SIZES, row_limit=max(settings.row_limit, 1_000_000),
                                    timeout=settings.query_timeout, kind="internal"))
    doc = json.loads(outcome.written.body)
    return {b["g"]["value"]: int(b["n"]["value"]) for b in doc["results"]["bindings"] if "g" in b}


def describe_service(endpoint: str, settings: Settings, sizes: dict[str, int] | None) -> Graph:
    """The Service Description graph for the endpoint at ``endpoint`` (its absolute URL). ``sizes``
    (triples per named graph) None: not counted in time, so no sizes and only the special graphs."""
    iris = Iris(settings.base_iri)
    g = Graph()
    for prefix, ns in SD_PREFIXES.items():
        g.bind(prefix, ns)
    svc = URIRef(endpoint)
    g.add((svc, RDF.type, SD.Service))
    g.add((svc, SD.endpoint, svc))
    g.add((svc, SD.supportedLanguage, SD.SPARQL11Query))
    writable = bool(settings.tokens)  # writes are offered when tokens are configured (graph.pipeline.writes)
    if writable:
        g.add((svc, SD.supportedLanguage, SD.SPARQL11Update))
    for fmt in (*RESULT_FORMATS, *RDF_FORMATS):
        g.add((svc, SD.resultFormat, FORMAT_IRIS[fmt.name]))
    g.add((svc, SD.feature, SD.UnionDefaultGraph))
    g.add((svc, SD.defaultEntailmentRegime, ENT.Simple))
    g.add((svc, DCTERMS.title, Literal("SPARQL-Endpunkt des Stadtgraphen Oberhausen", lang="de")))
    g.add((svc, DCTERMS.title, Literal("SPARQL endpoint of the Oberhausen city graph", lang="en")))
    update_de = (f"SPARQL Update mit Bearer-Token (Authorization: Bearer …); ohne GRAPH/WITH schreibt es in "
                 f"<{iris.update_graph}>; geschrieben werden nur Graphen unter <{iris.base}graph/>; kein LOAD, kein "
                 "SERVICE." if writable else "Nur lesend (kein SPARQL Update, kein SERVICE).")
    update_en = (f"SPARQL Update with a bearer token (Authorization: Bearer …); without GRAPH/WITH it writes to "
                 f"<{iris.update_graph}>; only graphs under <{iris.base}graph/> are written; no LOAD, no SERVICE."
                 if writable else "Read-only (no SPARQL Update, no SERVICE).")
    g.add((svc, RDFS.comment, Literal(
        update_de + " Der Standardgraph ist die Vereinigung aller benannten "
        "Graphen: erfasste Daten und abgeleitete Tripel. Parameter dataset=asserted|inferred|all wählt nur die "
        f"erfassten, nur die abgeleiteten oder alle. Zeitlimit {settings.query_timeout:g} s, höchstens "
        f"{settings.row_limit} Zeilen je Ergebnis (ein gekürztes Ergebnis sagt es im Kopf X-Result-Truncated).",
        lang="de")))
    g.add((svc, RDFS.comment, Literal(
        update_en + " The default graph is the union of all named graphs: asserted "
        "data and inferred triples. The parameter dataset=asserted|inferred|all picks only the asserted, only "
        f"the inferred, or all. Time limit {settings.query_timeout:g} s, at most {settings.row_limit} rows per "
        "result (a cut result says so in the X-Result-Truncated header).", lang="en")))

    dataset = BNode("defaultDataset")
    g.add((svc, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default_graph = BNode("defaultGraph")
    g.add((dataset, SD.defaultGraph, default_graph))
    g.add((default_graph, RDF.type, SD.Graph))
    if sizes is not None:
        g.add((default_graph, VOID.triples, Literal(sum(sizes.values()), datatype=XSD.integer)))
    g.add((default_graph, RDFS.comment, Literal("Vereinigung aller benannten Graphen", lang="de")))
    g.add((default_graph, RDFS.comment, Literal("union of all named graphs", lang="en")))

    inferred = str(iris.inferred_graph)
    special = {inferred: ("abgeleitete Tripel (OWL-2-RL-Synergieregeln)", "inferred triples (OWL 2 RL synergy rules)"),
               str(iris.ontology_graph): ("Ontologie", "ontology"),
               str(iris.provenance_graph): ("Herkunft des Aufbaus", "build provenance")}
    names = sorted(set(sizes or special) | {inferred})
    if len(names) > MAX_LISTED_GRAPHS:
        names = [n for n in names if n in special]
    for name in names:
        node = BNode()
        graph_node = BNode()
        g.add((dataset, SD.namedGraph, node))
        g.add((node, RDF.type, SD.NamedGraph))
        g.add((node, SD.name, URIRef(name)))
        g.add((node, SD.graph, graph_node))
        g.add((graph_node, RDF.type, SD.Graph))
        if sizes is not None:
            g.add((graph_node, VOID.triples, Literal(sizes.get(name, 0), datatype=XSD.integer)))
        if name == inferred:
            # What the OWL 2 RL rules entail from the asserted graphs, materialised at build time.
            g.add((node, SD.entailmentRegime, ENT["OWL-RDF-Based"]))
            g.add((node, SD.supportedEntailmentProfile, OWL_PROFILE_RL))
        else:
            g.add((node, SD.entailmentRegime, ENT.Simple))
        if name in special:
            de, en = special[name]
            g.add((node, RDFS.label, Literal(de, lang="de")))
            g.add((node, RDFS.label, Literal(en, lang="en")))
    return g


def serialize_description(g: Graph, fmt: Format) -> bytes:
    # Sorted, so the Turtle writer can group each subject's triples.
    triples = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in sorted(g)]
    return serialize_triples(triples, fmt, {**SD_PREFIXES, "ob": "https://daten.oberhausen.de/stadtgraph/ontology#"})
