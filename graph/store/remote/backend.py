"""The remote store: any SPARQL 1.1 store (Virtuoso tested) behind the :class:`graph.store.Store` interface.

Reads check a small control graph before and after each query and retry when a write happened in
between, so a reader never returns a half-applied replacement (see :mod:`graph.store.remote.writes`).
"""
from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TypeVar

import pyoxigraph as ox
import rdflib

from graph.errors import QueryRefused, QueryTimeout, StoreUnavailable
from graph.settings import Settings
from graph.store.base import DATASETS, QueryResult, Store
from graph.store.remote import query as rq
from graph.store.remote.http import Response, SparqlHttp
from graph.store.remote.writes import CONTROL, EMPTY, HIDDEN, MARK, RemoteWriter
from graph.store.terms import to_rdflib

T = TypeVar("T")
XML_RESULTS = "application/sparql-results+xml"
NTRIPLES = "application/n-triples"
# Internal whole-graph reads (dump, graph listing) may take longer than a caller's query.
INTERNAL_TIMEOUT = 600.0


@dataclass(frozen=True)
class Snapshot:
    """What a reader must know about writes: ``key`` changes with every write step (generation, write
    states), ``busy_since`` is the start of an unfinished write (None: none), ``hidden`` are graphs that are
    not stadtgraph's (the store's own system graphs, the control graph)."""

    key: frozenset[tuple[str, str]]
    busy_since: datetime | None
    hidden: tuple[str, ...]


