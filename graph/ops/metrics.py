"""Prometheus metrics of stadtgraph: every metric object lives here, the rest of the code calls the small
functions below; ``/metrics`` (web/ops.py) exposes them.

How to use it from another module (no Flask needed, each call is cheap and thread-safe)::

    from graph.ops import metrics
    metrics.query_timed_out("sparql")        # a query stopped at the time limit ("sparql", "curated", "page", …)
    metrics.result_cut("sparql")             # a result cut at the row limit
    metrics.refused_busy("sparql")           # a request answered 503 because all query runners were busy
    metrics.query_runner("stale")            # a runner started ("started") or put down after a write ("stale")
    metrics.over_capacity()                  # a request answered 503: too many expensive requests at once
    metrics.client_cut_off("timeout")        # a slow client closed before its request was read ("too-large")
    metrics.validation_refused(3, "upload")  # records refused by the SHACL gate ("build", "upload", "write")
    metrics.observe_build(12.5, "infer")     # seconds of one build phase ("load", "validate", "write", "infer", …)
    metrics.set_store_size(123456)           # quads in the store
    metrics.set_last_build(1718000000.0)     # end of the last build, Unix seconds

The ``kind``/``where``/``phase`` labels must come from a small fixed set (never from a request), so the
number of time series stays bounded. The HTTP layer records ``observe_request`` for every request.

Several gunicorn workers: ``stadtgraph serve`` empties ``metrics_dir`` and sets ``PROMETHEUS_MULTIPROC_DIR``
in the master before any process imports this module; each worker then writes its values to files there
and ``/metrics`` adds them up over all workers (prometheus_client's multiprocess mode).
"""
from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as _multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
# Methods outside this set are counted as "OTHER": a client may send any token as a method, and each
# distinct label value would be a new time series.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "stadtgraph_http_requests", "HTTP requests by route (URL rule), method and status.",
    ["route", "method", "status"], registry=REGISTRY)
HTTP_LATENCY = Histogram(
    "stadtgraph_http_request_duration_seconds", "Time to answer an HTTP request, by route and method.",
    ["route", "method"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
QUERY_TIMEOUTS = Counter(
    "stadtgraph_query_timeouts", "Queries stopped at the time limit, by kind of request.", ["kind"],
    registry=REGISTRY)
RESULTS_CUT = Counter(
    "stadtgraph_results_truncated", "Results cut at the row limit, by kind of request.", ["kind"],
    registry=REGISTRY)
REFUSED_BUSY = Counter(
    "stadtgraph_requests_refused_busy", "Requests answered 503 because every query runner was busy.", ["kind"],
    registry=REGISTRY)
RESULT_CACHE = Counter(
    "stadtgraph_result_cache", "SPARQL answers taken from the result cache (hit) or run (miss).", ["outcome", "kind"],
    registry=REGISTRY)
QUERY_RUNNERS = Counter(
    "stadtgraph_query_runners", "Long-lived query runner processes started ('started') and those put down "
    "because a write made their copy of the data old ('stale').", ["event"], registry=REGISTRY)
OVER_CAPACITY = Counter(
    "stadtgraph_requests_over_capacity", "Requests answered 503 because the worker already ran its most "
    "expensive requests at once (max_expensive_requests).", registry=REGISTRY)
CLIENTS_CUT_OFF = Counter(
    "stadtgraph_clients_cut_off", "Connections closed before a request reached the app: too slow "
    "('timeout', 408) or too large to read ('too-large', 413/431).", ["reason"], registry=REGISTRY)
VALIDATION_REFUSALS = Counter(
    "stadtgraph_validation_refusals", "Records refused by the SHACL gate, by where they came from.", ["where"],
    registry=REGISTRY)
BUILD_DURATION = Histogram(
    "stadtgraph_build_duration_seconds", "Duration of build phases (load, validate, write, infer, total).",
    ["phase"], registry=REGISTRY, buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600))
STORE_QUADS = Gauge(
    "stadtgraph_store_quads", "Quads in the store (asserted and inferred).", registry=REGISTRY,
    multiprocess_mode="mostrecent")
LAST_BUILD = Gauge(
    "stadtgraph_last_build_timestamp_seconds", "End of the last build (Unix time); 0 if none is recorded.",
    registry=REGISTRY, multiprocess_mode="mostrecent")


HARVEST_RECORDS = Gauge(
    "stadtgraph_harvest_records", "Records the harvests of a source stored, removed or refused, in all "
    "(since the state directory was made).", ["source", "change"], registry=REGISTRY,
    multiprocess_mode="mostrecent")
HARVEST_FAILURES = Gauge(
    "stadtgraph_harvest_failures", "Harvests of a source that failed (the source or the configuration), in all.",
    ["source"], registry=REGISTRY, multiprocess_mode="mostrecent")
HARVEST_LAST_SUCCESS = Gauge(
    "stadtgraph_harvest_last_success_timestamp_seconds", "End of the last successful harvest of a source "
    "(Unix time); 0 if none.", ["source"], registry=REGISTRY, multiprocess_mode="mostrecent")


def observe_harvests(summary: dict) -> None:
    """Set the harvest figures from :func:`graph.ops.freshness.summary`."""
    from datetime import datetime

    for source, entry in summary.items():
        for change in ("stored", "removed", "refused"):
            HARVEST_RECORDS.labels(source=source, change=change).set(entry.get(change, 0))
        HARVEST_FAILURES.labels(source=source).set(entry.get("failures", 0))
        last = entry.get("last_success")
        HARVEST_LAST_SUCCESS.labels(source=source).set(datetime.fromisoformat(last).timestamp() if last else 0)


def method_label(method: str) -> str:
    return method if method in KNOWN_METHODS else "OTHER"


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """One answered HTTP request; ``route`` is the URL rule (``/sparql``), never the raw path."""
    method = method_label(method)
    HTTP_REQUESTS.labels(route, method, str(status)).inc()
    HTTP_LATENCY.labels(route, method).observe(seconds)


def query_timed_out(kind: str = "sparql") -> None:
    QUERY_TIMEOUTS.labels(kind).inc()


def result_cut(kind: str = "sparql") -> None:
    RESULTS_CUT.labels(kind).inc()


def query_runner(event: str) -> None:
    QUERY_RUNNERS.labels(event).inc()


def refused_busy(kind: str = "sparql") -> None:
    REFUSED_BUSY.labels(kind).inc()


def result_cache(outcome: str, kind: str = "sparql") -> None:
    RESULT_CACHE.labels(outcome, kind).inc()


def over_capacity() -> None:
    OVER_CAPACITY.inc()


def client_cut_off(reason: str) -> None:
    """A connection closed by the front door (serving/frontdoor.py): ``"timeout"`` or ``"too-large"``."""
    CLIENTS_CUT_OFF.labels(reason).inc()


def validation_refused(n: int = 1, where: str = "upload") -> None:
    if n > 0:
        VALIDATION_REFUSALS.labels(where).inc(n)


def observe_build(seconds: float, phase: str) -> None:
    BUILD_DURATION.labels(phase).observe(seconds)


def set_store_size(quads: int) -> None:
    STORE_QUADS.set(quads)


def set_last_build(timestamp: float | None) -> None:
    LAST_BUILD.set(timestamp or 0)


# ---- exposition ------------------------------------------------------------------------------------
def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def exposition() -> bytes:
    """The metrics in Prometheus' text format: of this process, or summed over all workers."""
    directory = multiprocess_dir()
    if directory is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    _multiprocess.MultiProcessCollector(registry, path=directory)
    return generate_latest(registry)
