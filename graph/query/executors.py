"""Running a query with a real time limit: in a separate runner process that is killed when time is up.

pyoxigraph cannot be interrupted from Python (a running query even blocks signal handlers), so every
query of the endpoint runs in a child process; the serving thread waits on a pipe, and at the limit the
child is SIGKILLed and replaced, which really frees the thread and the CPU. The child also applies the
row limit and serializes, so only bytes cross the pipe. Children have no network (:mod:`graph.query.sandbox`).

- :class:`PoolExecutor`: a few long-lived runners per server worker, each opening the on-disk store
  read-only (started through a fork server, so the threaded worker is never forked); or, for a replica
  (an in-memory copy that never changes), forked from the worker so they share the copy's pages.
- :class:`ForkExecutor`: one fork per query for an in-memory store (the child sees the data as it is).
- :class:`InlineExecutor`: in-thread, for backends that enforce limits themselves (remote stores).
"""
from __future__ import annotations

import abc
import dataclasses
import functools
import logging
import multiprocessing as mp
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from graph.errors import Overloaded, QueryTimeout, StadtgraphError, StoreUnavailable
from graph.ops import metrics
from graph.query.result_cache import ResultCache
from graph.query.runner_process import (
    STARTUP_SECONDS,
    ExecutorStats,
    Outcome,
    QueryJob,
    alive,
    answer,
    execute,
    open_read_only,
    raise_from,
    run_once,
    serve,
    serve_forked,
)
from graph.settings import Settings
from graph.store import Store

log = logging.getLogger("stadtgraph.runner")

__all__ = ["ExecutorStats", "Outcome", "QueryJob", "execute"]


# ---- in the server worker ---------------------------------------------------------------------------
class Executor(abc.ABC):
    def __init__(self, size: int, queue_wait: float) -> None:
        self.size = max(1, size)
        self.queue_wait = queue_wait
        self.stats = ExecutorStats()
        self._slots = threading.BoundedSemaphore(self.size)
        self.cache: ResultCache | None = None  # set by :func:`executor_for` where the settings ask for one

    def run(self, job: QueryJob) -> Outcome:
        """Run a job within its time limit, or answer it from the result cache (``Outcome.cached``).
        :raises QueryTimeout: at the limit (the runner is killed); :raises Overloaded: when no runner frees
        up within ``queue_wait`` seconds."""
        key = self.cache.key(job) if self.cache is not None else None
        if key is not None:
            hit = self.cache.get(key)
            if hit is not None:
                self.stats.add(cache_hits=1)
                metrics.result_cache("hit", job.kind)
                return dataclasses.replace(hit, cached=True)
            self.stats.add(cache_misses=1)
            metrics.result_cache("miss", job.kind)
        outcome = self._run_limited(job)
        if key is not None:
            self.cache.put(key, outcome)
        return outcome

    def _run_limited(self, job: QueryJob) -> Outcome:
        if not self._slots.acquire(timeout=self.queue_wait):
            self.stats.add(refused_busy=1)
            metrics.refused_busy(job.kind)
            exc = Overloaded(f"Alle {self.size} Abfrageprozesse sind belegt; bitte gleich noch einmal. / "
                             f"All {self.size} query processes are busy; please retry shortly.")
            exc.headers = {"Retry-After": str(max(1, int(job.timeout)))}  # type: ignore[attr-defined]
            raise exc
        try:
            status = self._run(job)
        finally:
            self._slots.release()
        if status[0] == "error":
            raise_from(status)
        written, seconds = status[1], status[2]
        self.stats.add(queries=1, truncated=int(written.truncated))
        if written.truncated:
            metrics.result_cut(job.kind)
        return Outcome(written, seconds, job.results_format, job.graph_format)

    def _timeout(self, job: QueryJob) -> QueryTimeout:
        self.stats.add(timeouts=1)
        metrics.query_timed_out(job.kind)
        return QueryTimeout(
            f"Die Anfrage wurde nach {job.timeout:g} s abgebrochen (Zeitlimit des Endpunkts). / "
            f"The query was stopped after {job.timeout:g} s (the endpoint's time limit).", seconds=job.timeout)

    @abc.abstractmethod
    def _run(self, job: QueryJob) -> tuple: ...

    def warm_up(self) -> None:  # noqa: B027 - optional hook, a no-op for executors without runners
        """Start runners ahead of the first query."""

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op for executors without runners
        """Stop all runners."""


