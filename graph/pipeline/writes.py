"""Graph Store writes (https://www.w3.org/TR/sparql11-http-rdf-update/): replace, merge into or drop one
named graph — through the SHACL gate, atomically, with the inferred graph brought up to date and an audit
entry. The HTTP side is :mod:`web.graph_store`; this module knows nothing about HTTP.

Single writer: the embedded on-disk store can be held read-write by one process only, so a server that
accepts writes on it runs one worker process holding the store read-write (:func:`writes_enabled`,
checked by ``stadtgraph serve``); its queries fork from that process and see every write at once. An
external store (``store = sparql``) serialises writers itself (:mod:`graph.store.remote.writes`).
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import URIRef

from graph.errors import BadRequest, ConfigurationError, Forbidden, GraphNotWritable, ValidationFailed
from graph.gate.validation import SAFE_IRI
from graph.inference import refresh as inference
from graph.iris import GRAPH_NAME_RULE, Iris, normal_iri
from graph.pipeline import audit
from graph.pipeline.changes import ChangeSet, Followers, GraphChange, followers_for
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


PENDING_FILE = "inference-pending.json"


def pending_path(settings: Settings) -> Path:
    """The crash marker: written (fsync) before a write reaches the store, removed once the inferred graph
    follows it. Found at start, it means a write may be in the store without its inferences."""
    return Path(settings.audit_dir) / PENDING_FILE


def mark_pending(settings: Settings, graphs: list[str]) -> None:
    path = pending_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    try:
        os.write(fd, json.dumps({"graphs": graphs, "pid": os.getpid()}).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def clear_pending(settings: Settings) -> None:
    pending_path(settings).unlink(missing_ok=True)


def repair_after_crash(settings: Settings, store: Store) -> int | None:
    """At start: if a write was interrupted between the store write and the inference refresh (the marker
    is there), recompute the inferred graph from the asserted graphs and clear the marker. Returns the
    inferred graph's size after a repair, None if there was nothing to repair."""
    path = pending_path(settings)
    if not path.exists() or store.read_only:
        return None
    log.warning("interrupted write found (%s): refreshing the inferred graph and its followers", path)
    try:
        graphs = json.loads(path.read_text(encoding="utf-8")).get("graphs", [])
    except (OSError, ValueError):
        graphs = []  # a torn marker: the followers repair what they can find changed
    triples = inference.refresh(store, settings)
    followers_for(settings, store).repair(graphs)
    clear_pending(settings)
    audit.record(settings, token="-", method="REPAIR", graph=str(Iris(settings.base_iri).inferred_graph),
                 outcome="done", triples=triples)
    return triples


