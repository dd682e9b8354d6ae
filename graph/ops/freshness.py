"""How fresh each source is: every harvest (by ``stadtgraph harvest``, from cron, a systemd timer or the
server's own schedule) takes one lock, so two never run at once, and records its outcome in
``state_dir/harvest-status.json`` — last attempt, last success, last error, and running totals of stored,
removed and refused records and of failures — which ``/status``, ``/ready`` and ``/metrics`` read.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.errors import StadtgraphError
from graph.settings import Settings

SOURCES = ("wiki", "oparl")
STATUS_FILE = "harvest-status.json"
LOCK_FILE = "harvest.lock"


class HarvestRunning(StadtgraphError):
    """Another harvest holds the lock; this one did nothing."""

    status = 409
    slug = "harvest-running"
    title = "Eine Ernte läuft bereits / a harvest is already running"


def configured(settings: Settings) -> list[str]:
    """The sources this configuration harvests."""
    return [s for s, url in (("wiki", settings.wiki_api_url), ("oparl", settings.oparl_system_url)) if url]


@contextlib.contextmanager
def harvest_lock(settings: Settings) -> Iterator[None]:
    """Held for the whole of one harvest; :raises HarvestRunning: if another process holds it."""
    folder = Path(settings.state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise HarvestRunning("eine andere Ernte hält die Sperre / another harvest holds the lock "
                                 f"({folder / LOCK_FILE})") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read(settings: Settings) -> dict[str, dict[str, Any]]:
    path = Path(settings.state_dir) / STATUS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record(settings: Settings, source: str, *, ok: bool, error: str | None = None, stored: int = 0,
           removed: int = 0, refused: int = 0) -> None:
    """Note one harvest's outcome (called under :func:`harvest_lock`, so no two writers race)."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    status = read(settings)
    entry = status.setdefault(source, {"runs": 0, "failures": 0, "stored": 0, "removed": 0, "refused": 0})
    entry["runs"] += 1
    entry["last_attempt"] = now
    if ok:
        entry["last_success"] = now
        entry["last_error"] = None
    else:
        entry["failures"] += 1
        entry["last_error"] = error
    for key, n in (("stored", stored), ("removed", removed), ("refused", refused)):
        entry[key] += n
    path = Path(settings.state_dir) / STATUS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(status, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def summary(settings: Settings, now: datetime | None = None) -> dict[str, dict[str, Any]]:
    """Per configured source: last success, how far behind (seconds since it), last error, totals."""
    now = now or datetime.now(UTC)
    status = read(settings)
    out: dict[str, dict[str, Any]] = {}
    for source in configured(settings):
        entry = dict(status.get(source) or {"runs": 0})
        last = entry.get("last_success")
        entry["behind_seconds"] = round((now - datetime.fromisoformat(last)).total_seconds(), 1) if last else None
        out[source] = entry
    return out
