"""The full-text index: SQLite FTS5 over the analysed text of every record, with facets, snippets and
"did you mean" suggestions. Ranking is FTS5's BM25 with the title weighted over the body.

One file (``search_dir/index.sqlite``, WAL): one process writes (the build, or the server's single writer),
any number read. It records the state of the store it was made from (:func:`store_state`); an index that
is missing or out of step is rebuilt in full (:meth:`SearchIndex.ensure`), never served stale.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import BadRequest, QueryTimeout, SearchSyntaxError
from graph.iris import Iris
from graph.search import documents as docs_mod
from graph.search.analysis import analysed, drucksache_keys, edits, fold, stem, tokens
from graph.search.documents import FACETS, Document, record_of
from graph.search.query import COMPOUND_MIN, Query, parse
from graph.store import Store

log = logging.getLogger("stadtgraph.search")
SCHEMA_VERSION = "1"
#: BM25 weights of the columns title, body, parts, keys (FTS5 ``bm25()``; a larger weight ranks higher).
WEIGHTS = (8.0, 1.0, 0.4, 10.0)
PAGE_SIZE = 20
MAX_PAGE = 50
SNIPPET_WORDS = 24
SUGGESTION_EDITS = 3000  # candidate spellings looked up per word, at most

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, graph TEXT NOT NULL UNIQUE,
                                kind TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(title, body, parts, keys,
                                                  tokenize = "unicode61 remove_diacritics 0");
CREATE VIRTUAL TABLE IF NOT EXISTS vocab USING fts5vocab(fts, col);
CREATE TABLE IF NOT EXISTS facets(doc INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS facets_by_value ON facets(name, value, doc);
CREATE INDEX IF NOT EXISTS facets_by_doc ON facets(doc);
CREATE TABLE IF NOT EXISTS forms(term TEXT PRIMARY KEY, form TEXT NOT NULL) WITHOUT ROWID;
"""


@dataclass
class Hit:
    iri: str
    title: str
    kind: str
    score: float
    title_marked: list[tuple[str, bool]]
    snippet: list[tuple[str, bool]]
    facets: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Results:
    query: str
    total: int
    page: int
    page_size: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    chosen: dict[str, list[str]]
    suggestions: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: The search text whose results these are when ``query`` found nothing and its one-edit
    #: correction did ("Keine Treffer für „Quartir“; Ergebnisse für „Quartier“").
    corrected: str | None = None

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // self.page_size)))


