"""The version log: every accepted change of a record graph kept as a version (DESIGN §3a, issue 17).

A follower of the one write path (:mod:`graph.pipeline.changes`): each record graph a write changed gets
a version — when, which write (method, actor: a token's name or the harvest), from which source and
source revision (the wiki's ``oldid``, the OParl paper's ``modified``), the triples added and removed,
and the graph's whole content after the change (for mementos and the change feed).

The log lives *beside* the store, in SQLite (``history_dir/versions.sqlite``, WAL: one writer, many
reading server processes), not as named graphs in it: the store's default graph is the union of all its
named graphs, so old versions kept there would leak into every query, dump and the catalog. A memory
store has its log in memory (it dies with the store). ``stadtgraph history export/import`` carry the log
across a dump and restore; ``stadtgraph history prune`` applies ``history_retention_days``.
"""
from __future__ import annotations

import json
import re
import sqlite3
import threading
import weakref
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import rdflib

from graph.errors import ConfigurationError
from graph.iris import Iris
from graph.namespaces import DCTERMS, OB, PROV
from graph.pipeline.graph_change import GraphChange
from graph.settings import Settings
from graph.store import Store

DB_FILE = "versions.sqlite"
#: Graphs the service keeps for itself besides inferred, ontology, provenance: the harvests' cursors.
STATE_GRAPHS = ("graph/wiki-harvest", "graph/oparl-harvest")
OLDID = re.compile(r"[?&]oldid=(\d+)")
SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    graph TEXT NOT NULL,
    record TEXT NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    method TEXT NOT NULL,
    actor TEXT NOT NULL,
    source TEXT NOT NULL,
    revision TEXT,
    source_url TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    added INTEGER NOT NULL,
    removed INTEGER NOT NULL,
    content BLOB NOT NULL,
    delta BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_by_graph ON versions (graph, id);
