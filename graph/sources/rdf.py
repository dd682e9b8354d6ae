"""Plain RDF files (Turtle, JSON-LD, N-Triples, RDF/XML) as sources: one record per file, parsed by the
strict parser of :mod:`graph.rdfparse`."""

from __future__ import annotations

from pathlib import Path

from graph.errors import LoaderError
from graph.iris import Iris
from graph.rdfparse import parse_rdf
from graph.records import LoadResult, Record, SourceRef, source_name

#: File suffix → rdflib format name of the plain RDF files a build reads.
RDF_FILE_FORMATS: dict[str, str] = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml", ".owl": "xml"}


def load_rdf_file(path: Path, iris: Iris, root: Path) -> LoadResult:
    """A plain RDF file becomes one record in its own source graph; relative IRIs in a shipped file
    resolve against the configured base (e.g. ``<schema/themenfelder>``)."""
    rel = source_name(path, root)
    try:
        g = parse_rdf(path.read_bytes(), RDF_FILE_FORMATS[path.suffix.lower()], source=rel, base=iris.base)
    except LoaderError as exc:
        return LoadResult(errors=[exc])
    graph_iri = iris.source_graph(rel)
    return LoadResult(records=[Record(graph_iri, graph_iri, g, SourceRef(rel, kind="rdf"), label=rel)])