def store_state(store: Store, iris: Iris) -> str:
    """A fingerprint of the store's record graphs: each graph with its number of triples."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", dataset="asserted")
    pairs = sorted(f"{r['g'].value} {r['n'].value}" for r in rows if record_of(r["g"].value, iris))
    return hashlib.sha256("\n".join(pairs).encode()).hexdigest()


class SearchIndex:
    """The index of one store. Thread-safe: a connection per thread (and per process, after a fork)."""

    def __init__(self, path: str | Path, iris: Iris, *, timeout: float = 2.0) -> None:
        self.path = Path(path)
        self.iris = iris
        self.timeout = timeout
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._between_processes():
            self._connection().executescript(_SCHEMA)

    @contextmanager
    def _between_processes(self) -> Iterator[None]:
        """One process at a time creates or rebuilds the index: the workers of a server start together, and
        a rebuild at 1M triples holds its transaction longer than SQLite's lock timeout."""
        with open(self.path.with_name(self.path.name + ".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # ---- connections ----------------------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None or self._local.pid != os.getpid():
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db, self._local.pid = db, os.getpid()
        return db

    def meta(self, key: str) -> str | None:
        row = self._connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def count(self) -> int:
        return self._connection().execute("SELECT count(*) FROM docs").fetchone()[0]

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))

    # ---- writing --------------------------------------------------------------------------------------
    def in_step(self, store: Store) -> bool:
        return (self.meta("schema") == SCHEMA_VERSION and self.meta("state") is not None
                and self.meta("state") == store_state(store, self.iris))

    def ensure(self, store: Store) -> bool:
        """Rebuild in full if the index is missing or out of step with ``store``; True if it rebuilt."""
        if self.in_step(store):
            return False
        with self._between_processes():
            if self.in_step(store):  # another process rebuilt it while this one waited
                return False
            log.warning("search index %s out of step with the store: rebuilding it", self.path)
            self.rebuild(store)
        return True

    def rebuild(self, store: Store) -> int:
        """Index every record of ``store`` afresh (one transaction: readers see the old index until the end)."""
        graphs = store.named_graphs()
        with self._write_lock:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                for table in ("docs", "fts", "facets", "forms"):
                    db.execute(f"DELETE FROM {table}")
                n = self._add(db, docs_mod.documents(store, self.iris, graphs))
                self._stamp(db, store)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("INSERT INTO fts(fts) VALUES('optimize')")
        return n

    def update(self, store: Store, graphs: Iterable[str]) -> None:
        """Index the given record graphs again from the store as it is now (a dropped graph leaves)."""
        graphs = sorted(set(graphs))
        with self._write_lock:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                self._remove(db, graphs)
                present = set(store.named_graphs())
                self._add(db, docs_mod.documents(store, self.iris, [g for g in graphs if g in present]))
                self._stamp(db, store)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _stamp(self, db: sqlite3.Connection, store: Store) -> None:
        db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                       [("schema", SCHEMA_VERSION), ("state", store_state(store, self.iris))])

    def _remove(self, db: sqlite3.Connection, graphs: Sequence[str]) -> None:
        for start in range(0, len(graphs), 500):
            chunk = graphs[start:start + 500]
            marks = ",".join("?" * len(chunk))
            ids = [r[0] for r in db.execute(f"SELECT id FROM docs WHERE graph IN ({marks})", chunk)]
            for table, column in (("fts", "rowid"), ("facets", "doc"), ("docs", "id")):
                db.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(i,) for i in ids])

    def _add(self, db: sqlite3.Connection, documents: Iterable[Document]) -> int:
        n = 0
        for doc in documents:
            kind = next(iter(doc.facets["art"]))
            cur = db.execute("INSERT INTO docs(iri, graph, kind, title, body) VALUES (?, ?, ?, ?, ?)",
                             (doc.iri, doc.graph, kind, doc.title, doc.body))
            forms: dict[str, str] = {}
            title_terms, title_parts = analysed("\n".join(doc.names or [doc.title]), forms)
            body_terms, body_parts = analysed(doc.body, forms)
            keys = " ".join(k for number in doc.drucksachen for k in drucksache_keys(number))
            db.execute("INSERT INTO fts(rowid, title, body, parts, keys) VALUES (?, ?, ?, ?, ?)",
                       (cur.lastrowid, title_terms, body_terms, f"{title_parts} {body_parts}", keys))
            db.executemany("INSERT INTO facets(doc, name, value) VALUES (?, ?, ?)",
                           [(cur.lastrowid, name, value) for name in FACETS for value in doc.facets.get(name, ())])
            db.executemany("INSERT OR IGNORE INTO forms(term, form) VALUES (?, ?)", forms.items())
            n += 1
        return n

    # ---- reading --------------------------------------------------------------------------------------
    def search(self, text: str, *, facets: dict[str, list[str]] | None = None, page: int = 1,
               page_size: int = PAGE_SIZE, years: tuple[str | None, str | None] = (None, None)) -> Results:
        """One page of results for ``text`` narrowed by ``facets`` (every chosen value must hold) and a
        range of years, with the facet counts of all results.

        :raises SearchSyntaxError: for a text that cannot be read; :raises BadRequest: for an unknown facet
        or a page out of range; :raises QueryTimeout: when the search runs longer than the time limit."""
        results = self._search(text, facets, page, page_size, years)
        if results.total == 0 and len(results.suggestions) == 1:
            better = self._search(results.suggestions[0], facets, page, page_size, years)
            if better.total:
                better.query, better.corrected = text, results.suggestions[0]
                better.suggestions = results.suggestions
                better.seconds += results.seconds
                return better
        return results

    def _search(self, text: str, facets: dict[str, list[str]] | None, page: int, page_size: int,
                years: tuple[str | None, str | None]) -> Results:
        started = time.perf_counter()
        query = parse(text)
        chosen = {k: [v for v in vs if v] for k, vs in (facets or {}).items() if any(vs)}
        unknown = sorted(set(chosen) - set(FACETS))
        if unknown:
            raise BadRequest(f"Unbekannte Facette(n) / unknown facet(s): {', '.join(unknown)}; bekannt / known: "
                             f"{', '.join(FACETS)}")
        if not 1 <= page <= MAX_PAGE:
            raise BadRequest(f"Seite muss zwischen 1 und {MAX_PAGE} liegen / page must lie between 1 and {MAX_PAGE}")
        for year in years:
            if year is not None and not (len(year) == 4 and year.isdigit()):
                raise BadRequest(f"Jahr „{year}“ ist keine vierstellige Zahl / year {year!r} is no four-digit number")
        match = query.fts()
        where, params = [], []
        if match is not None:
            where.append("d.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
            params.append(match)
        for name, values in chosen.items():
            for value in values:
                where.append("d.id IN (SELECT doc FROM facets WHERE name = ? AND value = ?)")
                params += [name, value]
        low, high = years
        if low or high:
            where.append("d.id IN (SELECT doc FROM facets WHERE name = 'jahr' AND value BETWEEN ? AND ?)")
            params += [low or "0000", high or "9999"]
        condition = " AND ".join(where) or "1"
        db = self._connection()
        deadline = time.monotonic() + self.timeout
        db.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
        try:
            total = db.execute(f"SELECT count(*) FROM docs d WHERE {condition}", params).fetchone()[0]
            if match is not None:
                rows = db.execute(
                    f"SELECT d.id, d.iri, d.title, d.kind, d.body, bm25(fts, {', '.join(map(str, WEIGHTS))}) AS score "
                    f"FROM fts JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ? AND {condition} "
                    "ORDER BY score, d.title LIMIT ? OFFSET ?",
                    [match, *params, page_size, (page - 1) * page_size]).fetchall()
            else:
                rows = db.execute(f"SELECT d.id, d.iri, d.title, d.kind, d.body, 0.0 FROM docs d WHERE {condition} "
                                  "ORDER BY d.kind, d.title LIMIT ? OFFSET ?",
                                  [*params, page_size, (page - 1) * page_size]).fetchall()
            counts: dict[str, list[tuple[str, int]]] = defaultdict(list)
            for name, value, n in db.execute(
                    f"SELECT name, value, count(*) FROM facets WHERE doc IN (SELECT d.id FROM docs d WHERE {condition}) "
                    "GROUP BY name, value ORDER BY name, count(*) DESC, value", params):
                counts[name].append((value, n))
            suggestions = self._suggestions(db, query) if match is not None and total == 0 else []
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise QueryTimeout(f"Die Suche dauerte länger als {self.timeout:g} s / the search took longer "
                                   f"than {self.timeout:g} s", limit=self.timeout) from exc
            if "fts5" in str(exc):  # cannot happen for what parse() writes; said plainly if it does
                raise SearchSyntaxError(f"Suchanfrage nicht lesbar / search not readable: {exc}") from exc
            raise
        finally:
            db.set_progress_handler(None, 0)
        terms = query.terms
        hits = [Hit(iri, title, kind, -score, mark(title, terms), snippet(body, terms))
                for _, iri, title, kind, body, score in rows]
        return Results(text, total, page, page_size, hits, dict(counts), chosen, suggestions,
                       time.perf_counter() - started)

    def matching(self, text: str, limit: int) -> list[tuple[str, float]]:
        """(IRI, score) of the best ``limit`` records for ``text``, best first (for SPARQL)."""
        match = parse(text).fts()
        if match is None:
            return []
        db = self._connection()
        deadline = time.monotonic() + self.timeout
        db.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
        try:
            rows = db.execute(
                f"SELECT d.iri, bm25(fts, {', '.join(map(str, WEIGHTS))}) AS score FROM fts JOIN docs d ON "
                "d.id = fts.rowid WHERE fts MATCH ? ORDER BY score LIMIT ?", (match, limit)).fetchall()
        except sqlite3.OperationalError as exc:
            raise QueryTimeout(f"Die Volltextsuche dauerte länger als {self.timeout:g} s / the full-text search "
                               f"took longer than {self.timeout:g} s", limit=self.timeout) from exc
        finally:
            db.set_progress_handler(None, 0)
        return [(iri, -score) for iri, score in rows]

    def _suggestions(self, db: sqlite3.Connection, query: Query) -> list[str]:
        """The search again with each unknown word replaced by the most common indexed word one edit away."""
        replaced = query.text
        changed = False
        for clause in query.positive:
            if clause.kind != "word" or self._frequency(db, [clause.terms[0]]):
                continue
            word = fold(clause.text)
            candidates = sorted(edits(word))[:SUGGESTION_EDITS]
            by_term: dict[str, str] = {}
            for candidate in candidates:
                by_term.setdefault(stem(candidate), candidate)
            frequency = self._frequency(db, list(by_term))
            if not frequency:
                continue
            best = max(frequency, key=lambda t: (frequency[t], -abs(len(by_term[t]) - len(word)), t))
            form = db.execute("SELECT form FROM forms WHERE term = ?", (best,)).fetchone()
            shown = form[0] if form else by_term[best]
            replaced = replaced.replace(clause.text, shown, 1)
            changed = True
        return [replaced] if changed else []

    def _frequency(self, db: sqlite3.Connection, terms: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(terms), 500):
            chunk = terms[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for term, n in db.execute(f"SELECT term, sum(doc) FROM vocab WHERE col IN ('title', 'body') AND term IN "
                                      f"({marks}) GROUP BY term", chunk):
                found[term] = n
        return found


def _marked(term: str, wanted: set[str]) -> bool:
    return term in wanted or any(len(w) >= COMPOUND_MIN and not w.isdigit() and w in term for w in wanted)


def mark(text: str, wanted: set[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, matched) pairs: a matched word is one a search term found."""
    out, at = [], 0
    for token in tokens(text):
        if _marked(token.term, wanted):
            out += [(text[at:token.start], False), (text[token.start:token.end], True)]
            at = token.end
    out.append((text[at:], False))
    return [(piece, hit) for piece, hit in out if piece]


def snippet(text: str, wanted: set[str], words: int = SNIPPET_WORDS) -> list[tuple[str, bool]]:
    """The stretch of ``words`` words of ``text`` with the most matched words, marked; ``…`` where cut."""
    found = list(tokens(text))
    if not found:
        return []
    hits = [i for i, t in enumerate(found) if _marked(t.term, wanted)]
    best = 0
    if hits:
        best = max(hits, key=lambda i: sum(1 for j in hits if i <= j < i + words))
        best = max(0, min(best - 3, len(found) - words))
    first, last = found[best], found[min(len(found), best + words) - 1]
    pieces = mark(text[first.start:last.end], wanted)
    if first.start > 0:
        pieces.insert(0, ("… ", False))
    if last.end < len(text):
        pieces.append((" …", False))
    return pieces