class GraphWriter:
    """The write side of the Graph Store Protocol for one store; one write at a time per process."""

    def __init__(self, settings: Settings, store: Store, followers: Followers | None = None) -> None:
        self.settings = settings
        self.store = store
        self._followers = followers
        self.iris = Iris(settings.base_iri)
        # Reentrant: an update holds it from its scratch copy to its write (:meth:`exclusive`).
        self._lock = threading.RLock()
        self._gate = None

    @property
    def followers(self) -> Followers:
        """Who is told each write (:func:`graph.pipeline.changes.followers_for` unless given)."""
        if self._followers is None:
            self._followers = followers_for(self.settings, self.store)
        return self._followers

    @property
    def gate(self):
        if self._gate is None:
            from graph.gate.validation import Gate

            self._gate = Gate(self.settings)
        return self._gate

    def protected(self) -> set[str]:
        return {str(self.iris.inferred_graph), str(self.iris.ontology_graph), str(self.iris.provenance_graph)}

    def check_target(self, graph: str) -> str:
        """The graph IRI if it may be written: an absolute IRI, under ``{base}graph/`` in its normal form
        (:meth:`graph.iris.Iris.writable_graph`), none the service writes itself.

        :raises BadRequest: for no absolute IRI, :raises GraphNameInvalid: (400) for a name not in normal
        form; :raises GraphNotWritable: (403) outside ``{base}graph/`` or for the inferred, ontology and
        provenance graphs (also under another spelling); :raises Forbidden: for a store held read-only."""
        try:
            graph = ox.NamedNode(graph).value
        except ValueError as exc:
            raise BadRequest(f"<{graph}> ist keine gültige absolute IRI / not a valid absolute IRI") from exc
        if normal_iri(graph) in self.protected():
            raise GraphNotWritable(
                f"<{graph}> wird vom Dienst selbst geschrieben (abgeleitete Aussagen, Ontologie oder Provenienz) / "
                f"is written by the service itself (inferred, ontology or provenance). Regel / rule: "
                f"{GRAPH_NAME_RULE}", rule="protected")
        graph = self.iris.writable_graph(graph)
        if self.store.read_only:
            raise Forbidden("Dieser Server hält den Speicher nur lesend; Schreiben geht über einen Server mit "
                            "einem Arbeitsprozess / this server holds the store read-only; write through a server "
                            "with one worker process")
        return graph

    def exclusive(self):
        """The writer's lock, for a write that reads the store before it writes (SPARQL Update): held
        from the read to the write, no other write of this process comes between them."""
        return self._lock

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
            if not self.store.has_graph(graph):
                return None
            self._check_delete(graph, token)
            before = self.store.graph(graph)
            old = len(before)
            counts = self._apply({graph: None}, {graph: before}, "DELETE", token)
            audit.record(self.settings, token=token, method="DELETE", graph=graph, outcome="done", added=0,
                         removed=old, inferred=counts)
            return WriteResult(graph, False, 0, old, counts)

    # ---- the common path -------------------------------------------------------------------------------
    def _write(self, method: str, graph: str, token: str, new_content) -> WriteResult:
        graph = self.check_target(graph)
        with self._lock:
            existed = self.store.has_graph(graph)
            old = self.store.graph(graph) if existed else rdflib.Graph()
            new = new_content(old)
            self._check(method, graph, new, token)
            added = sum(1 for t in new if t not in old)
            removed = sum(1 for t in old if t not in new)
            counts = self._apply({graph: new}, {graph: old}, method, token)
            audit.record(self.settings, token=token, method=method, graph=graph, outcome="done", added=added,
                         removed=removed, inferred=counts)
            return WriteResult(graph, not existed and len(new) > 0, added, removed, counts)

    def replace(self, changes: Mapping[str, rdflib.Graph | None], token: str, method: str = "UPDATE",
                **audit_extra) -> dict[str, int]:
        """Several graphs at once (SPARQL Update): each graph in ``changes`` replaced by its new content
        (None or empty: dropped). Every target is checked as for the Graph Store, every changed record graph
        passes the gate (a dropped one as :meth:`delete`), then all go to the store in one transaction with
        the inferred graph brought up to date, and one audit entry. Returns the inference counts."""
        targets = {self.check_target(g): c for g, c in changes.items()}
        if not targets:
            return {}
        with self._lock:
            kept = {g: c for g, c in targets.items() if c is not None and len(c)}
            dropped = [g for g in targets if g not in kept and self.store.has_graph(g)]
            label = ", ".join(sorted(targets))
            if kept:
                self._check_many(method, label, kept, token)
            for graph in dropped:
                self._check_delete(graph, token, method=method)
            before = ({g: self.store.graph(g) if self.store.has_graph(g) else rdflib.Graph() for g in targets}
                      if self.followers.wants_content else {})
            counts = self._apply({**kept, **{g: None for g in dropped}}, before, method, token)
            audit.record(self.settings, token=token, method=method, graph=label, outcome="done",
                         graphs=sorted(targets), inferred=counts, **audit_extra)
            return counts

    def _check_many(self, method: str, label: str, contents: Mapping[str, rdflib.Graph], token: str) -> None:
        from graph.gate.quality import split_records

        records = []
        for graph, content in contents.items():
            source = SourceRef(file=f"SPARQL {method}", page=graph, kind="rdf")
            records += [dataclasses.replace(r, graph_iri=URIRef(graph))
                        for r in split_records(content, self.iris, source)]
        if records:
            verdict = self.gate.check(records, context=self.store, without=list(contents))
            self._refuse_if_violated(method, label, token, verdict)

    def _check(self, method: str, graph: str, content: rdflib.Graph, token: str) -> None:
        """The SHACL gate, with the graph's new content as records in the context of the rest of the store
        (the graph's old content is left out: the write replaces it). Any violation refuses the whole write."""
        from graph.gate.quality import split_records

        source = SourceRef(file=f"Graph Store {method}", page=graph, kind="rdf")
        records = [dataclasses.replace(r, graph_iri=URIRef(graph)) for r in split_records(content, self.iris, source)]
        if not records:
            return
        self._refuse_if_violated(method, graph, token, self.gate.check(records, context=self.store))

    def _check_delete(self, graph: str, token: str, method: str = "DELETE") -> None:
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
            self._refuse_if_violated(method, graph, token, verdict)

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

    def _apply(self, changes: Mapping[str, rdflib.Graph | None], before: Mapping[str, rdflib.Graph],
               method: str, token: str) -> dict[str, int]:
        """One transaction for the asserted graphs, then one for what changed in the inferred graph, then
        the followers (:mod:`graph.pipeline.changes`) are told. The crash marker (:func:`pending_path`)
        brackets the three: a crash between them is repaired at the next start (:func:`repair_after_crash`);
        so is a follower that failed (the write stands, the marker stays)."""
        graphs = sorted(changes)
        log.info("graph store write: applying %s", ", ".join(graphs), extra={"graph": ", ".join(graphs)})
        mark_pending(self.settings, graphs)
        with inference.updating(self.store, self.settings) as counts:
            self.store.replace_graphs({g: c for g, c in changes.items() if c is not None and len(c)},
                                      remove=[g for g, c in changes.items() if c is None or not len(c)])
        if self.followers:
            change = ChangeSet(tuple(GraphChange(g, before.get(g, rdflib.Graph()), c) for g, c in changes.items()),
                               method=method, actor=token)
            try:
                self.followers.follow(change)
            except Exception:  # the write is committed; the marker stays and the next start repairs
                log.exception("a follower failed after the write of %s; repaired at the next start",
                              ", ".join(graphs))
                return counts
        clear_pending(self.settings)
        log.info("graph store write: done %s", ", ".join(graphs), extra={"graph": ", ".join(graphs), **counts})
        return counts

