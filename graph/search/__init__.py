"""German full-text search over every record (SQLite FTS5, Snowball German, BM25), kept in step with the
store as a follower of the one write path (:mod:`graph.pipeline.changes`).

:func:`index_for` gives the index of a store: ``search_dir/index.sqlite`` for the on-disk and external
stores, a temporary file for the in-memory store (it lives as long as the store object).
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path

from graph.iris import Iris
from graph.labels import iri_values
from graph.search.documents import FACETS, record_of
from graph.search.index import PAGE_SIZE, Hit, Results, SearchIndex, store_state
from graph.settings import Settings
from graph.store import Store

__all__ = ["FACETS", "PAGE_SIZE", "Hit", "Results", "SearchIndex", "SearchFollower", "index_for", "store_state"]
log = logging.getLogger("stadtgraph.search")
#: A write that changes more records than this rebuilds the index whole (cheaper than record by record).
REBUILD_ABOVE = 500
#: Records that link to a changed record are indexed again with it (they show its name), up to this many.
DEPENDENTS_MAX = 2000

_indexes: weakref.WeakKeyDictionary[Store, SearchIndex] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def index_for(settings: Settings, store: Store) -> SearchIndex:
    """The search index of ``store`` (one object per store and process)."""
    with _lock:
        index = _indexes.get(store)
        if index is None:
            iris = Iris(settings.base_iri)
            if settings.store == "memory":
                folder = tempfile.mkdtemp(prefix="stadtgraph-search-")
                index = SearchIndex(Path(folder) / "index.sqlite", iris, timeout=settings.search_timeout)
                weakref.finalize(index, shutil.rmtree, folder, True)
            else:
                index = SearchIndex(index_path(settings), iris, timeout=settings.search_timeout)
            _indexes[store] = index
        return index


def index_path(settings: Settings) -> Path:
    """Where the index of an on-disk or external store lives: ``search_dir``; left at its default while the
    embedded store was moved (``store_path``), beside that store, so two stores never share one index."""
    state = Path(settings.state_dir)
    if (settings.store == "oxigraph" and Path(settings.search_dir) == state / "search"
            and Path(settings.store_path) != state / "store"):
        return Path(settings.store_path + "-search") / "index.sqlite"
    return Path(settings.search_dir) / "index.sqlite"


class SearchFollower:
    """Keeps the index in step: each committed change set re-indexes the record graphs it changed (and the
    records that link to them); a large change, or an index that was not in step, rebuilds it whole."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings, self.store = settings, store
        self.iris = Iris(settings.base_iri)

    @property
    def index(self) -> SearchIndex:
        return index_for(self.settings, self.store)

    def follow(self, change) -> None:
        graphs = [c.graph for c in change.records(self.iris) if record_of(c.graph, self.iris)]
        self._bring_up_to_date(graphs)

    def repair(self, graphs: Sequence[str]) -> None:
        # The write may or may not have reached the store: compare the whole index with the store.
        self.index.ensure(self.store)

    def _bring_up_to_date(self, graphs: list[str]) -> None:
        index = self.index
        if index.meta("state") is None or len(graphs) > REBUILD_ABOVE:
            index.rebuild(self.store)
            return
        if not graphs:
            index.ensure(self.store)
            return
        index.update(self.store, graphs + self._dependents(graphs))

    def _dependents(self, graphs: list[str]) -> list[str]:
        """The record graphs that link to the records of ``graphs``."""
        entities = [e for g in graphs if (e := record_of(g, self.iris))]
        if not entities:
            return []
        values = iri_values(entities)
        rows = self.store.query(f"SELECT DISTINCT ?g WHERE {{ VALUES ?o {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
                                f"LIMIT {DEPENDENTS_MAX}", dataset="asserted")
        return [g for r in rows if record_of(g := r["g"].value, self.iris) and g not in graphs]


def ensure_in_step(settings: Settings, store: Store) -> bool:
    """At start: rebuild the index if it is missing or out of step with the store; True if it rebuilt."""
    return index_for(settings, store).ensure(store)
