"""The store's version: a token that changes exactly when an accepted write changes the data, so that
ETags, the result cache and the published documents can be keyed by it.

Where it lives follows who can write the store:

- an in-memory store is private to its process: the token is kept in memory;
- an on-disk or external store can be written by another process (a harvest, ``stadtgraph build``): the
  token is the file ``state_dir/store-version``, written atomically by every write and read (by its
  ``stat``, cheaply) on every request;
- a replica is a copy made once: its token is the file's content read *before* the copy was made, fixed
  for the replica's life (a write after that is the next replica's).

Writes reach it as a follower of the one write path (:mod:`graph.pipeline.changes`): :meth:`follow` and
:meth:`repair` make a new token. A write to an external store that bypasses stadtgraph is not seen.

    >>> v = StoreVersion(None)
    >>> first = v.current()
    >>> v.bump(); v.current() != first
    True
"""
from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

VERSION_FILE = "store-version"


class StoreVersion:
    """One store's version token (``path`` None: in memory; ``fixed``: a replica's, never changes)."""

    def __init__(self, path: Path | None, *, fixed: str | None = None) -> None:
        self.path = path
        self._token = fixed or uuid.uuid4().hex
        self._fixed = fixed is not None
        self._seen: tuple[int, int, int] | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_store(cls, settings, store) -> StoreVersion:
        if store.path is None and getattr(settings, "store", "") != "sparql":
            return cls(None)
        return cls(Path(settings.state_dir) / VERSION_FILE)

    @classmethod
    def snapshot(cls, settings) -> StoreVersion:
        """The version of the data as it is now, fixed (call it before copying the data)."""
        return cls(None, fixed=cls(Path(settings.state_dir) / VERSION_FILE).current())

    def current(self) -> str:
        if self.path is None or self._fixed:
            return self._token
        with self._lock:
            try:
                st = self.path.stat()
            except FileNotFoundError:
                self._write(uuid.uuid4().hex)  # a store older than this file: from now on it has one
                st = self.path.stat()
            seen = (st.st_mtime_ns, st.st_size, st.st_ino)
            if seen != self._seen:
                self._token = self.path.read_text(encoding="ascii").strip() or self._token
                self._seen = seen
            return self._token

    def bump(self) -> None:
        """A new token: the data changed."""
        if self._fixed:
            return
        with self._lock:
            if self.path is None:
                self._token = uuid.uuid4().hex
            else:
                self._write(uuid.uuid4().hex)

    def _write(self, token: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_text(token + "\n", encoding="ascii")
        os.replace(tmp, self.path)  # a new inode: readers see the old token or the new, never half
        self._seen = None

    # ---- as a follower of the write path ------------------------------------------------------------
    wants_content = False  # that the data changed is all it needs

    def follow(self, change) -> None:
        self.bump()

    def repair(self, graphs) -> None:
        self.bump()