class InlineExecutor(Executor):
    """Runs in the calling thread: for backends whose server enforces the limit (remote stores)."""

    def __init__(self, store: Store, size: int, queue_wait: float) -> None:
        super().__init__(size, queue_wait)
        self._store = weakref.ref(store)  # weak: the executor must not keep its store alive

    def _run(self, job: QueryJob) -> tuple:
        return answer(alive(self._store), job)


class ForkExecutor(Executor):
    """One forked child per query; for the in-memory store, whose data only this process holds."""

    def __init__(self, store: Store, size: int, queue_wait: float) -> None:
        super().__init__(size, queue_wait)
        self._store = weakref.ref(store)  # weak: the executor must not keep its store alive
        self._ctx = mp.get_context("fork")

    def _run(self, job: QueryJob) -> tuple:
        reader, writer = self._ctx.Pipe(duplex=False)
        proc = self._ctx.Process(target=run_once, args=(writer, alive(self._store), job), daemon=True,
                                 name="stadtgraph-query")
        proc.start()
        writer.close()
        deadline = time.monotonic() + job.timeout
        try:
            if reader.poll(max(0.0, deadline - time.monotonic())):
                self.stats.sandboxed = reader.recv()[1]
            if not reader.poll(max(0.0, deadline - time.monotonic())):
                proc.kill()
                raise self._timeout(job)
            return reader.recv()
        except EOFError:
            raise StadtgraphError("Der Abfrageprozess ist abgestürzt / the query process crashed") from None
        finally:
            reader.close()
            proc.join(5)


class _Runner:
    def __init__(self, ctx, opener: Callable[[], Store], version: str | None = None) -> None:
        self.version = version  # the store's version its data is a copy of (None: it reads the live store)
        self.conn, child = ctx.Pipe()
        target = serve_forked if ctx.get_start_method() == "fork" else serve
        self.proc = ctx.Process(target=target, args=(child, opener), daemon=True, name="stadtgraph-query")
        self.proc.start()
        child.close()
        if not self.conn.poll(STARTUP_SECONDS):
            self.kill()
            raise StoreUnavailable("Abfrageprozess startet nicht / query process does not start")
        state, detail = self.conn.recv()
        if state != "ready":
            self.kill()
            raise StoreUnavailable(f"Speicher im Abfrageprozess nicht lesbar / store unreadable: {detail}")
        self.sandboxed = bool(detail)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class PoolExecutor(Executor):
    """Long-lived runners, up to ``size``, that get their store from ``opener``: started through a fork server
    (``start="forkserver"``, the opener opens the on-disk store read-only), or forked from this process
    (``start="fork"``, the opener hands on a replica, or the store this process writes, which the child
    shares with it as it was at the fork).

    ``version`` (the store's version, :mod:`graph.store.version`) is given where a runner's data is a copy
    made at the fork of a store this process goes on writing: a runner forked before a write is not given
    another query after it (it is replaced), so a query sees every write acknowledged before it."""

    def __init__(self, opener: Callable[[], Store], size: int, queue_wait: float, start: str = "forkserver",
                 version: Callable[[], str] | None = None) -> None:
        super().__init__(size, queue_wait)
        self.opener = opener
        self._version = version
        self._ctx = mp.get_context(start)
        if start == "forkserver":
            self._ctx.set_forkserver_preload(["graph.query.executors"])
        # Forked runners die with the *thread* that forked them (PR_SET_PDEATHSIG), so one long-lived thread
        # forks them all; a request thread or the warm-up thread may come and go.
        self._forker = ThreadPoolExecutor(1, "stadtgraph-runner-fork") if start == "fork" else None
        self._idle: list[_Runner] = []
        self._count = 0
        self._lock = threading.Lock()
        self._closed = False

    def _start(self) -> _Runner:
        # The version is read before the fork: a write in between makes the runner look older than it is
        # (replaced once too often), never newer.
        version = self._version() if self._version is not None else None
        if self._forker is not None:
            runner = self._forker.submit(_Runner, self._ctx, self.opener, version).result()
        else:
            runner = _Runner(self._ctx, self.opener, version)
        self.stats.add(runners_started=1)
        metrics.query_runner("started")
        self.stats.sandboxed = runner.sandboxed
        if not runner.sandboxed:
            log.warning("query runner without network filter (platform has no seccomp)")
        return runner

    def _stale(self, runner: _Runner) -> bool:
        return self._version is not None and runner.version != self._version()

    def _take(self) -> _Runner:
        while True:
            with self._lock:
                runner = self._idle.pop() if self._idle else None
                if runner is None:
                    self._count += 1
                    break
            if not self._stale(runner):
                return runner
            runner.kill()  # a copy of the data before a write: never asked again
            metrics.query_runner("stale")
            with self._lock:
                self._count -= 1
        self._replenish()
        try:
            return self._start()
        except BaseException:
            with self._lock:
                self._count -= 1
            raise

    def _give(self, runner: _Runner) -> None:
        with self._lock:
            if not self._closed and not self._stale(runner):
                self._idle.append(runner)
                return
            self._count -= 1
        if not self._closed:
            metrics.query_runner("stale")
        runner.kill()

    def _discard(self, runner: _Runner) -> None:
        runner.kill()
        with self._lock:
            self._count -= 1
        self._replenish()

    def _replenish(self) -> None:
        """Start a spare runner in the background, so the next query does not wait for one."""
        with self._lock:
            if self._closed or self._count >= self.size or self._idle:
                return
            self._count += 1

        def start() -> None:
            try:
                self._give(self._start())
            except StadtgraphError:
                with self._lock:
                    self._count -= 1

        threading.Thread(target=start, name="stadtgraph-runner-start", daemon=True).start()

    def warm_up(self) -> None:  # noqa: B027 - optional hook, a no-op for executors without runners
        """Start every runner now, in the background, so no request pays for starting one."""
        def start_all() -> None:
            for _ in range(self.size):
                with self._lock:
                    if self._closed or self._count >= self.size:
                        return
                    self._count += 1
                try:
                    self._give(self._start())
                except StadtgraphError:
                    with self._lock:
                        self._count -= 1
                    return

        threading.Thread(target=start_all, name="stadtgraph-runner-warm-up", daemon=True).start()

    def _run(self, job: QueryJob) -> tuple:
        runner = self._take()
        try:
            runner.conn.send(job)
            if not runner.conn.poll(job.timeout):
                self._discard(runner)
                raise self._timeout(job)
            status = runner.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._discard(runner)
            raise StadtgraphError("Der Abfrageprozess ist abgestürzt / the query process crashed") from None
        self._give(runner)
        return status

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for runner in idle:
            runner.kill()
        if self._forker is not None:
            self._forker.shutdown(wait=False)