CREATE INDEX IF NOT EXISTS versions_by_time ON versions (at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
COLUMNS = ("id", "graph", "record", "kind", "at", "method", "actor", "source", "revision", "source_url",
           "deleted", "added", "removed")


@dataclass(frozen=True)
class Version:
    """One kept version of one record graph (without its content; :meth:`VersionLog.content` has it)."""

    id: int
    graph: str
    record: str
    kind: str  # the record's kind: the first path segment (konzept, vorlage, themenfeld …)
    at: datetime
    method: str  # BUILD, PUT, POST, DELETE, UPDATE, HARVEST, BASELINE, REPAIR
    actor: str
    source: str  # wiki, oparl, build, graph-store, sparql-update, store
    revision: str | None
    source_url: str | None
    deleted: bool
    added: int
    removed: int

    @property
    def wiki_diff(self) -> str | None:
        """The wiki's own diff of the revision this version came from (None if not from the wiki)."""
        if self.source_url and OLDID.search(self.source_url):
            return self.source_url if "diff=" in self.source_url else self.source_url + "&diff=prev"
        return None

    @classmethod
    def from_row(cls, row: Sequence) -> Version:
        values = dict(zip(COLUMNS, row, strict=False))
        values["at"] = datetime.fromisoformat(values["at"])
        values["deleted"] = bool(values["deleted"])
        return cls(**values)


def now_iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _ntriples(triples: Iterable[tuple]) -> str:
    g = rdflib.Graph()
    for t in triples:
        g.add(t)
    return "\n".join(sorted(line for line in g.serialize(format="nt").splitlines() if line.strip()))


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def _unpack(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


def parse_ntriples(text: str) -> rdflib.Graph:
    g = rdflib.Graph()
    if text.strip():
        g.parse(data=text, format="nt")
    return g


def record_of(iris: Iris, graph: str) -> str:
    """The record IRI a record graph holds: ``{base}graph/x`` → ``{base}x``."""
    prefix = iris.base + "graph/"
    return iris.base + graph[len(prefix):] if graph.startswith(prefix) else graph


def kind_of(iris: Iris, graph: str) -> str:
    prefix = iris.base + "graph/"
    return graph[len(prefix):].split("/", 1)[0] if graph.startswith(prefix) else "sonstige"


def is_record_graph(iris: Iris, graph: str) -> bool:
    own = {str(iris.inferred_graph), str(iris.ontology_graph), str(iris.provenance_graph)}
    return graph not in own and not any(graph == iris.base + s for s in STATE_GRAPHS)


class VersionLog:
    """The versions of one store's record graphs, oldest first; one writer at a time (a lock per log)."""

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._lock = threading.RLock()
        self._memory = sqlite3.connect(":memory:", check_same_thread=False) if path is None else None
        if self._memory is not None:
            self._memory.executescript(SCHEMA)
        self._ready = self._memory is not None

    # ---- connections -----------------------------------------------------------------------------------
    @contextmanager
    def _connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection: the memory log's one, else a fresh one per use (cheap; safe across threads and
        forked query processes). Commits on success, rolls back on error. The file is made at the first
        write, so a server that only reads never creates anything."""
        with self._lock:
            if self._memory is not None:
                with self._memory:
                    yield self._memory
                return
            if write and self.read_only:
                raise ConfigurationError("Das Versionsprotokoll ist hier nur lesbar / the version log is read-only here")
            if write and not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=30)
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(SCHEMA)
                db.close()
                self._ready = True
            if not write and not self.path.exists():
                db = sqlite3.connect(":memory:")
                db.executescript(SCHEMA)
            elif not write:
                db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
            else:
                db = sqlite3.connect(self.path, timeout=30)
                db.execute("PRAGMA synchronous=NORMAL")
            try:
                with db:
                    yield db
            finally:
                db.close()

    # ---- reading ---------------------------------------------------------------------------------------
    def versions(self, graph: str) -> list[Version]:
        with self._connect() as db:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM versions WHERE graph = ? ORDER BY id",
                              (graph,)).fetchall()
        return [Version.from_row(r) for r in rows]

    def version(self, vid: int) -> Version | None:
        with self._connect() as db:
            row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM versions WHERE id = ?", (vid,)).fetchone()
        return Version.from_row(row) if row else None

    def content(self, vid: int) -> rdflib.Graph:
        """The record graph's whole content as this version left it (empty for a deletion)."""
        return parse_ntriples(self.content_text(vid))

    def content_text(self, vid: int) -> str:
        with self._connect() as db:
            row = db.execute("SELECT content FROM versions WHERE id = ?", (vid,)).fetchone()
        return _unpack(row[0]) if row else ""

    def delta(self, vid: int) -> tuple[rdflib.Graph, rdflib.Graph]:
        """(added, removed) of this version against the one before it."""
        with self._connect() as db:
            row = db.execute("SELECT delta FROM versions WHERE id = ?", (vid,)).fetchone()
        data = json.loads(_unpack(row[0])) if row else {"added": "", "removed": ""}
        return parse_ntriples(data["added"]), parse_ntriples(data["removed"])

    def latest(self, limit: int = 50, *, kind: str | None = None, source: str | None = None,
               before: int | None = None, with_baseline: bool = False) -> list[Version]:
        """The newest versions across the graph, newest first, filtered by kind and source."""
        where, args = [], []
        if kind:
            where.append("kind = ?")
            args.append(kind)
        if source:
            where.append("source = ?")
            args.append(source)
        if before:
            where.append("id < ?")
            args.append(before)
        if not with_baseline:
            where.append("method != 'BASELINE'")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self._connect() as db:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM versions {clause} ORDER BY id DESC LIMIT ?",
                              (*args, limit)).fetchall()
        return [Version.from_row(r) for r in rows]

    def between(self, first: int, last: int) -> list[Version]:
        """The versions with ``first <= id <= last``, oldest first (a change-feed fragment)."""
        with self._connect() as db:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM versions WHERE id BETWEEN ? AND ? ORDER BY id",
                              (first, last)).fetchall()
        return [Version.from_row(r) for r in rows]

    def contents(self, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        with self._connect() as db:
            marks = ", ".join("?" * len(ids))
            rows = db.execute(f"SELECT id, content FROM versions WHERE id IN ({marks})", tuple(ids)).fetchall()
        return {i: _unpack(c) for i, c in rows}

    def facets(self) -> tuple[list[str], list[str]]:
        """The kinds and sources that have changes (for the filters of the changes page); the state before the
        log began is no change, so it is not offered."""
        with self._connect() as db:
            changes = "FROM versions WHERE method != 'BASELINE'"
            kinds = [r[0] for r in db.execute(f"SELECT DISTINCT kind {changes} ORDER BY kind")]
            sources = [r[0] for r in db.execute(f"SELECT DISTINCT source {changes} ORDER BY source")]
        return kinds, sources

    def last_id(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT COALESCE(MAX(id), 0) FROM versions").fetchone()[0]

    def first_at(self, after_id: int) -> datetime | None:
        """The time of the first version with an id above ``after_id``."""
        with self._connect() as db:
            row = db.execute("SELECT at FROM versions WHERE id > ? ORDER BY id LIMIT 1", (after_id,)).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def modified(self) -> datetime | None:
        """The time of the newest version: when the graph last changed."""
        with self._connect() as db:
            row = db.execute("SELECT MAX(at) FROM versions").fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def newest_of(self, graphs: Iterable[str]) -> datetime | None:
        """The time of the newest version of any of ``graphs``: when that part of the graph last changed."""
        wanted, newest = list(dict.fromkeys(graphs)), None
        with self._connect() as db:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                row = db.execute(f"SELECT MAX(at) FROM versions WHERE graph IN ({', '.join('?' * len(chunk))})",
                                 chunk).fetchone()
                if row and row[0] and (newest is None or row[0] > newest):
                    newest = row[0]
        return datetime.fromisoformat(newest) if newest else None

    def count(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]

    def graphs(self) -> dict[str, tuple[int, bool]]:
        """Every graph the log knows, with its newest version's id and whether that one is a deletion."""
        with self._connect() as db:
            rows = db.execute("SELECT graph, id, deleted FROM versions WHERE id IN "
                              "(SELECT MAX(id) FROM versions GROUP BY graph)").fetchall()
        return {g: (i, bool(d)) for g, i, d in rows}

    def _meta(self, db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # ---- writing ---------------------------------------------------------------------------------------
    def record(self, changes: Sequence, *, iris: Iris, method: str, actor: str, at: datetime,
               sources: dict[str, tuple[str, str | None, str | None]] | None = None,
               seed: Store | None = None) -> list[int]:
        """Keep one version per change (all in one SQLite transaction) and return their ids. ``sources``
        gives (source, revision, url) per graph where the write knows it; ``seed``: on the log's first
        write, every other record graph of that store is kept as it is (``BASELINE``), so the log knows
        every record, not only those changed since it began."""
        ids: list[int] = []
        with self._connect(write=True) as db:
            last = db.execute("SELECT MAX(at) FROM versions").fetchone()[0]
            # Versions are in strict time order, one microsecond apart at least: a clock that stepped back
            # must not make a change older than its predecessor (the change feed orders by time, and a
            # client keeps a record's newest member).
            clock = [at.astimezone(UTC)]
            if last:
                clock[0] = max(clock[0], datetime.fromisoformat(last) + timedelta(microseconds=1))

            def stamp() -> str:
                value = now_iso(clock[0])
                clock[0] += timedelta(microseconds=1)
                return value

            known = {r[0] for r in db.execute("SELECT DISTINCT graph FROM versions")}
            if seed is not None and self._meta(db, "seeded") is None:
                changed = {c.graph for c in changes}
                for graph in sorted(seed.named_graphs()):
                    if graph in changed or graph in known or not is_record_graph(iris, graph):
                        continue
                    content = seed.graph(graph)
                    if len(content):
                        self._insert(db, iris, GraphChange(graph, rdflib.Graph(), content), stamp(), "BASELINE",
                                     "-", ("store", None, None))
                        known.add(graph)
                db.execute("INSERT OR REPLACE INTO meta VALUES ('seeded', ?)", (now_iso(clock[0]),))
            for change in changes:
                if change.graph not in known and len(change.before):
                    # The log has not seen this graph yet: keep what it was before, so the first change
                    # of it is a diff against something, not a creation.
                    self._insert(db, iris, GraphChange(change.graph, rdflib.Graph(), change.before), stamp(),
                                 "BASELINE", "-", ("store", None, None))
                source = (sources or {}).get(change.graph) or _source_of(change, method, actor)
                ids.append(self._insert(db, iris, change, stamp(), method, actor, source))
                known.add(change.graph)
        return ids

    def _insert(self, db: sqlite3.Connection, iris: Iris, change: GraphChange, stamp: str, method: str,
                actor: str, source: tuple[str, str | None, str | None]) -> int:
        added, removed = change.added(), change.removed()
        after = rdflib.Graph() if change.dropped else change.after
        delta = json.dumps({"added": _ntriples(added), "removed": _ntriples(removed)}, ensure_ascii=False)
        cursor = db.execute(
            "INSERT INTO versions (graph, record, kind, at, method, actor, source, revision, source_url, deleted, "
            "added, removed, content, delta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (change.graph, record_of(iris, change.graph), kind_of(iris, change.graph), stamp, method, actor,
             source[0], source[1], source[2], int(change.dropped), len(added), len(removed),
             _pack(_ntriples(after)), _pack(delta)))
        return cursor.lastrowid

    def prune(self, days: float, *, now: datetime | None = None) -> int:
        """Drop versions older than ``days``, but never a record's newest one (the current state, or its
        deletion: a client of the change feed must still learn of it). Returns how many were dropped."""
        if days <= 0:
            return 0
        limit = now_iso((now or datetime.now(UTC)) - timedelta(days=days))
        with self._connect(write=True) as db:
            cursor = db.execute("DELETE FROM versions WHERE at < ? AND id NOT IN "
                                "(SELECT MAX(id) FROM versions GROUP BY graph)", (limit,))
            dropped = cursor.rowcount
        if dropped and self.path is not None:
            with self._connect(write=True) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return dropped

    # ---- carrying the log across a dump and restore ---------------------------------------------------
    def export(self, out: IO[str]) -> int:
        """Every version as one JSON line (content and delta as N-Triples text), oldest first."""
        n = 0
        with self._connect() as db:
            for row in db.execute(f"SELECT {', '.join(COLUMNS)}, content, delta FROM versions ORDER BY id"):
                values = dict(zip((*COLUMNS, "content", "delta"), row, strict=True))
                values["content"] = _unpack(values["content"])
                values["delta"] = json.loads(_unpack(values["delta"]))
                out.write(json.dumps(values, ensure_ascii=False) + "\n")
                n += 1
        return n

    def import_(self, lines: Iterable[str], *, replace: bool = False) -> int:
        """Read what :meth:`export` wrote (ids kept, so memento and feed URLs stay the same)."""
        n = 0
        with self._connect(write=True) as db:
            if replace:
                db.execute("DELETE FROM versions")
            for line in lines:
                if not line.strip():
                    continue
                v = json.loads(line)
                db.execute(
                    "INSERT OR REPLACE INTO versions (id, graph, record, kind, at, method, actor, source, revision, "
                    "source_url, deleted, added, removed, content, delta) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*(v[c] for c in COLUMNS), _pack(v["content"]), _pack(json.dumps(v["delta"], ensure_ascii=False))))
                n += 1
            db.execute("INSERT OR REPLACE INTO meta VALUES ('seeded', ?)", (now_iso(datetime.now(UTC)),))
        return n


def _source_of(change, method: str, actor: str) -> tuple[str, str | None, str | None]:
    """Where a version came from. A harvest's from the record itself: the wiki revision (``ob:wikiRevision``,
    its ``oldid`` link) or the OParl paper's ``modified``; an HTTP write is the Graph Store's or SPARQL
    Update's, whatever the record cites."""
    if method != "HARVEST":
        return ({"BUILD": "build", "UPDATE": "sparql-update", "REPAIR": "store"}.get(method, "graph-store"),
                None, None)
    g = change.before if change.dropped else change.after
    if actor == "oparl-harvest":
        modified = next((str(m) for m in g.objects(None, DCTERMS.modified)), None)
        return ("oparl", modified, None)
    revision = next((str(r) for r in g.objects(None, OB.wikiRevision)), None)
    links = sorted(str(u) for u in g.objects(None, PROV.wasDerivedFrom) if OLDID.search(str(u)))
    url = next((u for u in links if OLDID.search(u).group(1) == revision), links[0] if links else None)
    if revision is None and url:
        revision = OLDID.search(url).group(1)
    return ("wiki", revision, url)


def _build_sources(change, iris: Iris) -> dict[str, tuple[str, str | None, str | None]]:
    """For a build: the source file and revision each graph came from, as the provenance graph says."""
    prov = next((c.after for c in change.changes if c.graph == str(iris.provenance_graph) and c.after is not None),
                None)
    if prov is None:
        return {}
    out = {}
    for graph, file in prov.subject_objects(DCTERMS.source):
        revision = next((str(r) for r in prov.objects(graph, OB.wikiRevision)), None)
        links = [str(u) for u in prov.objects(graph, PROV.wasDerivedFrom) if OLDID.search(str(u))]
        # The link to the revision itself if the provenance has it, else any revision link of the page.
        url = next((u for u in sorted(links) if OLDID.search(u).group(1) == revision), min(links, default=None))
        if revision is None and url:
            revision = OLDID.search(url).group(1)
        out[str(graph)] = ("wiki" if revision else "build", revision or str(file), url)
    return out


class VersionFollower:
    """Keeps a version of every record graph a write changed (a :class:`graph.pipeline.changes.Follower`)."""

    def __init__(self, log: VersionLog, store: Store, iris: Iris) -> None:
        self.log, self.store, self.iris = log, store, iris

    def follow(self, change) -> None:
        """Keep a version of each record graph ``change`` (a :class:`~graph.pipeline.changes.ChangeSet`)
        changed."""
        records = [c for c in change.records(self.iris) if is_record_graph(self.iris, c.graph)]
        if not records:
            return
        sources = _build_sources(change, self.iris) if change.method == "BUILD" else {}
        self.log.record(records, iris=self.iris, method=change.method, actor=change.actor, at=change.at,
                        sources=sources, seed=self.store)

    def repair(self, graphs: Sequence[str]) -> None:
        """After a crash: each graph whose store content differs from its newest version gets one
        (``REPAIR``). No graphs named (a torn marker): every graph of the store and of the log."""
        known = self.log.graphs()
        present = set(self.store.named_graphs())
        targets = set(graphs) or (present | set(known))
        changes = []
        for graph in sorted(t for t in targets if is_record_graph(self.iris, t)):
            last = self.log.content(known[graph][0]) if graph in known else rdflib.Graph()
            now = self.store.graph(graph) if graph in present else None
            candidate = GraphChange(graph, last, now)
            if candidate.added() or candidate.removed():
                changes.append(candidate)
        if changes:
            self.log.record(changes, iris=self.iris, method="REPAIR", actor="repair", at=datetime.now(UTC),
                            seed=self.store)


_MEMORY_LOGS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_MEMORY_LOCK = threading.Lock()


def version_log(settings: Settings, store: Store | None = None, *, read_only: bool | None = None) -> VersionLog:
    """The version log of ``store``: in ``history_dir`` for a store on disk or an external one, in memory
    (one per store object, seen through a wrapper such as the query time limit's) for a memory store."""
    store = getattr(store, "inner", store)
    if settings.store == "memory" or (store is not None and store.mode == "memory"):
        if store is None:
            return VersionLog(None)
        with _MEMORY_LOCK:
            log = _MEMORY_LOGS.get(store)
            if log is None:
                log = _MEMORY_LOGS[store] = VersionLog(None)
            return log
    ro = (store.read_only if store is not None else False) if read_only is None else read_only
    return VersionLog(Path(settings.history_dir) / DB_FILE, read_only=ro)


def follower(settings: Settings, store: Store) -> VersionFollower:
    return VersionFollower(version_log(settings, store, read_only=False), store, Iris(settings.base_iri))
