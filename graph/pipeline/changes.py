"""What one accepted write changed, and who follows it (the end of the one write path, DESIGN §3a).

Every write that reaches the store — a build, a harvest's batch, a Graph Store request, a SPARQL Update —
is described once, as a :class:`ChangeSet`: the record graphs it put or dropped, each with its content
before and after, the kind of write and who made it. Whatever must follow the graph (the version log,
the text index, caches keyed by the store's version) is a :class:`Follower` and is told every change set
after the store has committed it, in the order of the writes.

A follower that fails does not undo the write (the store has it); the writer keeps its crash marker
and the next start calls :meth:`Follower.repair` with the graphs of that write, as after a crash.

    >>> from rdflib import Graph
    >>> change = GraphChange("https://example.org/sg/graph/konzept/a", Graph(), None)
    >>> change.dropped, change.created
    (True, False)
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from graph.iris import Iris
from graph.pipeline.graph_change import GraphChange
from graph.search import SearchFollower


@dataclass(frozen=True)
class ChangeSet:
    """One accepted write: ``method`` (BUILD, PUT, POST, DELETE, UPDATE, HARVEST), ``actor`` (a token's
    name, ``wiki-harvest``, ``oparl-harvest``, ``build``), when it was committed, and what it changed."""

    changes: tuple[GraphChange, ...]
    method: str
    actor: str
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def records(self, iris: Iris) -> list[GraphChange]:
        """The changes of record graphs: without the graphs the service writes itself (inferred, ontology,
        provenance) and without graphs whose content did not change."""
        own = {str(iris.inferred_graph), str(iris.ontology_graph), str(iris.provenance_graph)}
        return [c for c in self.changes if c.graph not in own and (c.dropped or c.added() or c.removed())]

    @property
    def graphs(self) -> list[str]:
        return sorted(c.graph for c in self.changes)


class Follower(Protocol):
    """Something kept in step with the store: told each committed change set, repaired after a crash.
    A follower that needs no graph contents (only *that* something changed) says so with
    ``wants_content = False``; when no follower wants them, writers do not read the graphs' old contents
    (a build of a large store would read every graph for nothing), and ``before`` is empty."""

    wants_content: bool

    def follow(self, change: ChangeSet) -> None:
        """Bring this follower up to date with ``change`` (already committed to the store)."""

    def repair(self, graphs: Sequence[str]) -> None:
        """After an interrupted write: bring this follower up to date for ``graphs`` from the store as it
        is now (the write may or may not have reached it)."""


class Followers:
    """The followers of one store, told in the order they were added."""

    def __init__(self, followers: Iterable[Follower] = ()) -> None:
        self._followers = list(followers)

    def add(self, follower: Follower) -> None:
        self._followers.append(follower)

    def __bool__(self) -> bool:
        return bool(self._followers)

    @property
    def wants_content(self) -> bool:
        return any(getattr(f, "wants_content", True) for f in self._followers)

    def __iter__(self):
        return iter(self._followers)

    def follow(self, change: ChangeSet) -> None:
        for follower in self._followers:
            follower.follow(change)

    def repair(self, graphs: Sequence[str]) -> None:
        for follower in self._followers:
            follower.repair(graphs)


def followers_for(settings, store) -> Followers:
    """The followers every writer of ``store`` tells (the registry: one line per follower)."""
    from graph.pipeline import versions

    return Followers([
        versions.follower(settings, store),  # the version log: history, Memento, the change feed
        SearchFollower(settings, store),  # the full-text index (graph/search)
        store.version,  # last: ETags, the result cache and the published documents are keyed by it
    ])
