"""Structured logs: one JSON object per line (access lines and errors alike), each carrying the id of the
request it belongs to, so an operator can find the log lines of a problem+json answer by its request_id.

The HTTP layer sets :data:`request_id` for the duration of a request; :func:`capture_request_ids` stamps
it on every record logged meanwhile, from any module, and :class:`JsonFormatter` writes it out. ``stadtgraph serve`` installs the formatter through
gunicorn's ``logconfig_dict`` (:func:`logconfig`).
"""
from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str | None] = ContextVar("stadtgraph_request_id", default=None)

ACCESS_LOGGER = "stadtgraph.access"
# Attributes every LogRecord has; anything else on a record came in through ``extra=`` and is logged.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


def capture_request_ids() -> None:
    """Stamp every log record created during a request with its id, whichever module logs it and however
    late the record is formatted. Safe to call more than once."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "stamps_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        rid = request_id.get()
        if rid is not None:
            record.request_id = rid
        return record

    factory.stamps_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", …extra fields, "exception"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            doc["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in doc:
                doc[key] = value
        if record.exc_info:
            # The trace belongs in the operator's log, never in a response.
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


def logconfig(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for serving: stadtgraph's and gunicorn's error logs as JSON lines on
    stderr. gunicorn's own access log stays off; the app writes the access lines (with route and
    request id) to the ``stadtgraph.access`` logger."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            # gunicorn adds its own handlers to these by name; route them to ours and stop there.
            "gunicorn.error": {"level": level, "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }
