"""Limits that hold under load: every request gets ``query_timeout`` seconds for its queries (pages too,
through :func:`page_store`), and a worker runs at most ``max_expensive_requests`` expensive requests at once.

Every route is expensive unless :data:`CHEAP_ENDPOINTS` names it: a route added later is bounded without
anyone remembering to mark it. Beyond the bound a request waits ``expensive_queue_wait`` seconds at most,
then gets 503 with ``Retry-After``; by default one thread per worker stays free for ``/health``.
"""
from __future__ import annotations

import threading

from flask import Flask, current_app, g, request

from graph.errors import Overloaded
from graph.ops import metrics
from graph.query import limited_store as deadline
from graph.query.limited_store import LimitedStore
from web.context import settings, store

# Routes that never run a query of the caller's choosing, nor anything slow.
CHEAP_ENDPOINTS: frozenset[str] = frozenset({
    "ops.health", "ops.ready", "ops.metrics_view", "static", "sparql.prefixes", "api.list_queries",
    "api.openapi", "validation.form",
})
RETRY_AFTER_SECONDS = 1
_SLOTS = "stadtgraph.capacity"
_PAGE_STORE = "stadtgraph.page_store"


def slots(app: Flask) -> int:
    s = app.config["SETTINGS"]
    return s.max_expensive_requests or max(1, s.threads - 1)


def is_expensive(endpoint: str | None) -> bool:
    return endpoint is not None and endpoint in current_app.view_functions and endpoint not in CHEAP_ENDPOINTS


def page_store() -> LimitedStore:
    """The store for pages, the catalog and VoID: its queries run under the request's time limit."""
    found = current_app.extensions.get(_PAGE_STORE)
    if found is None or found.inner is not store():
        found = current_app.extensions[_PAGE_STORE] = LimitedStore(store(), settings())
    return found


def _enter() -> None:
    g.deadline_token = deadline.start(settings().query_timeout)
    if request.method == "OPTIONS" or not is_expensive(request.endpoint):
        return
    semaphore: threading.BoundedSemaphore = current_app.extensions[_SLOTS]
    if not semaphore.acquire(timeout=settings().expensive_queue_wait):
        metrics.over_capacity()
        n = slots(current_app)
        exc = Overloaded(f"Dieser Prozess bearbeitet schon {n} aufwendige Anfragen; bitte gleich noch einmal. / "
                         f"This process is already serving {n} expensive requests; please retry shortly.")
        exc.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}  # type: ignore[attr-defined]
        raise exc
    g.capacity_held = True


def _leave(_exc: BaseException | None) -> None:
    if g.pop("capacity_held", False):
        current_app.extensions[_SLOTS].release()
    token = g.pop("deadline_token", None)
    if token is not None:
        deadline.stop(token)


def init_app(app: Flask) -> None:
    app.extensions[_SLOTS] = threading.BoundedSemaphore(slots(app))
    app.before_request(_enter)
    app.teardown_request(_leave)
