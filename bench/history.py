"""``python -m bench.history [--records 1000 --versions 20]``: the version log at 1,000 records × 20 versions.

The shipped data is built into an on-disk store (with its version log beside it, as ``stadtgraph serve``
has it); then ``--records`` concept records get ``--versions`` versions each, written as a wiki harvest
writes them (one record graph replaced per version, its wiki revision cited) through the version log, one
transaction per round of all records. Printed:

- store growth: the version log's size on disk before and after, bytes per version;
- the write path itself: ``--writes`` Graph Store PUTs of one record through the app (gate, store, inference,
  version log, search index, all followers), ms per write;
- serving, in-process through the app (Flask's test client; no network): a record's TimeMap, the
  difference of two versions as German sentences (``/verlauf/…?zu=``), a memento, and a TimeGate
  redirect, each p50/p99 over ``--samples`` random records;
- the change feed: a TREE client's replay of the whole LDES from its first fragment (fragments fetched and
  parsed, per record the newest member kept), its time, fragments and members, and whether the result is
  the store's record graphs.
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox
import rdflib

from bench.scales import percentiles
from graph.iris import Iris
from graph.namespaces import DCTERMS, OB, PROV
from graph.pipeline.graph_change import GraphChange
from graph.pipeline.versions import DB_FILE, version_log
from graph.settings import Settings
from graph.store import open_store

WIKI = "https://istek.oberhausen.de/index.php"
TREE = "https://w3id.org/tree#"
AUTH_TOKEN = "bench-history-token"


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def record_graph(iris: Iris, n: int, version: int, themen: list[str], units: list[str]) -> rdflib.Graph:
    """Concept ``n`` as version ``version`` of it left it: each version moves it to other Themenfelder, another
    unit every fifth time, and rewrites its summary; its wiki revision is cited, as a harvest does."""
    me = iris.konzept(f"Bench-Konzept {n:04d}")
    revision = 100000 + n * 100 + version
    g = rdflib.Graph()
    g.add((me, rdflib.RDF.type, OB.Konzept))
    g.add((me, rdflib.RDFS.label, rdflib.Literal(f"Bench-Konzept {n:04d}", lang="de")))
    g.add((me, DCTERMS.title, rdflib.Literal(f"Bench-Konzept {n:04d}", lang="de")))
    g.add((me, DCTERMS.abstract, rdflib.Literal(f"Kurzbeschreibung des Konzepts {n}, Fassung {version}.",
                                                lang="de")))
    for k in range(2):
        g.add((me, OB.themenfeld, rdflib.URIRef(themen[(n + version + k) % len(themen)])))
    g.add((me, OB.zustaendigeEinheit, rdflib.URIRef(units[(n + version // 5) % len(units)])))
    g.add((me, OB.wikiRevision, rdflib.Literal(revision)))
    g.add((me, PROV.wasDerivedFrom, rdflib.URIRef(f"{WIKI}?diff=prev&oldid={revision}")))
    return g


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--samples", type=int, default=200, help="records sampled per served page")
    parser.add_argument("--writes", type=int, default=30, help="Graph Store PUTs through the whole write path")
    args = parser.parse_args(argv)
    random.seed(7)
    from graph.pipeline.build import build
    from graph.pipeline.tokens import digest
    from server import create_app

    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        work = Path(tmp)
        settings = Settings.from_mapping({"store": "oxigraph", "state_dir": str(work),
                                          "tokens": f"bench={digest(AUTH_TOKEN)}"})
        store = open_store(settings)
        build(settings, store)
        iris = Iris(settings.base_iri)
        log = version_log(settings, store, read_only=False)
        db = Path(settings.history_dir) / DB_FILE
        themen = sorted(r["t"].value for r in store.query(f"SELECT ?t WHERE {{ ?t a <{OB.Themenfeld}> }}"))
        units = sorted({r["e"].value for r in store.query(f"SELECT ?e WHERE {{ ?k <{OB.zustaendigeEinheit}> ?e }}")})
        before_bytes, before_versions = size(db), log.count()
        print(f"Shipped data built: {store.count()} quads, version log {before_versions} versions, "
              f"{before_bytes / 2**20:.1f} MiB")

        # ---- versions: every record, version by version, as a harvest writes them ------------------------
        graphs = [str(iris.record_graph(str(iris.konzept(f"Bench-Konzept {n:04d}")))) for n in range(args.records)]
        current: list[rdflib.Graph] = [rdflib.Graph() for _ in range(args.records)]
        start, at = time.perf_counter(), datetime.now(UTC) - timedelta(days=args.versions)
        for version in range(args.versions):
            after = [record_graph(iris, n, version, themen, units) for n in range(args.records)]
            changes = [GraphChange(graphs[n], current[n], after[n]) for n in range(args.records)]
            log.record(changes, iris=iris, method="HARVEST", actor="wiki-harvest", at=at + timedelta(days=version))
            current = after
        written = time.perf_counter() - start
        store.replace_graphs({graphs[n]: current[n] for n in range(args.records)})
        total = args.records * args.versions
        grown = size(db) - before_bytes
        print(f"\n{args.records} records × {args.versions} versions = {total} versions recorded in {written:.1f} s "
              f"({written / total * 1e6:.0f} µs a version)")
        print(f"Version log: {before_bytes / 2**20:.1f} → {size(db) / 2**20:.1f} MiB, +{grown / 2**20:.1f} MiB, "
              f"{grown / total:.0f} bytes a version (content and delta of each, zlib)")

        app = create_app(settings, store=store)
        client = app.test_client()

        # ---- the whole write path ------------------------------------------------------------------------
        auth = {"Authorization": f"Bearer {AUTH_TOKEN}", "Content-Type": "text/turtle"}
        n0 = random.randrange(args.records)
        timings = []
        for k in range(args.writes):
            body = record_graph(iris, n0, args.versions + k, themen, units).serialize(format="turtle")
            t = time.perf_counter()
            response = client.put(f"/graph-store?graph={graphs[n0]}", data=body, headers=auth)
            timings.append(time.perf_counter() - t)
            assert response.status_code in (201, 204), response.data[:500]
        print(f"\nGraph Store PUT of one record through the whole write path (gate, store, inference, version log, "
              f"search index), {args.writes}×: {percentiles(timings, 7)}")

        # ---- serving ---------------------------------------------------------------------------------------
        sample = random.sample(range(args.records), min(args.samples, args.records))
        paths = {n: graphs[n][len(iris.base + "graph/"):] for n in sample}

        def timed(make_url, status: int = 200, headers: dict | None = None) -> list[float]:
            out = []
            for n in sample:
                url = make_url(n)
                t = time.perf_counter()
                response = client.get(url, headers=headers or {})
                out.append(time.perf_counter() - t)
                assert response.status_code == status, (url, response.status_code, response.data[:300])
            return out

        ids = {n: [v.id for v in log.versions(graphs[n])] for n in sample}
        print(f"\nServing, in-process (Flask test client), {len(sample)} random records:")
        print(f"  TimeMap ({args.versions} mementos)       {percentiles(timed(lambda n: f'/timemap/{paths[n]}'), 7)}")
        print(f"  diff page (German sentences) {percentiles(timed(lambda n: f'/verlauf/{paths[n]}?zu={random.choice(ids[n][1:])}'), 7)}")
        print(f"  memento (Turtle)             {percentiles(timed(lambda n: f'/memento/{random.choice(ids[n])}/{paths[n]}', headers={'Accept': 'text/turtle'}), 7)}")
        when = (at + timedelta(days=args.versions / 2, hours=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
        print(f"  TimeGate (Accept-Datetime)   {percentiles(timed(lambda n: f'/{paths[n]}', 302, {'Accept-Datetime': when}), 7)}")

        # ---- the change feed -------------------------------------------------------------------------------
        start = time.perf_counter()
        stream = ox.Store()
        stream.load(client.get("/ldes", headers={"Accept": "application/trig"}).data, format=ox.RdfFormat.TRIG)
        url = next(stream.quads_for_pattern(None, ox.NamedNode(TREE + "view"), None)).object.value
        fragments, members, newest = 0, 0, {}
        while url:
            page = ox.Store()
            page.load(client.get(url.removeprefix("http://localhost"), headers={"Accept": "application/trig"}).data,
                      format=ox.RdfFormat.TRIG, base_iri=url)
            fragments += 1
            for q in page.quads_for_pattern(None, ox.NamedNode(TREE + "member"), None):
                members += 1
                m = q.object
                record = next(page.quads_for_pattern(m, ox.NamedNode(str(DCTERMS.isVersionOf)), None)).object.value
                stamp = next(page.quads_for_pattern(m, ox.NamedNode(str(PROV.generatedAtTime)), None)).object.value
                if record not in newest or newest[record][0] < stamp:
                    newest[record] = (stamp, len(list(page.quads_for_pattern(None, None, None, m))))
            nodes = [q.object.value for q in page.quads_for_pattern(None, ox.NamedNode(TREE + "node"), None)]
            url = nodes[0] if nodes else None
        replay = time.perf_counter() - start
        records = {str(iris.base) + g[len(iris.base + "graph/"):] for g in graphs}
        same = all(newest.get(r, (None, 0))[1] == len(store.graph(str(iris.record_graph(r)))) for r in records)
        print(f"\nLDES replay from the first fragment: {replay:.1f} s, {fragments} fragments of "
              f"{settings.ldes_page_size}, {members} members ({members / replay:.0f} members/s); "
              f"the bench records' newest members hold their current graphs: {'ja' if same else 'NEIN'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
