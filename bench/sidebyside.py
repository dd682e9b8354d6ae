"""stadtgraph as shipped beside Oxigraph's own server and rdflib-endpoint, over HTTP, in one run (issue 19).

The same synthetic N-Quads (:mod:`bench.synthetic`) at each scale, served on 127.0.0.1 by

* ``stadtgraph`` — ``stadtgraph serve`` (gunicorn, 2 workers × 4 threads) on an embedded store loaded
  with the quads, answering from its in-memory replica, result cache off (every answer is a query run);
* ``stadtgraph+tokens`` — the same with a write token configured (what the city runs when stewards write:
  today one worker process × 8 threads, reading from the disk store);
* ``oxigraph`` — ``oxigraph serve-read-only --union-default-graph`` (the PyPI package ``oxigraph``);
* ``rdflib-endpoint`` — uvicorn, 2 workers, over an in-memory ``Dataset(default_union=True)``;

and loaded by ``wrk`` (Debian's package) with 2 threads and 8 connections for ``--seconds`` per query:
a lookup of a *different* concept on every request (a Lua script walks a list of 1,000 concept IRIs), the
unit 2-hop (``org:unitOf*`` then concepts) and the place query (``ob:liegtIn*`` both ways, UNION) of
:mod:`bench.foundation`. Printed per scale and query: requests/s, p50, p99, non-2xx answers, and each
server's memory (PSS summed over its processes, read from ``/proc/<pid>/smaps_rollup`` after the run).

``python -m bench.sidebyside [--scales 100k,1M] [--seconds 12] [--servers stadtgraph,oxigraph,…] [--save]``
needs the ``bench`` extra (``pip install -e '.[bench]'``: oxigraph, rdflib-endpoint, uvicorn) and wrk.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from bench import synthetic
from bench.endpoint import ROOT, free_port, start_rdflib, wait_until
from bench.foundation import _disk_build, query_texts
from bench.scales import label, parse_scale
from graph.namespaces import sparql_prologue

SERVERS = ("stadtgraph", "stadtgraph+tokens", "oxigraph", "rdflib-endpoint")
JSON_RESULTS = "application/sparql-results+json"
LOOKUP = "SELECT ?p ?o WHERE { <%s> ?p ?o }"
# wrk's Lua: each request takes the next line of the file (a path with its query string), round-robin.
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Accept"] = "ACCEPT"})
end
""".replace("ACCEPT", JSON_RESULTS)


def concept_iris(nquads: Path, limit: int = 1000) -> list[str]:
    """Up to ``limit`` concept IRIs spread over the file (every concept, then every n-th)."""
    pattern = re.compile(r"^<([^>]+)> <http://www\.w3\.org/1999/02/22-rdf-syntax-ns#type> "
                         r"<https://daten\.oberhausen\.de/stadtgraph/ontology#Konzept> ")
    found = []
    with open(nquads, encoding="utf-8") as fh:
        for line in fh:
            m = pattern.match(line)
            if m:
                found.append(m.group(1))
    step = max(1, len(found) // limit)
    return found[::step][:limit]


def pss_bytes(pid: int) -> int:
    """PSS of ``pid`` and all its descendants (shared pages counted once in all)."""
    def children(p: int) -> list[int]:
        try:
            return [int(c) for t in os.listdir(f"/proc/{p}/task")
                    for c in Path(f"/proc/{p}/task/{t}/children").read_text().split()]
        except OSError:
            return []

    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children(p))
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def start(kind: str, work: Path, nquads: Path, store: Path, log) -> tuple[subprocess.Popen, str]:
    """Start one server; return it and the path of its query endpoint."""
    port = free_port()
    if kind.startswith("stadtgraph"):
        env = {**os.environ, "STADTGRAPH_STORE": "oxigraph", "STADTGRAPH_STORE_PATH": str(store),
               "STADTGRAPH_STATE_DIR": str(work / f"state-{kind}"), "STADTGRAPH_RESULT_CACHE_ENTRIES": "0",
               "STADTGRAPH_REPLICA": "auto", "STADTGRAPH_LOG_LEVEL": "WARNING"}
        workers, threads = "2", "4"
        if kind.endswith("+tokens"):
            # a write token: the embedded store then takes one worker process (the writer), more threads
            env["STADTGRAPH_TOKENS"] = "bench=" + "0" * 64
            workers, threads = "1", "8"
        proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--workers", workers, "--threads", threads], cwd=ROOT, env=env, stdout=log,
                                stderr=log)
        wait_until(f"http://127.0.0.1:{port}/health", 900, proc)  # 1M: the replica loads first
        return proc, f"http://127.0.0.1:{port}/sparql"
    if kind == "oxigraph":
        exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        location = work / "oxigraph-server"
        if not location.exists():
            subprocess.run([exe, "load", "--location", str(location), "--file", str(nquads)], check=True,
                           stdout=log, stderr=log)
        proc = subprocess.Popen([exe, "serve-read-only", "--location", str(location), "--bind",
                                 f"127.0.0.1:{port}", "--union-default-graph"], stdout=log, stderr=log)
        wait_until(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", 120, proc)
        return proc, f"http://127.0.0.1:{port}/query"
    if kind == "rdflib-endpoint":
        proc = start_rdflib(nquads, port, log)
        return proc, f"http://127.0.0.1:{port}/"
    raise SystemExit(f"unknown server {kind!r}")


def wrk(url: str, paths: list[str], seconds: float, work: Path) -> dict:
    """One wrk run over ``paths``: requests/s, p50 and p99 in ms, non-2xx answers."""
    listing = work / "paths.txt"
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    script = work / "walk.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    base = url.split("/", 3)
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds:g}s", "--latency", "-s", str(script),
                          f"{base[0]}//{base[2]}"], env={**os.environ, "BENCH_PATHS": str(listing)},
                         capture_output=True, text=True, check=True).stdout

    def ms(text: str) -> float:
        value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else ""}


