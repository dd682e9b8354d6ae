"""The build pipeline: sources → records → SHACL gate → store (asserted) → inference (derived).

Each record is written to its own named graph in one transaction. A record the gate refuses is not
written; whatever the store held for it before stays, so a bad edit never loses the last good version.
With ``strict`` any violation (or unreadable source) stops the build before anything is written.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import rdflib
from rdflib import Literal, URIRef

from graph.errors import StadtgraphError
from graph.gate import validation
from graph.inference import refresh as inference
from graph.iris import Iris
from graph.loaders import load_paths
from graph.namespaces import DCTERMS, OB, PROV, RDF, XSD
from graph.ontology import ontology_graph
from graph.ops import metrics
from graph.pipeline.changes import ChangeSet, GraphChange, followers_for
from graph.pipeline.writes import clear_pending, mark_pending
from graph.records import Record
from graph.settings import Settings
from graph.store import Store

Progress = Callable[[str], None]


class BuildFailed(StadtgraphError):
    """A strict build found violations or unreadable sources; nothing was written."""

    status = 422
    slug = "build-failed"
    title = "Aufbau abgebrochen / build stopped"


@dataclass
class BuildReport:
    loaded: list[Record] = field(default_factory=list)
    refused: list = field(default_factory=list)  # list[validation.Refusal]
    errors: list = field(default_factory=list)  # list[LoaderError]
    warnings: int = 0
    quads: int = 0
    inferred: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.refused and not self.errors


def provenance(records: list[Record], iris: Iris, started: datetime, ended: datetime) -> rdflib.Graph:
    """Which source, page, revision and URLs each record graph came from, and the build activity."""
    g = rdflib.Graph()
    build = URIRef(f"{iris.base}build/{started.strftime('%Y%m%dT%H%M%S%fZ')}")
    g.add((build, RDF.type, OB.Build))
    g.add((build, RDF.type, PROV.Activity))
    g.add((build, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    g.add((build, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    for rec in records:
        gr = rec.graph_iri
        g.add((gr, RDF.type, PROV.Entity))
        g.add((gr, PROV.wasGeneratedBy, build))
        g.add((gr, PROV.generatedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)))
        g.add((gr, DCTERMS.source, Literal(rec.source.file)))
        g.add((gr, DCTERMS.subject, rec.iri))
        if rec.source.page:
            g.add((gr, OB.wikiSeitentitel, Literal(rec.source.page)))
        if rec.source.revision:
            g.add((gr, OB.wikiRevision, Literal(rec.source.revision, datatype=XSD.integer)))
        for url in rec.source.urls:
            g.add((gr, PROV.wasDerivedFrom, URIRef(url)))
    return g


def _last_good(store: Store, iris: Iris, report: BuildReport, prov: rdflib.Graph) -> set[str]:
    """Graphs that keep their last good version: refused records, and every record of a source that could
    not be read this time (an edit that breaks a file must not delete its records). Their provenance is
    carried over into ``prov``, so a kept graph still names its source."""
    keep = {str(r.record.graph_iri) for r in report.refused}
    unreadable = {e.source for e in report.errors if getattr(e, "source", "")}
    old = store.graph(str(iris.provenance_graph))
    if unreadable:
        keep |= {str(g) for g, src in old.subject_objects(DCTERMS.source) if str(src) in unreadable}
    for g in keep:
        if (URIRef(g), None, None) not in prov:
            for _, p, o in old.triples((URIRef(g), None, None)):
                prov.add((URIRef(g), p, o))
            for activity in old.objects(URIRef(g), PROV.wasGeneratedBy):
                for _, p, o in old.triples((activity, None, None)):
                    prov.add((activity, p, o))
    return keep


def _before(store: Store, graphs: list[str]) -> dict[str, rdflib.Graph]:
    """The content each graph has in the store before the build writes it (empty if absent)."""
    present = set(store.named_graphs())
    return {g: store.graph(g) if g in present else rdflib.Graph() for g in graphs}


def build(settings: Settings, store: Store, *, paths: list[Path] | None = None, strict: bool | None = None,
          progress: Progress | None = None) -> BuildReport:
    """Read all sources, gate every record, write the accepted ones and refresh the inference."""
    strict = settings.strict if strict is None else strict
    iris = Iris(settings.base_iri)
    say = progress or (lambda _msg: None)
    report = BuildReport()
    started = datetime.now(UTC)

    t = time.perf_counter()
    data_dir = Path(settings.data_dir)
    loaded = load_paths(paths or [data_dir], iris, root=data_dir, progress=lambda f: say(f"lese {f}"))
    report.errors = loaded.errors
    report.seconds["load"] = time.perf_counter() - t
    say(f"{len(loaded.records)} Datensätze gelesen, {len(loaded.errors)} Quellen nicht lesbar")

    t = time.perf_counter()
    ontology = ontology_graph(settings)
    gate = validation.Gate(settings, ontology=ontology)
    verdict = gate.check(loaded.records, previous=store)  # a refused record keeps its last good version
    report.loaded, report.refused, report.warnings = verdict.accepted, verdict.refused, verdict.warnings
    report.seconds["validate"] = time.perf_counter() - t
    say(f"Prüfung: {len(verdict.accepted)} angenommen, {len(verdict.refused)} abgewiesen, "
        f"{verdict.warnings} Warnungen")

    if strict and not report.ok:
        raise BuildFailed(
            f"{len(report.refused)} Datensätze verletzen die Regeln, {len(report.errors)} Quellen sind "
            "nicht lesbar; der Speicher bleibt unverändert / store left unchanged",
            refused=[r.record.source.describe() for r in report.refused],
            unreadable=[e.detail for e in report.errors],
        )

    t = time.perf_counter()
    graphs: dict[str, rdflib.Graph] = {str(iris.ontology_graph): ontology}
    for rec in report.loaded:
        graphs[str(rec.graph_iri)] = rec.triples
    prov = provenance(report.loaded, iris, started, datetime.now(UTC))
    keep = _last_good(store, iris, report, prov) | {str(iris.inferred_graph)}
    graphs[str(iris.provenance_graph)] = prov
    stale = [g for g in store.named_graphs() if g not in graphs and g not in keep]
    followers = followers_for(settings, store)
    before = (_before(store, [*graphs, *stale]) if followers.wants_content
              else {g: rdflib.Graph() for g in [*graphs, *stale]})
    if followers:
        mark_pending(settings, sorted([*graphs, *stale]))
    store.replace_graphs(graphs, remove=stale)
    report.seconds["write"] = time.perf_counter() - t
    say(f"{len(graphs)} Graphen geschrieben")

    t = time.perf_counter()
    report.inferred = inference.refresh(store, settings)
    report.seconds["infer"] = time.perf_counter() - t
    if followers:
        t = time.perf_counter()
        changes = [GraphChange(g, before[g], graphs.get(g)) for g in before]
        followers.follow(ChangeSet(tuple(changes), method="BUILD", actor="build"))
        clear_pending(settings)
        report.seconds["follow"] = time.perf_counter() - t
    report.quads = store.count()
    _record_metrics(report)
    say(f"Inferenz: {report.inferred} abgeleitete Tripel; {report.quads} Quads im Speicher")
    return report


def _record_metrics(report: BuildReport) -> None:
    """Build and inference durations, refusals and store size for /metrics (see :mod:`graph.ops.metrics`)."""
    for phase, seconds in report.seconds.items():
        metrics.observe_build(seconds, phase)
    metrics.observe_build(sum(report.seconds.values()), "total")
    metrics.validation_refused(len(report.refused), "build")
    metrics.set_store_size(report.quads)
    metrics.set_last_build(time.time())
