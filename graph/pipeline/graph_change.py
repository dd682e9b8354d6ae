"""One named graph's content before and after a write: what a :class:`graph.pipeline.changes.ChangeSet`
is made of, and what the version log keeps. A module of its own, so that the followers (which the change
set's registry imports) can use it too.

    >>> from rdflib import Graph
    >>> change = GraphChange("https://example.org/sg/graph/konzept/a", Graph(), None)
    >>> change.dropped, change.created
    (True, False)
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import rdflib
from rdflib.compare import graph_diff, to_isomorphic


@dataclass(frozen=True)
class GraphChange:
    """One named graph's content before and after a write (``after`` None: the graph was dropped)."""

    graph: str
    before: rdflib.Graph
    after: rdflib.Graph | None

    @property
    def dropped(self) -> bool:
        return self.after is None or not len(self.after)

    @property
    def created(self) -> bool:
        return not len(self.before) and not self.dropped

    def added(self) -> set:
        """The triples only ``after`` holds (blank nodes compared by the graphs' shape, not their labels)."""
        return self._difference[1]

    def removed(self) -> set:
        """The triples only ``before`` held."""
        return self._difference[0]

    @cached_property
    def _difference(self) -> tuple[set, set]:
        after = rdflib.Graph() if self.after is None else self.after
        if any(isinstance(term, rdflib.BNode) for g in (self.before, after) for t in g for term in t):
            _, only_before, only_after = graph_diff(to_isomorphic(self.before), to_isomorphic(after))
            return set(only_before), set(only_after)
        return {t for t in self.before if t not in after}, {t for t in after if t not in self.before}
