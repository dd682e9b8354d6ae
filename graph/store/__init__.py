"""The quad store: one :class:`Store` interface, the embedded Oxigraph backend and a remote SPARQL
backend; :func:`open_store` is the one place that knows every backend."""

from __future__ import annotations

from graph.settings import Settings
from graph.store.base import DATASETS, DatasetChoice, QueryResult, Store
from graph.store.oxigraph import PARALLEL_LOAD_MAX_BYTES, PARALLEL_LOAD_MIN_BYTES, OxigraphStore
from graph.store.remote.backend import SparqlStore
from graph.store.terms import graph_to_ntriples, to_ox, to_rdflib

__all__ = ["DATASETS", "PARALLEL_LOAD_MAX_BYTES", "PARALLEL_LOAD_MIN_BYTES", "DatasetChoice", "OxigraphStore",
           "QueryResult", "SparqlStore", "Store", "graph_to_ntriples", "open_store", "to_ox", "to_rdflib"]


def open_store(settings: Settings, *, read_only: bool = False) -> Store:
    """The store the settings name. ``read_only`` opens an on-disk store for reading (several
    processes may do that at once; only one may hold it for writing)."""
    if settings.store == "memory":
        return OxigraphStore(settings)
    if settings.store == "oxigraph":
        return OxigraphStore(settings, settings.store_path, read_only=read_only)
    if settings.store == "sparql":
        return SparqlStore(settings)
    raise ValueError(settings.store)
