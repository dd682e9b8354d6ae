"""Graph Store writes (https://www.w3.org/TR/sparql11-http-rdf-update/): replace, merge into or drop one
named graph — through the SHACL gate, atomically, with the inferred graph brought up to date and an audit
entry. The HTTP side is :mod:`web.graph_store`; this module knows nothing about HTTP.

Single writer: the embedded on-disk store can be held read-write by one process only, so a server that
accepts writes on it runs one worker process holding the store read-write (:func:`writes_enabled`,
checked by ``stadtgraph serve``); its queries fork from that process and see every write at once. An
external store (``store = sparql``) serialises writers itself (:mod:`graph.store.remote.writes`).
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import URIRef

from graph.errors import BadRequest, ConfigurationError, Forbidden, ValidationFailed
from graph.gate.validation import SAFE_IRI
from graph.inference import refresh as inference
from graph.iris import Iris, graph_name_problem, normal_iri
from graph.pipeline import audit
from graph.records import SourceRef
from graph.settings import Settings
from graph.store import Store

log = logging.getLogger("stadtgraph.writes")


@dataclass(frozen=True)
class WriteResult:
    """What a write did: ``created`` when the graph did not exist before (HTTP 201)."""

    graph: str
    created: bool
    added: int
    removed: int
    inferred: dict[str, int] = dataclasses.field(default_factory=dict)


def writes_enabled(settings: Settings) -> bool:
    """Writes are offered when at least one token is configured."""
    return bool(settings.tokens)


def check_single_writer(settings: Settings, workers: int) -> None:
    """:raises ConfigurationError: if a server with several worker processes would write the embedded
    on-disk store (pyoxigraph lets one process hold it read-write, and a read-only opener of a store that
    another process writes is undefined behaviour)."""
    if writes_enabled(settings) and settings.store == "oxigraph" and workers > 1:
        raise ConfigurationError(
            "Schreibzugriff (tokens) auf den eingebetteten Speicher braucht genau einen Arbeitsprozess "
            "(--workers 1; mehr Threads sind möglich) / writes (tokens) on the embedded store need exactly one "
            "worker process (--workers 1; more threads are fine), or use store=sparql")


def open_read_write(settings: Settings) -> bool:
    """True if a server process should open the embedded on-disk store read-write (it is the writer)."""
    return writes_enabled(settings) and settings.store == "oxigraph"


def pending_marker(store: Store) -> Path | None:
    """The file that says a write's inferred-graph update has not finished: beside the on-disk store
    (an in-memory store dies with its process; an external store's next write recomputes the whole inferred
    graph, :mod:`graph.store.remote.writes`)."""
    return None if store.path is None else store.path.with_name(store.path.name + ".inferenz-ausstehend")


@contextlib.contextmanager
def inference_pending(store: Store, graph: str) -> Iterator[None]:
    """Marks the span from the asserted write to the end of the inferred graph's update, so a crash
    anywhere in it is seen at the next start (:func:`repair_interrupted`). The mark is written and synced
    before the store is touched, and stays if anything in the span fails."""
    marker = pending_marker(store)
    if marker is None:
        yield
        return
    with open(marker, "w", encoding="utf-8") as out:
        json.dump({"graph": graph, "since": datetime.now(UTC).isoformat(timespec="seconds")}, out)
        out.flush()
        os.fsync(out.fileno())
    yield
    marker.unlink()


def repair_interrupted(settings: Settings, store: Store) -> bool:
    """If a write was cut off between the asserted graph and the inferred one, recompute the inferred graph
    now (a write's asserted part is one transaction: it happened or not; the refresh is idempotent).
    True if it repaired."""
    marker = pending_marker(store)
    if marker is None or store.read_only or not marker.exists():
        return False
    what = marker.read_text(encoding="utf-8")
    log.warning("inferred graph behind an interrupted write (%s): recomputing it", what, extra={"pending": what})
    triples = inference.refresh(store, settings)
    marker.unlink()
    log.warning("inferred graph repaired: %d triples", triples)
    return True


class GraphNameRefused(BadRequest):
    """A write to a graph name the rule of :func:`graph.iris.graph_name_problem` refuses."""

    slug = "graph-name-refused"
    title = "Graphname nicht erlaubt / graph name refused"


class GraphWriter:
    """The write side of the Graph Store Protocol for one store; one write at a time per process."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.iris = Iris(settings.base_iri)
        self._lock = threading.Lock()
        self._gate = None
        self._repaired = False

    @property
    def gate(self):
        if self._gate is None:
            from graph.gate.validation import Gate

            self._gate = Gate(self.settings)
        return self._gate

    def protected(self) -> set[str]:
        return {str(self.iris.inferred_graph), str(self.iris.ontology_graph), str(self.iris.provenance_graph)}

    def check_target(self, graph: str) -> str:
        """The graph IRI if it may be written. :raises BadRequest: for no absolute IRI;
        :raises Forbidden: for the inferred, ontology and provenance graphs (in any spelling), or a store held
        read-only; :raises GraphNameRefused: for a name not in its normal spelling
        (a name outside ``{base}graph/`` is Forbidden)."""
        try:
            graph = ox.NamedNode(graph).value
        except ValueError as exc:
            raise BadRequest(f"<{graph}> ist keine gültige absolute IRI / not a valid absolute IRI") from exc
        if normal_iri(graph) in self.protected():
            raise Forbidden(f"<{graph}> wird vom Dienst selbst geschrieben (abgeleitete Aussagen, Ontologie oder "
                            "Provenienz) / is written by the service itself (inferred, ontology or provenance)")
        problem = graph_name_problem(self.settings.base_iri, graph)
        if problem is not None:
            text, outside = problem
            raise (Forbidden if outside else GraphNameRefused)(f"<{graph}>: {text}")
        if self.store.read_only:
            raise Forbidden("Dieser Server hält den Speicher nur lesend; Schreiben geht über einen Server mit "
                            "einem Arbeitsprozess / this server holds the store read-only; write through a server "
                            "with one worker process")
        return graph

    # ---- the three writes ------------------------------------------------------------------------------
    def put(self, graph: str, content: rdflib.Graph, token: str) -> WriteResult:
        """Replace ``graph`` by ``content`` (creating it if absent)."""
        return self._write("PUT", graph, token, lambda old: content)

    def post(self, graph: str, content: rdflib.Graph, token: str) -> WriteResult:
        """Merge ``content`` into ``graph`` (creating it if absent)."""
        def merged(old: rdflib.Graph) -> rdflib.Graph:
            new = rdflib.Graph()
            for t in old:
                new.add(t)
            for t in content:
                new.add(t)
            return new

        return self._write("POST", graph, token, merged)

    def delete(self, graph: str, token: str) -> WriteResult | None:
        """Drop ``graph``; None if there is no such graph (HTTP 404)."""
        graph = self.check_target(graph)
        with self._lock:
            self._repair_once()
            if not self.store.has_graph(graph):
                return None
            self._check_delete(graph, token)
            old = self.store.count(graph)
            counts = self._apply(graph, None)
            audit.record(self.settings, token=token, method="DELETE", graph=graph, outcome="done", added=0,
                         removed=old, inferred=counts)
            return WriteResult(graph, False, 0, old, counts)

    def _repair_once(self) -> None:
        """Before this writer's first write: finish a write a crash cut off (the server's start does it too,
        :func:`repair_interrupted`; this covers a writer handed a store it did not open)."""
        if not self._repaired:
            repair_interrupted(self.settings, self.store)
            self._repaired = True

    # ---- the common path -------------------------------------------------------------------------------
    def _write(self, method: str, graph: str, token: str, new_content) -> WriteResult:
        graph = self.check_target(graph)
        with self._lock:
            self._repair_once()
            existed = self.store.has_graph(graph)
            old = self.store.graph(graph) if existed else rdflib.Graph()
            new = new_content(old)
            self._check(method, graph, new, token)
            added = sum(1 for t in new if t not in old)
            removed = sum(1 for t in old if t not in new)
            counts = self._apply(graph, new)
            audit.record(self.settings, token=token, method=method, graph=graph, outcome="done", added=added,
                         removed=removed, inferred=counts)
            return WriteResult(graph, not existed and len(new) > 0, added, removed, counts)

    def _check(self, method: str, graph: str, content: rdflib.Graph, token: str) -> None:
        """The SHACL gate, with the graph's new content as records in the context of the rest of the store
        (the graph's old content is left out: the write replaces it). Any violation refuses the whole write."""
        from graph.gate.quality import split_records

        source = SourceRef(file=f"Graph Store {method}", page=graph, kind="rdf")
        records = [dataclasses.replace(r, graph_iri=URIRef(graph)) for r in split_records(content, self.iris, source)]
        if not records:
            return
        self._refuse_if_violated(method, graph, token, self.gate.check(records, context=self.store))

    def _check_delete(self, graph: str, token: str) -> None:
        """A delete passes the gate too: the records of other graphs that point at what the graph defines
        (a synergy, a council paper adopting a concept) are checked against the store without it."""
        from graph.gate.quality import split_records

        subjects = " ".join(s.n3() for s in set(self.store.graph(graph).subjects())
                            if isinstance(s, URIRef) and SAFE_IRI.match(s))
        if not subjects:
            return
        skip = ", ".join(f"<{g}>" for g in sorted({graph, *self.protected()}))
        rows = self.store.query(f"SELECT DISTINCT ?h WHERE {{ VALUES ?s {{ {subjects} }} "
                                f"GRAPH ?h {{ ?x ?p ?s }} FILTER(?h NOT IN ({skip})) }}", dataset="asserted")
        records = []
        for row in rows:
            dependent = row["h"].value
            source = SourceRef(file="Graph Store DELETE", page=dependent, kind="rdf")
            records += [dataclasses.replace(r, graph_iri=URIRef(dependent))
                        for r in split_records(self.store.graph(dependent), self.iris, source)]
        if records:
            verdict = self.gate.check(records, context=self.store, without=[graph])
            self._refuse_if_violated("DELETE", graph, token, verdict)

    def _refuse_if_violated(self, method: str, graph: str, token: str, verdict) -> None:
        """Raise ValidationFailed (422, nothing changed) and audit the refusal if the gate refused anything."""
        from graph.gate.reports import as_json

        if not verdict.refused:
            return
        violations = sum(len([f for f in r.findings if f.is_violation]) for r in verdict.refused)
        audit.record(self.settings, token=token, method=method, graph=graph, outcome="refused",
                     violations=violations)
        report = as_json(verdict.report) if verdict.report is not None else None
        raise ValidationFailed(
            f"{len(verdict.refused)} Datensatz/Datensätze verletzen die Regeln ({violations} Verstöße); nichts "
            f"wurde geändert / {len(verdict.refused)} record(s) violate the shapes; nothing was changed",
            report=report)

    def _apply(self, graph: str, content: rdflib.Graph | None) -> dict[str, int]:
        """One transaction for the asserted graph, then one for what changed in the inferred graph; a crash
        between the two is repaired at the next start (:func:`inference_pending`)."""
        log.info("graph store write: applying %s", graph, extra={"graph": graph})
        with inference_pending(self.store, graph), inference.updating(self.store, self.settings) as counts:
            if content is None or not len(content):
                self.store.replace_graphs({}, remove=[graph])
            else:
                self.store.replace_graphs({graph: content})
        log.info("graph store write: done %s", graph, extra={"graph": graph, **counts})
        return counts

