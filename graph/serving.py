"""Serving the app with gunicorn (several workers, each opening the on-disk store read-only)."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication

from graph.settings import Settings


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict) -> None:
        self.settings_obj = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from server import create_app  # imported in the worker: each worker opens its own store

        return create_app(self.settings_obj)


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8080, workers: int | None = None,
          threads: int | None = None) -> None:
    """Serve until stopped. Each worker opens the store itself (read-only for the embedded store)."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or settings.workers,
        "threads": threads or settings.threads,
        "worker_class": "gthread",
        "timeout": int(settings.query_timeout * 3) + 30,
        "graceful_timeout": 10,
        "accesslog": "-",
        "errorlog": "-",
    }
    _Gunicorn(settings, options).run()
