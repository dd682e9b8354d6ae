"""``python -m bench.cache``: what the result cache and conditional requests give, on 127.0.0.1.

The shipped data is built into an on-disk store and served by ``stadtgraph serve`` (2 workers × 4
threads, the replica) twice: with the result cache off and on. Each curated query (examples bound, as in
``bench.endpoint``) is sent repeatedly from 8 keep-alive connections; printed per server: requests/s,
p50, p99, and from the answers' ``X-Cache`` header how many were query runs (misses) and how many came
from the cache (hits) — a hit is never counted as a run. Last, the same page fetched with its ``ETag``
in ``If-None-Match`` (304s) against fetched whole.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench.endpoint import ROOT, bench_query, free_port, load, start_stadtgraph
from graph.query.curated import load_catalog

PAGE = "/konzept/mobilitaetsstrategie"


def conditional(url: str, n: int) -> dict:
    """``n`` sequential GETs of a page: whole, then with If-None-Match (ms per request)."""
    s = requests.Session()
    tag = s.get(url, headers={"Accept": "text/html"}).headers.get("ETag", "")
    out = {}
    for name, headers in (("whole", {"Accept": "text/html"}),
                          ("304", {"Accept": "text/html", "If-None-Match": tag})):
        t = time.perf_counter()
        statuses = {s.get(url, headers=headers).status_code for _ in range(n)}
        out[name] = {"ms": round((time.perf_counter() - t) * 1000 / n, 2), "statuses": sorted(statuses)}
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.cache", description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=400, help="answers per query and server (default 400)")
    p.add_argument("--seconds", type=float, default=6.0, help="at most this long per query and server")
    p.add_argument("--queries", type=int, default=4, help="how many curated queries (default 4)")
    args = p.parse_args(argv)
    catalog = load_catalog()
    names = sorted(catalog)[: args.queries]
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as tmp, open(Path(tmp) / "servers.log", "wb") as log:
        work = Path(tmp)
        subprocess.run([sys.executable, "-m", "cli", "--store", str(work / "store"), "build"], cwd=ROOT, check=True,
                       capture_output=True, env={**os.environ, "STADTGRAPH_STORE": "oxigraph",
                                                 "STADTGRAPH_STATE_DIR": str(work)})
        rows = []
        for cache in (False, True):
            port = free_port()
            os.environ["STADTGRAPH_STATE_DIR"] = str(work)
            server = start_stadtgraph(work / "store", port, 10.0, log, cache=cache)
            try:
                for name in names:
                    r = load(f"http://127.0.0.1:{port}/sparql", [bench_query(catalog[name])], concurrency=8,
                             max_requests=args.requests, max_seconds=args.seconds, server_pid=server.pid)
                    rows.append((name, cache, r))
                pages = conditional(f"http://127.0.0.1:{port}{PAGE}", 200) if cache else None
            finally:
                server.terminate()
                server.wait(20)
    print(f"{'query':<32} {'cache':>5} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'runs':>6} {'hits':>6}")
    for name, cache, r in rows:
        seen = r.get("cache", {})
        print(f"{name:<32} {'on' if cache else 'off':>5} {r['rps']:>8} {r['p50_ms']:>7} {r['p99_ms']:>7} "
              f"{seen.get('miss', 0):>6} {seen.get('hit', 0):>6}")
    if pages:
        print(f"\n{PAGE}: whole {pages['whole']['ms']} ms {pages['whole']['statuses']}, "
              f"If-None-Match {pages['304']['ms']} ms {pages['304']['statuses']} (sequential, one connection)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
