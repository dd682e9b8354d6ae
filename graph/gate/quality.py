"""What data stewards validate: source files before a build (``stadtgraph validate``), an upload
(``POST /validate``) and the graph a store holds now (the data-quality page). Nothing here writes.

Each validates in the context of the graph the data would join: files with the other shipped sources,
an upload with the store's neighbourhood of its records, the store as a whole.
"""
from __future__ import annotations

import io
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import BNode, URIRef

from graph.errors import LoaderError, NestingTooDeep, ParseError
from graph.gate import engine as shacl_engine
from graph.gate.validation import Report, Validator, attribute, labels
from graph.iris import Iris
from graph.loaders import load_paths
from graph.namespaces import DCTERMS, OB, PROV
from graph.rdfparse import parse_upload
from graph.records import Record, SourceRef
from graph.settings import Settings
from graph.store import Store, to_rdflib

WIKITEXT = "text/x-wiki"


def _only_attributed(report: Report) -> Report:
    """Keep the findings the checked records caused; the context's own findings are not theirs."""
    report.findings = [f for f in report.findings if report.owners.get(f)]
    return report


# ---- files ---------------------------------------------------------------------------------------------
def validate_paths(settings: Settings, paths: list[Path], validator: Validator | None = None) -> Report:
    """Validate source files or directories without a store. The shipped sources in ``data_dir`` are the
    context; a given file replaces the shipped record of the same entity (e.g. an edited copy of a page)."""
    iris = Iris(settings.base_iri)
    data_dir = Path(settings.data_dir)
    validator = validator or Validator(settings)
    unreadable: list[LoaderError] = [LoaderError("Datei oder Verzeichnis nicht gefunden / not found", source=str(p))
                                     for p in paths if not Path(p).exists()]
    given = load_paths([p for p in paths if Path(p).exists()], iris, root=data_dir)
    unreadable += given.errors
    context: list[Record] = []
    if data_dir.is_dir() and not any(Path(p).resolve() == data_dir.resolve() for p in paths):
        replaced = {r.graph_iri for r in given.records}
        context = [r for r in load_paths([data_dir], iris, root=data_dir).records if r.graph_iri not in replaced]
    report = validator.validate(given.records, [t for r in context for t in r.triples])
    report.unreadable = unreadable
    return _only_attributed(report)


def exit_code(report: Report) -> int:
    """0: conforms (warnings allowed); 1: violations; 2: some input could not be read."""
    if report.unreadable:
        return 2
    return 1 if report.violations else 0


# ---- uploads -------------------------------------------------------------------------------------------
def validate_upload(settings: Settings, store: Store, body: bytes, media_type: str, *, title: str | None = None,
                    validator: Validator | None = None) -> Report:
    """Validate an uploaded record (RDF, or a wiki page as ``text/x-wiki`` with its title) against the
    store's graph, without storing anything.

    :raises ParseError: (400) if the body cannot be read, naming the line where the parser says.
    """
    validator = validator or Validator(settings)
    records = upload_records(settings, body, media_type, title=title)
    report = validator.validate(records, validator.context_from_store(store, records))
    return _only_attributed(report)


def upload_records(settings: Settings, body: bytes, media_type: str, *, title: str | None = None) -> list[Record]:
    """The records of an upload (RDF, or a wiki page as ``text/x-wiki`` with its title), as the gate sees them.

    :raises ParseError: (400) if the body cannot be read, naming the line where the parser says.
    """
    iris = Iris(settings.base_iri)
    source = SourceRef(file="Upload", page=title, kind="wiki" if media_type == WIKITEXT else "rdf")
    if media_type == WIKITEXT:
        return _wiki_records(body, iris, title, source)
    return split_records(parse_upload(body, media_type, base=iris.base), iris, source)


def _wiki_records(body: bytes, iris: Iris, title: str | None, source: SourceRef) -> list[Record]:
    from graph.sources.wiki.records import records_from_wikitext

    if not title or not title.strip():
        raise ParseError("Für Wikitext fehlt der Seitentitel (Parameter „title“) / wikitext needs the page "
                         "title (parameter \"title\")")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise ParseError(f"kein gültiges UTF-8 in Zeile {line} / invalid UTF-8 at line {line}", line=line) from exc
    result = records_from_wikitext(text, iris, title=title.strip(), source=source)
    if result.errors:
        err = result.errors[0]
        if isinstance(err, NestingTooDeep):
            raise err
        raise ParseError(err.detail, **{k: v for k, v in err.extra.items() if k in ("line", "column", "value")})
    return result.records


def split_records(g: rdflib.Graph, iris: Iris, source: SourceRef) -> list[Record]:
    """An uploaded graph as records: one per IRI subject, with the blank nodes it reaches; blank nodes no
    IRI reaches form one more record of their own."""
    records: list[Record] = []
    claimed: set[rdflib.term.Node] = set()
    for subject in sorted({s for s in g.subjects() if isinstance(s, URIRef)}, key=str):
        part = rdflib.Graph()
        todo = [subject]
        while todo:
            node = todo.pop()
            for p, o in g.predicate_objects(node):
                part.add((node, p, o))
                if isinstance(o, BNode) and o not in claimed:
                    claimed.add(o)
                    todo.append(o)
        graph_iri = iris.record_graph(subject) if iris.is_minted(subject) else subject
        records.append(Record(subject, URIRef(graph_iri), part, source))
    rest = rdflib.Graph()
    for s, p, o in g:
        if isinstance(s, BNode) and s not in claimed:
            rest.add((s, p, o))
    if len(rest):
        records.append(Record(BNode(), URIRef(f"{iris.base}graph/upload"), rest, source, label="Upload"))
    return records


