"""The runner process's side of a query with a real time limit: the job and its outcome, and the loop a
runner process serves (it opens its store, confines itself to no network, runs, caps and serializes).

The server worker's side, which starts, feeds and kills runners, is :mod:`graph.query.executors`.
"""

import logging
import os
import resource
import stat
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from graph import errors
from graph.errors import QuerySyntaxError, StadtgraphError, StoreUnavailable
from graph.formats import by_name
from graph.query.results import Written, write_boolean, write_solutions, write_triples
from graph.query.sandbox import deny_network, die_with_parent
from graph.querytext import syntax_error
from graph.settings import Settings
from graph.store import OxigraphStore, Store

log = logging.getLogger("stadtgraph.runner")
STARTUP_SECONDS = 30.0


@dataclass(frozen=True)
class QueryJob:
    """One query to run; formats by name (:func:`graph.formats.by_name`), limits in seconds and rows."""

    query: str
    results_format: str = "json"
    graph_format: str = "turtle"
    dataset: str = "all"
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    substitutions: dict[str, Any] | None = None  # variable name -> rdflib term
    row_limit: int = 10000
    timeout: float = 10.0
    kind: str = "sparql"  # what asked: "sparql", "curated", "page", "internal" (a metrics label, fixed set)


@dataclass
class Outcome:
    written: Written
    seconds: float
    results_format: str
    graph_format: str
    cached: bool = False  # answered from the result cache (graph.query.result_cache), not run

    @property
    def format_name(self) -> str:
        return self.graph_format if self.written.kind == "triples" else self.results_format


@dataclass
class ExecutorStats:
    """Counters for operations (issue: metrics)."""

    queries: int = 0
    timeouts: int = 0
    truncated: int = 0
    refused_busy: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    runners_started: int = 0
    sandboxed: bool | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)


# ---- in the runner --------------------------------------------------------------------------------
def execute(store: Store, job: QueryJob) -> Written:
    """Run ``job`` on ``store`` and serialize its result. Runs inside a runner (or inline).

    :raises QuerySyntaxError: naming line and column.
    """
    try:
        result = store.query(job.query, dataset=job.dataset, default_graphs=job.default_graphs,
                             named_graphs=job.named_graphs, substitutions=job.substitutions)
        if isinstance(result, ox.QueryBoolean):
            return write_boolean(result, by_name(job.results_format))
        if isinstance(result, ox.QueryTriples):
            return write_triples(result, by_name(job.graph_format), job.row_limit)
        return write_solutions(result, by_name(job.results_format), job.row_limit)
    except QuerySyntaxError as exc:
        raise syntax_error(exc.detail) from None
    except SyntaxError as exc:
        raise syntax_error(str(exc)) from None


def answer(store: Store, job: QueryJob) -> tuple:
    started = time.perf_counter()
    try:
        return ("ok", execute(store, job), time.perf_counter() - started)
    except StadtgraphError as exc:
        return ("error", type(exc).__name__, exc.detail, exc.extra)
    except Exception as exc:  # noqa: BLE001 - the engine's own message, never a trace
        return ("error", "StadtgraphError", f"Anfrage fehlgeschlagen / query failed: {exc}", {})


def _confine() -> bool:
    die_with_parent()
    return deny_network()


def serve(conn, opener: Callable[[], Store]) -> None:
    """Main loop of a long-lived runner: open the store, then answer jobs until the pipe closes."""
    sandboxed = _confine()
    try:
        store = opener()
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises StoreUnavailable
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", sandboxed))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(answer(store, job))


def serve_forked(conn, opener: Callable[[], Store]) -> None:
    """A long-lived runner forked from a server worker: first let go of every socket and pipe it inherited
    (client connections, the listening socket, other runners' pipes), or a connection the worker closes
    would stay open in here. Files stay open: a runner forked from a worker that holds the on-disk store
    reads the store through the descriptors it inherited."""
    _close_inherited(keep=conn.fileno())
    serve(conn, opener)


def _close_inherited(keep: int) -> None:
    """Close every socket and pipe above stderr but ``keep``: those /proc lists (a loop up to the descriptor
    limit could run a billion times in a container)."""
    try:
        open_fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc: up to the soft limit
        open_fds = list(range(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0]))
    for fd in open_fds:
        if fd > 2 and fd != keep:
            try:
                if stat.S_ISSOCK(os.fstat(fd).st_mode) or stat.S_ISFIFO(os.fstat(fd).st_mode):
                    os.close(fd)
            except OSError:
                pass  # e.g. the descriptor listdir used, already closed


def run_once(conn, store: Store, job: QueryJob) -> None:
    """A one-shot runner (forked with the in-memory store in its memory)."""
    conn.send(("sandbox", _confine()))
    conn.send(answer(store, job))
    conn.close()


def open_read_only(settings: Settings, path: str) -> Store:
    return OxigraphStore(settings, path, read_only=True)


def alive(ref: weakref.ref[Store]) -> Store:
    store = ref()
    if store is None:
        raise StoreUnavailable("Speicher geschlossen / store closed")
    return store


def raise_from(message: tuple) -> None:
    _, name, detail, extra = message
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, StadtgraphError)):
        cls = StadtgraphError
    raise cls(detail, **extra)