def workloads(nquads: Path, entities: dict[str, str]) -> dict[str, list[str]]:
    """Query texts per workload: the lookup walks many concepts, the others repeat one text."""
    texts = query_texts(entities)
    prologue = sparql_prologue()
    return {"lookup": [prologue + LOOKUP % iri for iri in concept_iris(nquads)],
            "unit 2-hop": [texts["konzepte_einer_einheit"]],
            "place": [texts["konzepte_an_ort"]]}


def build_search_index(store: Path, work: Path) -> float:
    """The full-text index ``stadtgraph build`` would have left beside the store (else the first server
    start builds it, and that is not what a request costs): its seconds."""
    from graph.search import index_for
    from graph.settings import Settings
    from graph.store import open_store

    settings = Settings.from_mapping({"store": "oxigraph", "store_path": str(store),
                                      "state_dir": str(work / "state-stadtgraph")})
    opened = open_store(settings)
    t = time.perf_counter()
    try:
        index_for(settings, opened).ensure(opened)
    finally:
        opened.close()
    return time.perf_counter() - t


def run_scale(n: int, servers: list[str], seconds: float, work: Path, log) -> dict:
    nquads = work / f"synthetic-{label(n)}.nq"
    stats = synthetic.generate_nquads(nquads, n)
    store = work / "stadtgraph-store"
    load_s, built = _disk_build(nquads, store)
    del built
    gc.collect()  # the build's handle on the store is released before anything opens it again
    index_s = build_search_index(store, work)
    loads = workloads(nquads, synthetic.city_entities())
    result = {"quads": stats["triples"], "load_s": load_s, "search_index_s": index_s, "servers": {}}
    for kind in servers:
        proc, url = start(kind, work, nquads, store, log)
        path = "/" + url.split("/", 3)[3]
        try:
            figures = {}
            for name, queries in loads.items():
                paths = [f"{path}?query={quote(q, safe='')}" for q in queries]
                wrk(url, paths[:20], 2, work)  # warm-up: pages in, plans made
                figures[name] = wrk(url, paths, seconds, work)
            figures["pss_bytes"] = pss_bytes(proc.pid)
            result["servers"][kind] = figures
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    return result


def report(results: dict[str, dict], servers: list[str]) -> str:
    lines = []
    for scale, res in results.items():
        lines.append(f"\n{scale} ({res['quads']:,} triples; store loaded in {res['load_s']:.0f} s, search index "
                     f"{res['search_index_s']:.0f} s) — req/s · p50 / p99 ms")
        lines.append("| query | " + " | ".join(servers) + " |")
        lines.append("|---|" + "---|" * len(servers))
        for q in ("lookup", "unit 2-hop", "place"):
            cells = []
            for s in servers:
                f = res["servers"][s][q]
                bad = f" ({f['non_2xx']} non-2xx)" if f["non_2xx"] else ""
                cells.append(f"{f['rps']:,.0f} · {f['p50_ms']:.1f} / {f['p99_ms']:.1f}{bad}")
            lines.append(f"| {q} | " + " | ".join(cells) + " |")
        lines.append("| memory (PSS) | " + " | ".join(
            f"{res['servers'][s]['pss_bytes'] / 2**20:,.0f} MiB" for s in servers) + " |")
        if "stadtgraph" in servers and "oxigraph" in servers:
            ours, theirs = res["servers"]["stadtgraph"], res["servers"]["oxigraph"]
            lines.append("stadtgraph / oxigraph: " + ", ".join(
                f"{q} {ours[q]['rps'] / theirs[q]['rps']:.0%}" for q in ("lookup", "unit 2-hop", "place")))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.sidebyside", description=__doc__.split("\n\n")[0])
    p.add_argument("--scales", default="100k", help="comma-separated triple counts (default 100k; e.g. 100k,1M)")
    p.add_argument("--seconds", type=float, default=12.0, help="wrk duration per query and server (default 12)")
    p.add_argument("--servers", default=",".join(SERVERS), help=f"which of {', '.join(SERVERS)}")
    p.add_argument("--save", action="store_true", help="also write JSON to bench/results/")
    args = p.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk fehlt / missing: apt-get install wrk")
    servers = [s for s in args.servers.split(",") if s]
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-sidebyside-") as tmp:
        work = Path(tmp)
        log_path = ROOT / "bench" / "results" / "sidebyside-servers.log"  # what the servers said
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "w") as log:
            for scale in args.scales.split(","):
                n = parse_scale(scale)
                t = time.perf_counter()
                (work / label(n)).mkdir()
                results[label(n)] = run_scale(n, servers, args.seconds, work / label(n), log)
                print(report({label(n): results[label(n)]}, servers), flush=True)  # each scale as it ends
                print(f"{label(n)} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    if args.save:
        out = ROOT / "bench" / "results" / f"sidebyside-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"load": os.getloadavg(), "results": results}, indent=2))
        print(f"\n{out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