# ---- the store (data-quality page) ---------------------------------------------------------------------
@dataclass
class QualityReport:
    """The current findings of the store's graph, per record and per shape."""

    report: Report
    by_shape: list[tuple[URIRef, list]] = field(default_factory=list)
    stamp: tuple = ()


_cache: weakref.WeakKeyDictionary[Store, QualityReport] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def asserted_dataset(store: Store, iris: Iris) -> ox.Store:
    """The store's asserted graphs (records, ontology, provenance; not the inferred one) as one default
    graph in a fresh in-memory store: the inferred triples would hide gaps (a range axiom types any target)."""
    inferred = str(iris.inferred_graph)
    buf = io.BytesIO()
    raw = store.native()
    if raw is not None:
        for g in raw.named_graphs():  # one dump per graph is ten times faster than a CONSTRUCT of it all
            if isinstance(g, ox.NamedNode) and g.value != inferred:
                raw.dump(buf, format=ox.RdfFormat.N_TRIPLES, from_graph=g)
    else:
        result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", dataset="asserted")
        result.serialize(buf, ox.RdfFormat.N_TRIPLES)
    data = ox.Store()
    data.bulk_load(buf.getvalue(), ox.RdfFormat.N_TRIPLES)
    return data


def _stamp(store: Store) -> tuple:
    rows = list(store.query(f"PREFIX ob: <{OB}> PREFIX prov: <{PROV}> "
                            "SELECT (MAX(STR(?t)) AS ?last) WHERE { ?b a ob:Build ; prov:endedAtTime ?t }"))
    last = rows[0]["last"].value if rows and rows[0]["last"] is not None else ""
    return (store.count(), last)


def validate_store(settings: Settings, store: Store, validator: Validator | None = None,
                   use_cache: bool = True) -> QualityReport:
    """The findings of the whole asserted graph, each attributed to the record graph holding it. Cached
    per store until the next build or write changes it."""
    stamp = _stamp(store)
    with _lock:
        cached = _cache.get(store)
        if use_cache and cached is not None and cached.stamp == stamp:
            return cached
    validator = validator or Validator(settings)
    data = asserted_dataset(store, validator.iris)
    findings = shacl_engine.validate(validator.shapes, data)
    records = _records_of(store, findings, validator.iris)
    report = Report(findings=findings, shapes=validator.shapes, records=list(records.values()))
    report.owners = attribute(findings, report.records)
    for f in findings:  # a finding no record graph holds (e.g. a missing triple) goes to its focus's record
        report.owners[f] = report.owners.get(f) or [r for r in report.records if r.iri == f.focus]
    report.labels = labels(data, {f.focus for f in findings} | {f.value for f in findings
                                                                  if isinstance(f.value, (URIRef, BNode))}
                           | {r.iri for r in report.records})
    by_shape: dict[URIRef, list] = {}
    for f in findings:
        by_shape.setdefault(f.shape, []).append(f)
    quality = QualityReport(report=report, by_shape=sorted(by_shape.items(), key=lambda kv: -len(kv[1])),
                            stamp=stamp)
    with _lock:
        _cache[store] = quality
    return quality


def record_findings(settings: Settings, store: Store, iri: str, validator: Validator | None = None) -> Report | None:
    """The current findings about one record of the store, for its page: its own graph checked with the
    neighbourhood a rule can reach (as the gate checks a write). None if no record graph describes ``iri``."""
    validator = validator or Validator(settings)
    records = [r for r in _records_of(store, [URIRef(iri)], validator.iris).values() if r.iri == URIRef(iri)]
    if not records:
        return None
    report = validator.validate(records, validator.context_from_store(store, records))
    return _only_attributed(report)


def _records_of(store: Store, findings: list, iris: Iris) -> dict[str, Record]:
    """The record graphs that hold the findings' focus nodes (or the given nodes), as records with their
    triples and source."""
    out: dict[str, Record] = {}
    skip = {str(iris.inferred_graph), str(iris.provenance_graph), str(iris.ontology_graph)}
    for focus in {getattr(f, "focus", f) for f in findings}:
        if not isinstance(focus, URIRef):
            continue
        rows = store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{focus}> ?p ?o }} }}")
        for row in rows:
            g = row["g"].value
            if g in skip or g in out:
                continue
            out[g] = Record(iri=_subject_of(store, g, iris) or focus, graph_iri=URIRef(g),
                            triples=store.graph(g), source=_source_of(store, g, iris))
    return out


def _subject_of(store: Store, graph: str, iris: Iris) -> URIRef | None:
    rows = list(store.query(f"SELECT ?s WHERE {{ GRAPH <{iris.provenance_graph}> {{ <{graph}> <{DCTERMS.subject}> ?s }} }}"))
    return URIRef(rows[0]["s"].value) if rows else None


def _source_of(store: Store, graph: str, iris: Iris) -> SourceRef:
    query = (f"SELECT ?file ?page ?rev WHERE {{ GRAPH <{iris.provenance_graph}> {{ <{graph}> <{DCTERMS.source}> ?file "
             f"OPTIONAL {{ <{graph}> <{OB.wikiSeitentitel}> ?page }} OPTIONAL {{ <{graph}> <{OB.wikiRevision}> ?rev }} }} }}")
    for row in store.query(query):
        page = to_rdflib(row["page"]) if row["page"] is not None else None
        rev = int(row["rev"].value) if row["rev"] is not None else None
        return SourceRef(file=row["file"].value, page=str(page) if page else None, revision=rev)
    return SourceRef(file=graph)
