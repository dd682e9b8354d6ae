"""Pages, the catalog and VoID under the endpoint's limits: a store whose queries run in the query runners
(:mod:`graph.query.executors`) with the time left to the request and the row cap, so no page can hold a worker longer.

The HTTP layer opens a :func:`time_limit` per request (``query_timeout`` seconds for the whole request, not
per query) and hands views a :class:`LimitedStore` instead of the store itself::

    with time_limit(settings.query_timeout):
        rows = list(LimitedStore(store, settings).query("SELECT …"))

Each query gets what is left of the request's time; at the end of it the runner is killed (an on-disk
store) and :class:`~graph.errors.QueryTimeout` is raised. The in-memory store (tests, the CLI) runs
queries in the calling thread: forking per query would cost 20 ms each, and it is never served by
``stadtgraph serve``; there the limit is checked before each query, and the row cap applies as well.
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import IO

import pyoxigraph as ox
import rdflib

from graph.errors import QueryTimeout, StadtgraphError
from graph.ops import metrics
from graph.query.executors import Executor, ForkExecutor, QueryJob, execute, executor_for
from graph.settings import Settings
from graph.store import QueryResult, Store

_DEADLINE: ContextVar[float | None] = ContextVar("stadtgraph_deadline", default=None)


def start(seconds: float) -> Token:
    """Give the current request (context) ``seconds`` from now; :func:`stop` with the token ends it."""
    return _DEADLINE.set(time.monotonic() + seconds)


def stop(token: Token) -> None:
    _DEADLINE.reset(token)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Every :class:`LimitedStore` query inside the block shares ``seconds`` in all."""
    token = start(seconds)
    try:
        yield
    finally:
        stop(token)


def remaining(default: float) -> float:
    """Seconds left to the current request; ``default`` outside a :func:`time_limit`."""
    deadline = _DEADLINE.get()
    return default if deadline is None else deadline - time.monotonic()


def _too_late(limit: float, kind: str, *, counted: bool = False) -> QueryTimeout:
    if not counted:
        metrics.query_timed_out(kind)
    return QueryTimeout(
        f"Die Seite brauchte länger als das Zeitlimit von {limit:g} s und wurde abgebrochen. / "
        f"The page took longer than the time limit of {limit:g} s and was stopped.", seconds=limit)


def as_result(kind: str, body: bytes) -> QueryResult | list[ox.Triple]:
    """A runner's serialized answer (SPARQL JSON, or N-Triples for graphs) as pyoxigraph objects again."""
    if kind == "triples":
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)


class LimitedStore(Store):
    """Reads like ``inner``; every SPARQL query runs under the request's time limit and the row cap.
    Writing through it is refused: it serves pages."""

    def __init__(self, inner: Store, settings: Settings, *, kind: str = "page",
                 executor: Executor | None = None) -> None:
        super().__init__(inner.settings)
        self.inner = inner
        self.limits = settings
        self.kind = kind
        self._executor = executor

    @property
    def mode(self) -> str:  # type: ignore[override]
        return self.inner.mode

    @property
    def version(self):
        return self.inner.version

    @property
    def executor(self) -> Executor:
        if self._executor is None:
            self._executor = executor_for(self.inner, self.limits)
        return self._executor

    def query(self, sparql, *, dataset="all", default_graphs=None, named_graphs=None, substitutions=None):
        limit = self.limits.query_timeout
        left = remaining(limit)
        if left <= 0:
            raise _too_late(limit, self.kind)
        job = QueryJob(query=sparql, results_format="json", graph_format="ntriples", dataset=dataset,
                       default_graphs=default_graphs, named_graphs=named_graphs,
                       substitutions=dict(substitutions) if substitutions else None,
                       row_limit=self.limits.row_limit, timeout=min(left, limit), kind=self.kind)
        if isinstance(self.executor, ForkExecutor):
            written = execute(self.inner, job)  # in memory: see the module docstring
            if written.truncated:
                metrics.result_cut(self.kind)
        else:
            try:
                written = self.executor.run(job).written
            except QueryTimeout:
                raise _too_late(limit, self.kind, counted=True) from None  # the runner counted it
        return as_result(written.kind, written.body)  # type: ignore[return-value]

    # ---- everything else reads the inner store --------------------------------------------------
    def named_graphs(self) -> list[str]:
        return self.inner.named_graphs()

    def has_graph(self, graph_iri: str) -> bool:
        return self.inner.has_graph(graph_iri)

    def graph(self, graph_iri: str) -> rdflib.Graph:
        return self.inner.graph(graph_iri)

    def count(self, graph_iri: str | None = None) -> int:
        return self.inner.count(graph_iri)

    def dump(self, out: IO[bytes], fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> None:
        self.inner.dump(out, fmt)

    def replace_graphs(self, graphs: Mapping[str, rdflib.Graph], remove: Iterable[str] = ()) -> None:
        raise StadtgraphError("Seiten schreiben nicht / pages do not write")

    def bulk_load(self, data, fmt, graph=None) -> None:
        raise StadtgraphError("Seiten schreiben nicht / pages do not write")

    def clear(self) -> None:
        raise StadtgraphError("Seiten schreiben nicht / pages do not write")
