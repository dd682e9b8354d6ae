"""The audit log of Graph Store writes: one JSON line per write (or refused write) in
``<audit_dir>/graph-store.jsonl``, with token name, time, graph, method and triples added and removed.
"""
from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.settings import Settings

FILE_NAME = "graph-store.jsonl"
_lock = threading.Lock()


def audit_path(settings: Settings) -> Path:
    return Path(settings.audit_dir) / FILE_NAME


def record(settings: Settings, *, token: str, method: str, graph: str, outcome: str, added: int = 0,
           removed: int = 0, **extra: Any) -> dict[str, Any]:
    """Append one entry and return it. One ``write`` on a file opened for appending: lines of several
    processes never interleave; fsync, so an entry outlives a crash right after the write it records."""
    entry = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "token": token, "method": method,
             "graph": graph, "outcome": outcome, "added": added, "removed": removed, **extra}
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    path = audit_path(settings)
    with _lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    return entry


def entries(settings: Settings) -> list[dict[str, Any]]:
    """Every entry so far (oldest first); empty when nothing was written yet."""
    path = audit_path(settings)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