class SparqlStore(Store):
    """A SPARQL 1.1 store reached over HTTP: queries, updates, and the write protocol of remote_writes."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.http = SparqlHttp(settings.sparql_query_url, settings.sparql_update_url, settings.sparql_user,
                               settings.sparql_password, timeout=settings.query_timeout)
        self._dialect = settings.sparql_dialect if settings.sparql_dialect != "auto" else ""
        self._snapshot: Snapshot | None = None
        self._guard = threading.Lock()
        self.writer = RemoteWriter(self)

    # ---- plumbing ------------------------------------------------------------------------------------
    @property
    def dialect(self) -> str:
        """'virtuoso' (pragmas for the dataset, fast INSERT DATA) or 'standard' (protocol parameters)."""
        if not self._dialect:
            response = self.http.query("ASK {}", accept=XML_RESULTS)
            self._dialect = "virtuoso" if "virtuoso" in response.header("Server").lower() else "standard"
        return self._dialect

    def raw_select(self, text: str, *, timeout: float = INTERNAL_TIMEOUT) -> list[dict]:
        """Rows of an internal SELECT (no dataset, no checks; page size is the caller's business)."""
        response = self.http.query(text, accept=XML_RESULTS, timeout=timeout)
        result = self._parse_solutions(response)
        return [{v.value: row[v] for v in result.variables if row[v] is not None} for row in result]

    def _parse_solutions(self, response: Response) -> ox.QuerySolutions | ox.QueryBoolean:
        self._check_cut(response)
        body = response.body
        if self.dialect == "virtuoso":
            # Virtuoso writes blank nodes as <bnode>nodeID://b1</bnode>; "<" inside literals is escaped.
            body = body.replace(b"<bnode>nodeID://", b"<bnode>")
        return ox.parse_query_results(body, ox.QueryResultsFormat.XML)

    def _check_cut(self, response: Response) -> None:
        if response.header("X-SQL-State") == "S1TAT":
            # Virtuoso's "anytime" answer: partial results after the time limit, with status 200.
            raise QueryTimeout(f"Zeitlimit von {self.settings.query_timeout:g} s überschritten / "
                               f"time limit of {self.settings.query_timeout:g} s exceeded")
        cap = response.header("X-SPARQL-MaxRows")
        if cap and response.body.count(b"<result>") >= int(cap):
            raise StoreUnavailable(f"Der Speicher schneidet Ergebnisse bei {cap} Zeilen ab (Virtuoso "
                                   f"ResultSetMaxRows) / the store cuts results at {cap} rows")

    # ---- consistent reads ---------------------------------------------------------------------------
    def snapshot_key(self) -> frozenset[tuple[str, str]]:
        rows = self.raw_select(f"SELECT ?s ?o WHERE {{ GRAPH <{CONTROL}> {{ ?s <{MARK}> ?o }} }}",
                               timeout=self.settings.query_timeout)
        return frozenset((r["s"].value, r["o"].value) for r in rows)

    def load_snapshot(self, key: frozenset[tuple[str, str]] | None = None) -> Snapshot:
        key = self.snapshot_key() if key is None else key
        if not any(s == CONTROL for s, _ in key):
            self.writer.initialise()
            key = self.snapshot_key()
        rows = self.raw_select(f"SELECT ?h WHERE {{ GRAPH <{CONTROL}> {{ <{CONTROL}> <{HIDDEN}> ?h }} }}")
        hidden = tuple(sorted({r["h"].value for r in rows} | {CONTROL}))
        writes = {s for s, _ in key if s != CONTROL}
        starts = [t for s, o in key
                  if s in writes and o.startswith("started ") and (t := _when(o[8:])) is not None]
        busy = min(starts, default=datetime.now(UTC)) if writes else None
        return Snapshot(key, busy, hidden)

    def consistent(self, run: Callable[[Snapshot], T], *, timeout: float | None = None) -> T:
        """``run(snapshot)`` such that no write step happened between the snapshot and the end of the run;
        else run again. While a write is under way, wait for it (up to ``timeout``): Virtuoso shows readers
        the rows of a running update, so reading then could return half of it."""
        deadline = time.monotonic() + (timeout or self.settings.query_timeout)
        with self._guard:
            snap = self._snapshot
        if snap is None:
            snap = self.load_snapshot()
        pause = 0.02
        while True:
            if snap.busy_since is None:
                result = run(snap)
                key = self.snapshot_key()
                if key == snap.key:
                    with self._guard:
                        self._snapshot = snap
                    return result
                snap = self.load_snapshot(key)
            else:
                age = (datetime.now(UTC) - snap.busy_since).total_seconds()
                if age > self.settings.sparql_write_lease:
                    self.writer.recover_abandoned()  # a writer died: finish or undo its write
                time.sleep(pause)
                pause = min(pause * 2, 0.5)
                snap = self.load_snapshot()
            if time.monotonic() > deadline:
                raise StoreUnavailable("Der Speicher wird gerade geschrieben; bitte erneut versuchen / "
                                       "a write is being applied to the store, please retry")

    def forget_snapshot(self) -> None:
        with self._guard:
            self._snapshot = None

    # ---- the dataset -----------------------------------------------------------------------------------
    def _dataset(self, snap: Snapshot, dataset: str, default_graphs: list[str] | None,
                 named_graphs: list[str] | None) -> tuple[str, list[tuple[str, str]]]:
        """(text to prepend, protocol parameters) that make the store's dataset what ``dataset`` says.

        "all" is the store's own default graph, the union of its graphs: listing 130 graphs made Virtuoso
        3x slower per query, 1,100 graphs 10–20x, and excluding more than one graph by pragma gave wrong
        answers or "Stack Overflow in cost model" with FILTER NOT EXISTS (measured on 7.2.5). So on Virtuoso
        "asserted" excludes the one inferred graph; a standard store gets the asserted graphs listed."""
        if dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {DATASETS}")
        hidden = set(snap.hidden)
        inferred = str(self.iris.inferred_graph)
        default = None if default_graphs is None else [g for g in default_graphs if g not in hidden] or [EMPTY]
        named = None if named_graphs is None else [g for g in named_graphs if g not in hidden] or [EMPTY]
        if default is None and dataset == "inferred":
            default = [inferred]
        if self.dialect == "virtuoso":
            exclude = [inferred] if default is None and dataset == "asserted" else []
            return rq.virtuoso_dataset(exclude_default=exclude, default=default, named=named), []
        if default is None and dataset == "asserted":
            default = [g for g in self._list_graphs(snap) if g != inferred] or [EMPTY]
        params = [("default-graph-uri", g) for g in default or []]
        params += [("named-graph-uri", g) for g in named or []]
        return "", params

    # ---- reading ---------------------------------------------------------------------------------------
    def query(self, sparql, *, dataset="all", default_graphs=None, named_graphs=None, substitutions=None):
        info = rq.check_query(sparql)
        text = rq.bind_values(sparql, substitutions) if substitutions else sparql
        accept = NTRIPLES if info.form in ("CONSTRUCT", "DESCRIBE") else XML_RESULTS

        def run(snap: Snapshot) -> QueryResult:
            hidden = set(snap.hidden)
            for g in info.from_graphs + info.from_named:
                if g in hidden:
                    raise QueryRefused(f"Graph <{g}> gehört nicht zum Datenbestand / is not part of the dataset")
            prologue, params = self._dataset(snap, dataset, default_graphs, named_graphs)
            if self.dialect == "virtuoso":
                # Virtuoso stops the query itself and answers with what it has (flagged, see _check_cut).
                params.append(("timeout", str(int(self.settings.query_timeout * 1000))))
            response = self.http.query(prologue + text, accept=accept, params=params,
                                       timeout=self.settings.query_timeout)
            if accept == NTRIPLES:
                self._check_cut(response)
                return _as_query_triples(response.body)
            return self._parse_solutions(response)

        return self.consistent(run)

    def _list_graphs(self, snap: Snapshot) -> list[str]:
        """Graph IRIs with at least one triple, outside ``snap.hidden``. GROUP BY, because Virtuoso 7.2
        answers SELECT DISTINCT ?g over a million quads only after minutes."""
        hidden = set(snap.hidden)
        rows = self._paged("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return sorted(r["g"].value for r in rows if r["g"].value not in hidden)

    def _paged(self, text: str) -> list[dict]:
        size = self.settings.sparql_page_size
        rows: list[dict] = []
        offset = 0
        while True:
            page = self.raw_select(f"{text} LIMIT {size} OFFSET {offset}")
            rows += page
            if len(page) < size:
                return rows
            offset += size

    def named_graphs(self) -> list[str]:
        return self.consistent(self._list_graphs, timeout=INTERNAL_TIMEOUT)

    def has_graph(self, graph_iri: str) -> bool:
        def run(snap: Snapshot) -> bool:
            if graph_iri in snap.hidden:
                return False
            response = self.http.query(f"ASK {{ GRAPH <{_iri(graph_iri)}> {{ ?s ?p ?o }} }}", accept=XML_RESULTS)
            return bool(self._parse_solutions(response))

        return self.consistent(run)

    def graph(self, graph_iri: str) -> rdflib.Graph:
        def run(snap: Snapshot) -> rdflib.Graph:
            g = rdflib.Graph()
            if graph_iri in snap.hidden:
                return g
            for row in self._paged(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{_iri(graph_iri)}> {{ ?s ?p ?o }} }}"):
                g.add((to_rdflib(row["s"]), to_rdflib(row["p"]), to_rdflib(row["o"])))
            return g

        return self.consistent(run, timeout=INTERNAL_TIMEOUT)

    def count(self, graph_iri: str | None = None) -> int:
        def run(snap: Snapshot) -> int:
            if graph_iri is not None:
                return 0 if graph_iri in snap.hidden else self._count(graph_iri)
            # All quads, less those of the store's own graphs (a few thousand on Virtuoso).
            return self._count(None) - sum(self._count(g) for g in snap.hidden)

        return self.consistent(run, timeout=INTERNAL_TIMEOUT)

    def _count(self, graph_iri: str | None) -> int:
        graph = f"<{_iri(graph_iri)}>" if graph_iri else "?g"
        return int(self.raw_select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")[0]["n"].value)

    def dump(self, out: IO[bytes], fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> None:
        def run(snap: Snapshot) -> ox.Store:
            hidden = set(snap.hidden)
            copy = ox.Store()
            rows = self._paged("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
            copy.extend(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows if r["g"].value not in hidden)
            return copy

        copy = self.consistent(run, timeout=INTERNAL_TIMEOUT)
        if fmt.supports_datasets:
            copy.dump(out, fmt)
        else:
            # Triple formats cannot carry graphs: write the union.
            ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in copy), out, fmt)

    # ---- writing -------------------------------------------------------------------------------------
    def replace_graphs(self, graphs: Mapping[str, rdflib.Graph], remove: Iterable[str] = ()) -> None:
        self.writer.replace(graphs, list(remove))

    def bulk_load(self, data: bytes | IO[bytes] | Path, fmt: ox.RdfFormat, graph: str | None = None) -> None:
        if isinstance(data, bytes):
            data = io.BytesIO(data)
        self.writer.bulk_load(data, fmt, graph)

    def clear(self) -> None:
        self.writer.clear()


def _when(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _iri(value: str) -> str:
    """An IRI checked by pyoxigraph before it goes into query text (the angle brackets are the caller's)."""
    return ox.NamedNode(value).value


def _as_query_triples(body: bytes) -> ox.QueryTriples:
    """N-Triples from the store as a real ``QueryTriples`` (callers serialize results one way): loaded
    into a scratch store and read back with CONSTRUCT."""
    scratch = ox.Store()
    scratch.load(body, format=ox.RdfFormat.N_TRIPLES)
    return scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
