"""Operations: liveness (``/health``), readiness (``/ready``), Prometheus metrics (``/metrics``), and for
every request one JSON access line plus its count and latency in the metrics, by route and status.
"""
from __future__ import annotations

import logging
import time

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from graph.errors import StoreUnavailable
from graph.ops import health as readiness
from graph.ops import logs, metrics
from web.context import settings, store

bp = Blueprint("ops", __name__)
access_log = logging.getLogger(logs.ACCESS_LOGGER)
log = logging.getLogger("stadtgraph.ops")
UNMATCHED_ROUTE = "<unmatched>"


@bp.get("/health")
def health() -> Response:
    """Live: the process answers. Touches nothing else, so a slow store never fails it."""
    response = jsonify({"status": "ok"})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/ready")
def ready() -> Response:
    """Ready: the store answers and holds data; says how old the last build is."""
    try:
        state = readiness.check(store())
    except StoreUnavailable:
        log.exception("store not reachable for /ready")
        raise
    from graph.ops import freshness

    response = jsonify({**state.as_dict(), "harvests": freshness.summary(settings())})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/status")
def status() -> Response:
    """Per configured source (wiki, council): last successful harvest, how far behind, last error and
    totals of stored, removed and refused records and of failures (``state_dir/harvest-status.json``)."""
    from graph.ops import freshness

    response = jsonify({"sources": freshness.summary(settings()), "harvest_interval": settings().harvest_interval})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/metrics")
def metrics_view() -> Response:
    from graph.ops import freshness

    metrics.observe_harvests(freshness.summary(settings()))
    try:
        readiness.refresh_store_metrics(store())
    except Exception:
        # The request counters are worth most when the store is in trouble: answer without its figures.
        log.warning("store figures for /metrics unavailable", exc_info=True)
    response = Response(metrics.exposition(), content_type=metrics.CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


def route(response: Response | None = None) -> str:
    """The URL rule that answered (``/<path:subpath>``), never the raw path: bounded label values. A 405
    names the rule whose methods did not fit."""
    if request.url_rule is not None:
        return request.url_rule.rule
    allowed = response.headers.get("Allow", "") if response is not None and response.status_code == 405 else ""
    if allowed:
        try:
            rule, _ = current_app.url_map.bind_to_environ(request.environ).match(
                method=allowed.split(",")[0].strip(), return_rule=True)
            return rule.rule
        except HTTPException:
            pass
    return UNMATCHED_ROUTE


def _start() -> None:
    g.started = time.perf_counter()
    g.log_token = logs.request_id.set(g.get("request_id"))


def _observe(response: Response) -> Response:
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    rule = route(response)
    metrics.observe_request(rule, request.method, response.status_code, seconds)
    access_log.info(
        "%s %s %s", request.method, request.path, response.status_code,
        extra={
            "method": request.method,
            "route": rule,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 2),
            "bytes": response.content_length,
            "remote_addr": request.remote_addr,
        },
    )
    return response


def _forget(_exc: BaseException | None) -> None:
    token = g.pop("log_token", None)
    if token is not None:
        logs.request_id.reset(token)


def init_app(app: Flask) -> None:
    logs.capture_request_ids()
    app.before_request(_start)
    app.after_request(_observe)
    app.teardown_request(_forget)