_EXECUTORS: weakref.WeakKeyDictionary[Store, Executor] = weakref.WeakKeyDictionary()
_EXECUTORS_LOCK = threading.Lock()


def executor_for(store: Store, settings: Settings) -> Executor:
    """The executor for a store (one per store and process, created on first use), with a result cache
    keyed by the store's version when ``result_cache_entries`` is not 0."""
    with _EXECUTORS_LOCK:
        executor = _EXECUTORS.get(store)
        if executor is None:
            executor = _make(store, settings)
            if settings.result_cache_entries:
                executor.cache = ResultCache(store.version, settings.result_cache_entries,
                                             settings.result_cache_bytes)
            _EXECUTORS[store] = executor
            weakref.finalize(store, executor.close)
        return executor


def _make(store: Store, settings: Settings) -> Executor:
    size = settings.query_processes or settings.threads
    if store.native() is not None:
        if store.replica_of is not None:
            # A replica never changes: long-lived forked runners share its pages (copy-on-write).
            return PoolExecutor(functools.partial(alive, weakref.ref(store)), size, settings.query_queue_wait, "fork")
        if store.path is not None and store.read_only:
            opener = functools.partial(open_read_only, settings, str(store.path))
            return PoolExecutor(opener, size, settings.query_queue_wait)
        if store.path is not None:
            # On disk, held for writing by this process (a server with write tokens): no other process may
            # open it while it is written, so runners are forked from here and read it as it was at their
            # fork; a write makes them stale, and the next query gets a runner forked after it.
            return PoolExecutor(functools.partial(alive, weakref.ref(store)), size, settings.query_queue_wait,
                                "fork", version=store.version.current)
        # In memory: only a fork sees the same data.
        return ForkExecutor(store, size, settings.query_queue_wait)
    return InlineExecutor(store, size, settings.query_queue_wait)
