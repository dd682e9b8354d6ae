"""What every store backend offers: the :class:`Store` interface, its result types and dataset names.

Every record lives in its own named graph; queries see asserted and inferred data together by default."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Literal

import pyoxigraph as ox
import rdflib

from graph.iris import Iris
from graph.settings import Settings
from graph.store.version import StoreVersion

DatasetChoice = Literal["all", "asserted", "inferred"]
DATASETS: tuple[str, ...] = ("all", "asserted", "inferred")
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class Store(abc.ABC):
    """What every backend offers. Write methods are atomic per call."""

    #: How the store is held, for /ready and the logs: "disk", "memory", "replica" (an in-memory copy of an
    #: on-disk store, see :meth:`OxigraphStore.replica`) or "sparql" (an external store).
    mode: str = "sparql"
    #: True where this process may not write (an on-disk store opened for reading, a replica).
    read_only: bool = False
    #: Where an embedded store keeps its files (None in memory and for an external store).
    path: Path | None = None
    #: The store a replica copies (None for every other store): a replica never changes.
    replica_of: Path | None = None

    def native(self) -> ox.Store | None:
        """The backend's own pyoxigraph store, where it has one: the fast paths of the inference and the
        gate read and write it directly (graph by graph, bulk). None for a backend without one."""
        return None

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.iris = Iris(settings.base_iri)
        self._version: StoreVersion | None = None

    @property
    def version(self) -> StoreVersion:
        """The data's version token (:mod:`graph.store.version`): changes exactly when a write changes it."""
        if self._version is None:
            self._version = StoreVersion.for_store(self.settings, self)
        return self._version

    # -- reading ---------------------------------------------------------------------------------
    @abc.abstractmethod
    def query(
        self,
        sparql: str,
        *,
        dataset: DatasetChoice = "all",
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, rdflib.term.Node] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query. ``dataset`` picks asserted, inferred or both as the default graph;
        ``default_graphs``/``named_graphs`` (protocol parameters) override it.

        :raises QuerySyntaxError: if the query does not parse.
        """

    @abc.abstractmethod
    def named_graphs(self) -> list[str]:
        """IRIs of all named graphs in the store."""

    @abc.abstractmethod
    def graph(self, graph_iri: str) -> rdflib.Graph:
        """The triples of one named graph as an rdflib graph (empty if absent)."""

    @abc.abstractmethod
    def count(self, graph_iri: str | None = None) -> int:
        """Number of quads in the store, or of triples in one graph."""

    @abc.abstractmethod
    def dump(self, out: IO[bytes], fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> None:
        """Write the whole dataset (all named graphs) to ``out``."""

    # -- writing ---------------------------------------------------------------------------------
    @abc.abstractmethod
    def replace_graphs(self, graphs: Mapping[str, rdflib.Graph], remove: Iterable[str] = ()) -> None:
        """Atomically: each named graph in ``graphs`` replaced by its new content, ``remove`` dropped."""

    @abc.abstractmethod
    def bulk_load(self, data: bytes | IO[bytes] | Path, fmt: ox.RdfFormat, graph: str | None = None) -> None:
        """Fast, non-transactional load of a large file (N-Quads keeps its graphs)."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Remove everything."""

    def close(self) -> None:  # noqa: B027 - optional for backends
        """Release the store."""

    # -- helpers shared by backends --------------------------------------------------------------
    def has_graph(self, graph_iri: str) -> bool:
        """True if the store holds a named graph with this IRI (the endpoint's dataset check)."""
        return graph_iri in self.named_graphs()

    def asserted_graphs(self) -> list[str]:
        inferred = str(self.iris.inferred_graph)
        return [g for g in self.named_graphs() if g != inferred]
