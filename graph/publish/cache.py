"""What the service publishes about the graph as a whole (dumps, DCAT catalog, VoID), made once per state
of the store and public URL, and the resources these documents mint (datasets, distributions, linksets).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import rdflib

from graph.iris import Iris
from graph.namespaces import sparql_prologue
from graph.pages.describe import Resource
from graph.pipeline.versions import VersionLog, version_log
from graph.publish import catalog, dumps, void
from graph.settings import Settings
from graph.store import OxigraphStore, Store

_LAST_BUILD = sparql_prologue() + """
SELECT ?time WHERE { ?build a ob:Build ; prov:endedAtTime ?time } ORDER BY DESC(?time) LIMIT 1"""

# The paths below the base that the catalog and VoID mint (the store's records never use them).
PUBLISHED_PATHS: tuple[str, ...] = ("katalog", "datensatz/", "distribution/", "dienst/")
ROOTS_KEPT = 4  # public URLs cached at once (the Host header is the caller's to choose)

T = TypeVar("T")


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).replace(microsecond=0).isoformat()


class Publication:
    """One per app: the store's state (last build, size) decides when dumps, catalog and VoID are
    made again; between changes every request is answered from what was made."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store, self.settings = store, settings
        self._lock = threading.RLock()
        self._state: tuple[str, str | None] | None = None
        self._known: tuple[str, str | None] | None = None
        self._cache: OrderedDict[tuple[str, str], tuple[str, object]] = OrderedDict()

    # ---- the store's state -----------------------------------------------------------------------
    def state(self) -> tuple[str, str | None]:
        """(fingerprint, time of the last build): what the published documents are made from. The
        fingerprint is the store's version (:mod:`graph.store.version`): every accepted write changes it."""
        with self._lock:
            version = self.store.version.current()
            if self._state is None or self._state[0] != version:
                rows = list(self.store.query(_LAST_BUILD))
                self._state = (version, rows[0]["time"].value if rows else None)
            return self._state

    def dumps(self) -> dumps.DumpSet:
        fingerprint, _ = self.state()
        return dumps.ensure(self.store, self.settings.dump_dir, fingerprint)

    def modified(self) -> str:
        """When the data last changed: the newest version of the version log (every accepted change of a
        record: harvest, Graph Store write, SPARQL Update, build), else the last build, else when the dumps
        of this state were written."""
        return self.known_modified() or self.dumps().written

    def known_modified(self) -> str | None:
        """:meth:`modified` where the version log or the last build says it, else None: cheap, for every
        page (it never writes the dumps); asked once per state of the store."""
        fingerprint, last = self.state()
        known = self._known
        if known is None or known[0] != fingerprint:
            newest = self._log().modified()
            value = _iso(newest) if newest is not None else _iso(datetime.fromisoformat(last)) if last else None
            known = self._known = (fingerprint, value)
        return known[1]

    def subset_modified(self) -> dict[str, str]:
        """Per subset (Themenfeld or Sozialraum IRI): when one of its records last changed, where the
        version log knows; subsets it does not know take :meth:`modified`."""
        iris, log, out = Iris(self.settings.base_iri), self._log(), {}
        for file in self.dumps().files.values():
            if file.subset is None or file.subset in out:
                continue
            subset = dumps.Subset(file.subset_kind or "themenfeld", file.subset, file.subset_label or "")
            graphs = [str(iris.record_graph(s)) for s in dumps.subset_subjects(self.store, subset)
                      if s.startswith(iris.base)]
            newest = log.newest_of(graphs)
            if newest is not None:
                out[file.subset] = _iso(newest)
        return out

    def _log(self) -> VersionLog:
        return version_log(self.settings, self.store, read_only=True)

    # ---- documents -------------------------------------------------------------------------------
    def catalog(self, root: str, profile: catalog.Profile | None = None) -> rdflib.Graph:
        """The whole DCAT catalog (checked complete) for the service at ``root``, cut for ``profile``."""
        profile = profile or catalog.PROFILES[catalog.DEFAULT_PROFILE]

        def make() -> rdflib.Graph:
            shapes = any(Path(self.settings.shapes_dir).glob("*.ttl"))
            return catalog.build(self.settings.base_iri, catalog.Urls(root), self.dumps(),
                                 modified=self.modified(), subset_modified=self.subset_modified(),
                                 shapes_available=shapes, profile=profile)
        return self._cached("catalog " + profile.token, root, make)

    def void(self, root: str) -> rdflib.Graph:
        return self._cached("void", root, lambda: void.build(
            self.store, self.settings.base_iri, root, self.dumps(), modified=self.modified()))

    def describe(self, iri: str, root: str) -> Resource | None:
        """A resource the catalog or VoID mints (a dataset, a distribution, a linkset), or None."""
        if not iri.startswith(tuple(self.settings.base_iri + p for p in PUBLISHED_PATHS)):
            return None  # an unknown record path is a 404 without building the catalog first

        def make() -> Store:
            held = OxigraphStore(self.settings)
            graph = self.catalog(root) + self.void(root)
            held.replace_graphs({self.settings.base_iri + "graph/katalog": graph})
            return held
        held = self._cached("described", root, make)
        resource = Resource(held, iri)
        return resource if resource.exists else None

    def _cached(self, kind: str, root: str, make: Callable[[], T]) -> T:
        fingerprint, _ = self.state()
        key = (kind, root)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] == fingerprint:
                self._cache.move_to_end(key)
                return hit[1]  # type: ignore[return-value]
            value = make()  # built whole before it is kept or served: never a partial document
            self._cache[key] = (fingerprint, value)
            while len(self._cache) > ROOTS_KEPT * 3:
                self._cache.popitem(last=False)
            return value
