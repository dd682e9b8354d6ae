"""Serving the app with gunicorn: worker processes with threads (:mod:`serving.frontdoor`), each keeping its own
small pool of query runner processes (:mod:`graph.query.executors`).

Where the queries read from:

- **replica** (``replica=auto`` on a store of at most ``replica_max_quads``, or ``on``): the master copies the
  on-disk store into memory once, before it forks the workers; workers and their runners (forked from
  them) share that copy's pages. In-memory lookups are many times faster than RocksDB's.
- **disk**: each worker opens the on-disk store read-only, and its runners open it themselves.
- the **writer** (writes enabled on the embedded store): one worker holds the on-disk store read-write.

With a replica no process of the server holds the on-disk store open, so ``stadtgraph build`` may run while
it serves; a SIGHUP to the master afterwards loads a new replica and replaces the workers, without a pause.

A worker that dies takes its runners with it (they die with their parent). The worker timeout only guards
against a stuck worker: queries are stopped by the runners' limit.
"""
from __future__ import annotations

import logging
import logging.config
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from graph.ops import logs
from graph.settings import Settings
from graph.store import OxigraphStore, Store

log = logging.getLogger("stadtserving")


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict, store: Store | None = None) -> None:
        self.settings_obj = settings
        self.options = options
        self.store = store  # loaded by the master (a replica), shared with the forked workers
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings newer than the installed gunicorn are skipped
                self.cfg.set(key, value)

    def reload(self) -> None:
        """SIGHUP: gunicorn starts new workers and lets the old ones finish. A replica is loaded afresh
        first, so the new workers answer from what the store holds now (a rebuild since the start)."""
        super().reload()
        self.store = None  # let go of the old copy first: the old workers keep their own pages
        self.store = load_replica(self.settings_obj)

    def load(self):
        from server import create_app  # imported in the worker: without a replica it opens its own store

        app = create_app(self.settings_obj, store=self.store)
        _warm_up(app)
        return app


def _warm_up(app: Any) -> None:
    """Start a query runner ahead of the first request, so the first query does not wait for one."""
    from graph.query.executors import executor_for

    executor_for(app.config["STORE"], app.config["SETTINGS"]).warm_up()


def load_replica(settings: Settings) -> OxigraphStore | None:
    """The in-memory copy of the on-disk store the workers will share, when the settings want one (see the
    module doc), with a log line saying what it cost; None to serve from the disk."""
    from graph.pipeline.writes import open_read_write

    if settings.store != "oxigraph" or settings.replica == "off" or open_read_write(settings):
        return None
    started = time.perf_counter()
    limit = settings.replica_max_quads if settings.replica == "auto" else None
    try:
        replica = OxigraphStore.replica(settings, settings.store_path, limit)
    except Exception as exc:  # noqa: BLE001 - e.g. no store yet: the workers open the disk and say what is wrong
        log.warning("no replica of %s, serving from disk: %s", settings.store_path, exc)
        return None
    if replica is None:
        log.info("store %s holds more than replica_max_quads=%d quads: serving from disk",
                 settings.store_path, settings.replica_max_quads)
        return None
    log.info("replica of %s loaded: %d quads in %.1f s", settings.store_path, len(replica.raw),
             time.perf_counter() - started)
    return replica


def share_metrics(settings: Settings) -> Path | None:
    """Empty ``metrics_dir`` and put prometheus_client into multiprocess mode, before any process imports
    :mod:`graph.ops.metrics` (the mode is fixed when prometheus_client is first imported). Returns the
    directory to remove at exit when it is a temporary one (two servers never share one by accident)."""
    if not settings.metrics_dir:
        path = Path(tempfile.mkdtemp(prefix="stadtgraph-metrics-"))
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
        return path
    path = Path(settings.metrics_dir)
    if path.exists():
        shutil.rmtree(path)  # values of an earlier run would be added to this one's
    path.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return None


def _worker_exited(_server: Any, worker: Any) -> None:
    """gunicorn's child_exit hook: drop a dead worker's per-process gauge files."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def gunicorn_options(settings: Settings, *, host: str, port: int, workers: int | None = None,
                     threads: int | None = None) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers or settings.workers,
        "threads": threads or settings.threads,
        # gthread whose event loop reads each request whole first: slow clients hold no thread.
        "worker_class": "serving.frontdoor.FrontDoorWorker",
        # A gthread worker heartbeats from its main thread, so a long query never trips this.
        "timeout": int(settings.query_timeout * 3) + 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        # Access lines come from the app (JSON, with route and request id); errors as JSON lines too.
        "accesslog": None,
        "errorlog": "-",
        "loglevel": settings.log_level.lower(),
        "logconfig_dict": logs.logconfig(settings.log_level.upper()),
        # Above the app's own URL limit, so an over-long URL gets the app's 414 problem+json; 8190 is
        # the most gunicorn allows short of "unlimited".
        "limit_request_line": 8190,
        "child_exit": _worker_exited,
        "proc_name": "stadtgraph",
        # No runtime control socket: one fixed path per user would collide between servers.
        "control_socket_disable": True,
    }


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8080, workers: int | None = None,
          threads: int | None = None) -> None:
    """Serve until stopped (SIGTERM/SIGINT)."""
    from graph.pipeline.writes import check_single_writer

    check_single_writer(settings, workers or settings.workers)
    temporary = share_metrics(settings)
    master = os.getpid()
    logging.config.dictConfig(logs.logconfig(settings.log_level.upper()))  # gunicorn sets the same up later
    store = load_replica(settings)
    from serving import schedule

    if settings.store == "oxigraph" and store is None and settings.harvest_interval > 0:
        # Workers holding the on-disk store while a harvest process writes it is undefined behaviour.
        log.warning("harvest_interval needs the in-memory replica on the embedded store (replica=auto|on, no "
                    "tokens) or store=sparql: no scheduled harvests")
        timer = None
    else:
        timer = schedule.start(settings, reload_replica=store is not None)
    try:
        _Gunicorn(settings, gunicorn_options(settings, host=host, port=port, workers=workers,
                                             threads=threads), store).run()
    finally:
        if timer is not None and os.getpid() == master:
            timer.stop()
        # A worker leaves run() through here as well when it exits; only the master may remove the files.
        if temporary is not None and os.getpid() == master:
            shutil.rmtree(temporary, ignore_errors=True)
