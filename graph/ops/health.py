"""Is the store ready to serve? A cheap ASK, the time of the last build from the provenance graph, and the
store's size for the metrics (counted at most once a minute per process, it can be slow on big stores).
"""
from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime

from graph.errors import NotReady, StoreUnavailable
from graph.namespaces import sparql_prologue
from graph.ops import metrics
from graph.store import Store

_ANY = "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
_LAST_BUILD = sparql_prologue() + """
SELECT ?time WHERE { ?build a ob:Build ; prov:endedAtTime ?time } ORDER BY DESC(?time) LIMIT 1
"""
STORE_FACTS_MAX_AGE = 60.0


@dataclass(frozen=True)
class Readiness:
    last_build: datetime | None
    store: str = "disk"  # how the answering store is held: Store.mode (disk, memory, replica, sparql)

    def age_seconds(self, now: datetime | None = None) -> float | None:
        if self.last_build is None:
            return None
        return ((now or datetime.now(UTC)) - self.last_build).total_seconds()

    def as_dict(self) -> dict:
        age = self.age_seconds()
        return {
            "status": "ready",
            "store": self.store,
            "last_build": self.last_build.isoformat() if self.last_build else None,
            "last_build_age_seconds": round(age, 1) if age is not None else None,
        }


def last_build(store: Store) -> datetime | None:
    """End of the last build recorded in the provenance graph (UTC), or None."""
    for row in store.query(_LAST_BUILD):
        value = datetime.fromisoformat(row["time"].value)
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def check(store: Store) -> Readiness:
    """:raises StoreUnavailable: when the store cannot be asked; :raises NotReady: when it holds nothing."""
    try:
        holds_data = bool(store.query(_ANY))
        built = last_build(store)
    except StoreUnavailable:
        raise
    except Exception as exc:
        # Whatever a backend raises (socket, HTTP, I/O), for readiness it means one thing: not reachable.
        # The cause stays attached for the error log.
        raise StoreUnavailable(
            "Der Datenspeicher antwortet nicht. / The store does not answer.") from exc
    if not holds_data:
        raise NotReady("Der Datenspeicher ist leer; bitte zuerst `stadtgraph build`. / "
                       "The store is empty; run `stadtgraph build` first.")
    return Readiness(built, store.mode)


_facts_lock = threading.Lock()
_facts_at: weakref.WeakKeyDictionary[Store, float] = weakref.WeakKeyDictionary()


def refresh_store_metrics(store: Store, max_age: float = STORE_FACTS_MAX_AGE) -> None:
    """Set the store-size and last-build gauges, unless this store was counted less than ``max_age`` ago."""
    now = time.monotonic()
    with _facts_lock:
        if now - _facts_at.get(store, -max_age - 1) < max_age:
            return
        _facts_at[store] = now
    metrics.set_store_size(store.count())
    built = last_build(store)
    metrics.set_last_build(built.timestamp() if built else None)
