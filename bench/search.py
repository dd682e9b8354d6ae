"""``python -m bench.search [--scale 1M]``: the full-text index at scale, and the engine it is built on.

1. The shipped index (:mod:`graph.search`, SQLite FTS5) over the synthetic city graph of
   :mod:`bench.synthetic` in an in-memory store: build time (reading the records from the store, German
   analysis, indexing), index size, peak memory, and query p50/p99 for single words, phrases and faceted
   searches (words drawn from the index's own vocabulary).
2. Engine against engine: the same analysed documents indexed by SQLite FTS5 and by tantivy (its Python
   bindings, whitespace tokenizer over the pre-analysed text), time and size, and term-query latency. Only
   the engines differ; both get the text after :mod:`graph.search.analysis`.
"""
from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from bench.scales import label, parse_scale, peak_rss, percentiles
from bench.synthetic import generate_nquads
from graph.iris import Iris
from graph.search import SearchIndex
from graph.search.analysis import analysed
from graph.search.documents import documents
from graph.settings import Settings
from graph.store import open_store


def timed(fn, queries) -> list[float]:
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append(time.perf_counter() - t)
    return out


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="1M", help="triples of the synthetic graph (10k, 100k, 1M)")
    parser.add_argument("--queries", type=int, default=300, help="queries per kind")
    parser.add_argument("--no-tantivy", action="store_true", help="skip the engine comparison")
    args = parser.parse_args(argv)
    scale = parse_scale(args.scale)
    work = Path(tempfile.mkdtemp(prefix="stadtgraph-bench-search-"))
    try:
        settings = Settings.from_mapping({"store": "memory", "state_dir": str(work)})
        nquads = work / "graph.nq"
        t = time.perf_counter()
        stats = generate_nquads(nquads, scale)
        store = open_store(settings)
        store.bulk_load(nquads, ox.RdfFormat.N_QUADS)
        print(f"graph: {stats['triples']} triples in {stats['graphs']} graphs ({time.perf_counter() - t:.1f} s "
              "to make and load)")

        index = SearchIndex(work / "search" / "index.sqlite", Iris(settings.base_iri))
        t = time.perf_counter()
        n = index.rebuild(store)
        built = time.perf_counter() - t
        print(f"sqlite fts5 index ({label(scale)}): {n} records in {built:.1f} s, "
              f"{index.size_bytes() / 2**20:.1f} MiB, peak RSS {peak_rss() / 2**20:.0f} MiB")

        db = sqlite3.connect(index.path)
        rng = random.Random(1)
        forms = [f for (f,) in db.execute("SELECT form FROM forms WHERE length(form) >= 5")]
        titles = [t_ for (t_,) in db.execute("SELECT title FROM docs WHERE title LIKE '% %'")]
        values = db.execute("SELECT name, value FROM facets WHERE name IN ('art', 'themenfeld', 'jahr')").fetchall()
        words = [rng.choice(forms) for _ in range(args.queries)]
        phrases = ['"' + " ".join(rng.choice(titles).split()[:2]) + '"' for _ in range(args.queries)]
        faceted = [(rng.choice(forms), rng.choice(values)) for _ in range(args.queries)]
        print("  single word    ", percentiles(timed(index.search, words)))
        print("  phrase         ", percentiles(timed(index.search, phrases)))
        print("  word + facet   ", percentiles(timed(
            lambda q: index.search(q[0], facets={q[1][0]: [q[1][1]]}), faceted)))
        print("  facets only    ", percentiles(timed(lambda q: index.search("", facets={q[1][0]: [q[1][1]]}),
                                                     faceted[:50])))
        print("  typo (no hit)  ", percentiles(timed(lambda w: index.search(w + "q"), words[:50])))
        if not args.no_tantivy:
            engines(store, settings, work, words, args.queries)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def engines(store, settings: Settings, work: Path, words: list[str], count: int) -> None:
    import tantivy

    from graph.search.analysis import stem

    docs = []
    for doc in documents(store, Iris(settings.base_iri), store.named_graphs()):
        title, title_parts = analysed("\n".join(doc.names or [doc.title]))
        body, body_parts = analysed(doc.body)
        docs.append((title, body, f"{title_parts} {body_parts}"))
    terms = [stem(w) for w in words]

    path = work / "engine.sqlite"
    db = sqlite3.connect(path)
    db.execute('CREATE VIRTUAL TABLE fts USING fts5(title, body, parts, tokenize = "unicode61 remove_diacritics 0")')
    t = time.perf_counter()
    with db:
        db.executemany("INSERT INTO fts(title, body, parts) VALUES (?, ?, ?)", docs)
    db.execute("INSERT INTO fts(fts) VALUES('optimize')")
    db.commit()
    print(f"engines, same {len(docs)} analysed documents:")
    print(f"  sqlite fts5   index {time.perf_counter() - t:5.1f} s, {path.stat().st_size / 2**20:6.1f} MiB;  term query",
          percentiles(timed(lambda q: db.execute(
              "SELECT rowid, bm25(fts, 8.0, 1.0, 0.4) AS s FROM fts WHERE fts MATCH ? ORDER BY s LIMIT 20",
              (f'"{q}"',)).fetchall(), terms[:count])))

    builder = tantivy.SchemaBuilder()
    for name in ("title", "body", "parts"):
        builder.add_text_field(name, stored=False, tokenizer_name="whitespace")
    schema = builder.build()
    folder = work / "tantivy"
    folder.mkdir()
    index = tantivy.Index(schema, path=str(folder))
    t = time.perf_counter()
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    for title, body, parts in docs:
        writer.add_document(tantivy.Document(title=title, body=body, parts=parts))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    took = time.perf_counter() - t
    searcher = index.searcher()
    print(f"  tantivy       index {took:5.1f} s, {size(folder) / 2**20:6.1f} MiB;  term query",
          percentiles(timed(lambda q: searcher.search(index.parse_query(q, ["title", "body"], {"title": 8.0}), 20),
                            terms[:count])))


if __name__ == "__main__":
    raise SystemExit(main())
