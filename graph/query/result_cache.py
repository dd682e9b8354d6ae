"""Answers of repeated queries from memory: a bounded cache of serialized results, keyed by the store's
version (:mod:`graph.store.version`) and everything that decides the answer — query text, dataset,
formats, bound parameters, row limit; not the time limit, which only decides whether there is an answer.

A write, a harvest or a build changes the version, so nothing from before it is ever served again (the old
entries age out). Bounded by entries and bytes (``result_cache_entries``, ``result_cache_bytes``; 0 entries
switches it off); an answer larger than an eighth of the bytes is not kept. One cache per executor, i.e.
per store and server process. Hits and misses are counted apart (``ExecutorStats``, ``/metrics``).

    >>> from graph.query.runner_process import QueryJob
    >>> from graph.store.version import StoreVersion
    >>> cache = ResultCache(StoreVersion(None), entries=2, max_bytes=1000)
    >>> key = cache.key(QueryJob(query="ASK {}"))
    >>> cache.get(key) is None
    True
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from graph.query.runner_process import QueryJob


class ResultCache:
    def __init__(self, version, entries: int, max_bytes: int) -> None:
        self.version = version
        self.entries, self.max_bytes = entries, max_bytes
        self._kept: OrderedDict[tuple, Any] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def key(self, job: QueryJob) -> tuple:
        subs = tuple(sorted((k, v.n3() if hasattr(v, "n3") else str(v)) for k, v in (job.substitutions or {}).items()))
        return (self.version.current(), job.query, job.results_format, job.graph_format, job.dataset,
                tuple(job.default_graphs) if job.default_graphs is not None else None,
                tuple(job.named_graphs) if job.named_graphs is not None else None, subs, job.row_limit)

    def get(self, key: tuple):
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def put(self, key: tuple, outcome) -> None:
        size = len(outcome.written.body)
        if size > self.max_bytes // 8:
            return
        with self._lock:
            if key in self._kept:
                return
            self._kept[key] = outcome
            self._bytes += size
            while self._kept and (len(self._kept) > self.entries or self._bytes > self.max_bytes):
                _, old = self._kept.popitem(last=False)
                self._bytes -= len(old.written.body)
