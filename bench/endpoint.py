"""``python -m bench.endpoint``: the SPARQL endpoint under a bounded load on 127.0.0.1, against
``rdflib-endpoint`` (PyPI, the ``bench`` extra) serving the same data in the same run.

The shipped data is built into an on-disk store and exported as N-Quads; stadtgraph serves the store
(gunicorn, 2 workers × 4 threads), rdflib-endpoint serves the N-Quads (uvicorn, 2 workers, union default
graph). Both get the same SPARQL text: each curated query with its example parameters bound by a VALUES
block. Per query and for the mix: requests/s, p50 and p99 latency, row counts (checked equal). Last,
what a runaway query costs the others: the mix on stadtgraph with and without clients that keep sending
a query which runs into the time limit.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests

from graph.query.curated import CuratedQuery, load_catalog
from graph.store import to_ox

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"
JSON_RESULTS = "application/sparql-results+json"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and all its descendants, from /proc: a server's own cost,
    undisturbed by whatever else the machine runs."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]), []).append(
                    int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


# ---- the reference server (run by uvicorn in its own processes) ------------------------------------------
def rdflib_app():
    """rdflib-endpoint over the N-Quads in ``BENCH_NQUADS`` (a uvicorn app factory)."""
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    dataset = Dataset(default_union=True)
    dataset.parse(os.environ["BENCH_NQUADS"], format="nquads")
    return SparqlEndpoint(graph=dataset, title="rdflib-endpoint (bench)", cors_enabled=True)


# ---- setting up ----------------------------------------------------------------------------------------------
def bench_query(query: CuratedQuery) -> str:
    """The curated query with its examples bound by a VALUES block at the start of its WHERE group
    (the same text for both servers; the service itself binds by substitution)."""
    values = [(p.name, p.convert(p.example)) for p in query.params if p.example is not None]
    if not values:
        return query.text
    head = " ".join(f"?{name}" for name, _ in values)
    row = " ".join(str(to_ox(term)) for _, term in values)
    at = query.text.index("WHERE {") + len("WHERE {")
    return f"{query.text[:at]}\n  VALUES ({head}) {{ ({row}) }}{query.text[at:]}"


def wait_until(url: str, seconds: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited ({proc.returncode}) before answering {url}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"no answer from {url} within {seconds} s")


def start_stadtgraph(store: Path, port: int, timeout: float, log, cache: bool = False) -> subprocess.Popen:
    # Without --cache the result cache is off: every answer is a query run, which is what is measured.
    env = {**os.environ, "STADTGRAPH_STORE": "oxigraph", "STADTGRAPH_STORE_PATH": str(store),
           "STADTGRAPH_QUERY_TIMEOUT": str(timeout), "STADTGRAPH_RESULT_CACHE_ENTRIES": "512" if cache else "0"}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", "2", "--threads", "4"], cwd=ROOT, env=env, stdout=log, stderr=log)
    wait_until(f"http://127.0.0.1:{port}/health", 90, proc)
    return proc


def start_rdflib(nquads: Path, port: int, log) -> subprocess.Popen:
    env = {**os.environ, "BENCH_NQUADS": str(nquads)}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench.endpoint:rdflib_app", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--log-level",
                             "warning"], cwd=ROOT, env=env, stdout=log, stderr=log)
    wait_until(f"http://127.0.0.1:{port}/?query=ASK%7B%7D", 180, proc)
    return proc


# ---- load --------------------------------------------------------------------------------------------------
def _client_process(url: str, queries: list[str], threads: int, max_requests: int, deadline: float,
                    out) -> None:
    """One load process: ``threads`` keep-alive connections (http.client: little client CPU), sending
    the queries round-robin until ``max_requests`` or the wall-clock ``deadline``."""
    parts = urlsplit(url)
    bodies = [urlencode({"query": q}).encode() for q in queries]
    headers = {"Accept": JSON_RESULTS, "Content-Type": "application/x-www-form-urlencoded"}
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    rows: dict[int, int] = {}
    cache: dict[str, int] = {}
    issued = [0]

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        while time.time() < deadline:
            with lock:
                if issued[0] >= max_requests:
                    break
                i = issued[0] % len(queries)
                issued[0] += 1
            started = time.perf_counter()
            try:
                conn.request("POST", parts.path or "/", body=bodies[i], headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                status = str(resp.status)
                seen = resp.getheader("X-Cache")
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
                data, status, seen = b"", type(exc).__name__, None
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if seen:
                    cache[seen] = cache.get(seen, 0) + 1
                if status == "200":
                    latencies.append(elapsed)
                    if i not in rows:
                        # Distinct rows: rdflib's union default graph repeats a triple once per graph
                        # holding it, where Oxigraph (and RDF merge) count it once.
                        bindings = json.loads(data).get("results", {}).get("bindings", [])
                        rows[i] = len({json.dumps(b, sort_keys=True) for b in bindings})
                else:
                    errors[status] = errors.get(status, 0) + 1
        conn.close()

    pool = [threading.Thread(target=client) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((latencies, errors, rows, cache))


def load(url: str, queries: list[str], *, concurrency: int, max_requests: int, max_seconds: float,
         server_pid: int | None = None, processes: int = 2) -> dict:
    """Bounded load: ``concurrency`` connections from ``processes`` client processes, at most
    ``max_requests`` answers or ``max_seconds``. Latencies in ms; errors counted by status; with
    ``server_pid`` also the server's CPU milliseconds per answer."""
    ctx = mp.get_context("fork")
    cpu_before = tree_cpu_seconds(server_pid) if server_pid else None
    out = ctx.Queue()
    per_proc = -(-max_requests // processes)
    threads = max(1, concurrency // processes)
    started = time.monotonic()
    deadline = time.time() + max_seconds
    procs = [ctx.Process(target=_client_process, args=(url, queries, threads, per_proc, deadline, out))
             for _ in range(processes)]
    for proc in procs:
        proc.start()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    rows: dict[int, int] = {}
    cache: dict[str, int] = {}
    for _ in procs:
        lat, err, rw, seen = out.get()
        for k, v in seen.items():
            cache[k] = cache.get(k, 0) + v
        latencies += lat
        for k, v in err.items():
            errors[k] = errors.get(k, 0) + v
        for k, v in rw.items():
            rows.setdefault(k, v)
    for proc in procs:
        proc.join()
    wall = time.monotonic() - started
    out = summarize(latencies, wall, errors) | {"rows": [rows.get(i) for i in range(len(queries))]}
    if cache:  # stadtgraph's answers say whether they were run or taken from its result cache
        out["cache"] = cache
    if server_pid and latencies:
        out["server_cpu_ms_per_request"] = round((tree_cpu_seconds(server_pid) - cpu_before) * 1000 / len(latencies), 2)
    return out


def summarize(latencies: list[float], wall: float, errors: dict[str, int]) -> dict:
    ordered = sorted(latencies)

    def pct(p: float) -> float | None:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2) if ordered else None

    return {"requests": len(ordered), "seconds": round(wall, 2),
            "rps": round(len(ordered) / wall, 1) if wall else 0.0,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(ordered), 2) if ordered else None, "errors": errors}


def runaway_cost(url: str, mix: list[str], args: argparse.Namespace) -> dict:
    """The mix alone, then the mix while ``runaways`` clients keep sending a query that hits the limit."""
    base = load(url, mix, concurrency=args.concurrency, max_requests=args.mix_requests, max_seconds=args.seconds)
    stop = threading.Event()
    stopped: list[int] = []

    def runaway_client() -> None:
        session = requests.Session()
        while not stop.is_set():
            r = session.post(url, data={"query": RUNAWAY}, timeout=120)
            stopped.append(r.status_code)

    runners = [threading.Thread(target=runaway_client) for _ in range(args.runaways)]
    for t in runners:
        t.start()
    time.sleep(0.5)  # the runaways are running before the mix starts
    under = load(url, mix, concurrency=args.concurrency, max_requests=args.mix_requests, max_seconds=args.seconds)
    stop.set()
    for t in runners:
        t.join()
    return {"alone": base, "with_runaways": under, "runaways": args.runaways,
            "runaway_answers": {str(s): stopped.count(s) for s in set(stopped)},
            "rps_ratio": round(under["rps"] / base["rps"], 2) if base["rps"] else None}


# ---- main --------------------------------------------------------------------------------------------------
def row(name: str, ours: dict, theirs: dict) -> str:
    ratio = f"{ours['rps'] / theirs['rps']:.1f}×" if theirs.get("rps") else "–"
    a, b = ours.get("server_cpu_ms_per_request"), theirs.get("server_cpu_ms_per_request")
    cpu_ratio = f"{b / a:.1f}×" if a and b else "–"
    return (f"{name:<28} {ours['rps']:>7} {ours['p50_ms'] or '-':>7} {ours['p99_ms'] or '-':>7} {a or '-':>6}  "
            f"{theirs.get('rps', '-'):>7} {theirs.get('p50_ms') or '-':>7} {theirs.get('p99_ms') or '-':>7} "
            f"{b or '-':>6}  {ratio:>6} {cpu_ratio:>6}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.endpoint", description=__doc__.split("\n\n")[0])
    p.add_argument("--concurrency", type=int, default=8, help="client connections (default 8)")
    p.add_argument("--requests", type=int, default=300, help="at most this many answers per query and server")
    p.add_argument("--mix-requests", type=int, default=2000, help="at most this many answers for the mix")
    p.add_argument("--seconds", type=float, default=8.0, help="at most this long per query/mix phase")
    p.add_argument("--timeout", type=float, default=2.0, help="stadtgraph's query time limit in this run")
    p.add_argument("--runaways", type=int, default=1, help="clients sending runaway queries in the last phase")
    p.add_argument("--data", default=str(ROOT / "data"), help="sources to build (default: the shipped data)")
    p.add_argument("--cache", action="store_true",
                   help="with stadtgraph's result cache on (default off: every answer is a query run); hits and "
                        "misses are reported apart")
    p.add_argument("--save", action="store_true", help="also write JSON to bench/results/")
    args = p.parse_args(argv)

    catalog = load_catalog()
    names = sorted(catalog)
    texts = [bench_query(catalog[n]) for n in names]
    with tempfile.TemporaryDirectory(prefix="bench-endpoint-") as tmp, \
            open(Path(tmp) / "servers.log", "wb") as log:
        work = Path(tmp)
        print("· Aufbau der Daten / building the data …", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "cli", "--store", str(work / "store"), "--data", args.data, "build"],
                       cwd=ROOT, check=False, capture_output=True, env={**os.environ, "STADTGRAPH_STORE": "oxigraph"})
        subprocess.run([sys.executable, "-m", "cli", "--store", str(work / "store"), "export", "-o",
                        str(work / "data.nq")], cwd=ROOT, check=True, capture_output=True)
        with open(work / "data.nq", "rb") as dump:
            quads = sum(1 for _ in dump)
        ours_port, theirs_port = free_port(), free_port()
        ours = start_stadtgraph(work / "store", ours_port, args.timeout, log, cache=args.cache)
        print("· rdflib-endpoint lädt / loading …", file=sys.stderr, flush=True)
        theirs = start_rdflib(work / "data.nq", theirs_port, log)
        ours_url, theirs_url = f"http://127.0.0.1:{ours_port}/sparql", f"http://127.0.0.1:{theirs_port}/"
        results: dict = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "quads": quads,
                         "cpus": os.cpu_count(), "load_average_before": os.getloadavg(),
                         "settings": vars(args), "queries": {}}
        try:
            for name, text in zip(names, texts, strict=True):
                print(f"· {name}", file=sys.stderr, flush=True)
                kw = {"concurrency": args.concurrency, "max_requests": args.requests, "max_seconds": args.seconds}
                a = load(ours_url, [text], server_pid=ours.pid, **kw)
                b = load(theirs_url, [text], server_pid=theirs.pid, **kw)
                results["queries"][name] = {"stadtgraph": a, "rdflib_endpoint": b,
                                            "rows_equal": a["rows"] == b["rows"]}
            print("· Mischung / mix", file=sys.stderr, flush=True)
            kw = {"concurrency": args.concurrency, "max_requests": args.mix_requests, "max_seconds": args.seconds}
            results["mix"] = {"stadtgraph": load(ours_url, texts, server_pid=ours.pid, **kw),
                              "rdflib_endpoint": load(theirs_url, texts, server_pid=theirs.pid, **kw)}
            print("· Durchläufer / runaway cost", file=sys.stderr, flush=True)
            results["runaway"] = runaway_cost(ours_url, texts, args)
        finally:
            for proc in (ours, theirs):
                proc.terminate()
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()

    mix = results["mix"]
    results["mix_rps_ratio"] = round(mix["stadtgraph"]["rps"] / mix["rdflib_endpoint"]["rps"], 1) \
        if mix["rdflib_endpoint"]["rps"] else None
    print(f"\n{quads} Quads, {args.concurrency} Verbindungen / connections, höchstens {args.requests} Antworten "
          f"oder {args.seconds:g} s je Anfrage / at most that many answers or seconds per query\n")
    print(f"Lastmittel vorher / load average before: {results['load_average_before'][0]:.1f}; "
          "CPU ms = Server-CPU je Antwort / server CPU per answer (undisturbed by other load)\n")
    print(f"{'':<28} {'stadtgraph':>30}  {'rdflib-endpoint':>30}  {'ratios':>13}")
    head = f"{'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>6}"
    print(f"{'query':<28} {head}  {head}  {'req/s':>6} {'CPU':>6}")
    for name in names:
        q = results["queries"][name]
        flag = "" if q["rows_equal"] else f"  (Zeilen / distinct rows {q['stadtgraph']['rows']} ≠ {q['rdflib_endpoint']['rows']})"
        print(row(name, q["stadtgraph"], q["rdflib_endpoint"]) + flag)
    print(row("MIX (all curated)", mix["stadtgraph"], mix["rdflib_endpoint"]))
    seen = mix["stadtgraph"].get("cache", {})
    print(f"stadtgraph result cache in the mix: {seen.get('hit', 0)} hits (not query runs), "
          f"{seen.get('miss', 0)} misses (query runs)" + ("" if args.cache else " — off in this run (--cache)"))
    rc = results["runaway"]
    print(f"\nDurchläufer / runaway cost ({rc['runaways']} client(s), limit {args.timeout:g} s, answers "
          f"{rc['runaway_answers']}): mix {rc['alone']['rps']} → {rc['with_runaways']['rps']} req/s "
          f"(×{rc['rps_ratio']}), p50 {rc['alone']['p50_ms']} → {rc['with_runaways']['p50_ms']} ms, "
          f"p99 {rc['alone']['p99_ms']} → {rc['with_runaways']['p99_ms']} ms, errors "
          f"{rc['with_runaways']['errors'] or 'none'}")
    a, b = (mix[k].get("server_cpu_ms_per_request") for k in ("stadtgraph", "rdflib_endpoint"))
    results["mix_cpu_ratio"] = round(b / a, 1) if a and b else None
    print(f"Durchsatz-Verhältnis der Mischung / mix throughput ratio: {results['mix_rps_ratio']}× "
          f"(Ziel / target ≥ 5×); Server-CPU je Antwort / server CPU per answer: {results['mix_cpu_ratio']}×")
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"endpoint-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False), "utf-8")
        print(f"→ {out}")
    return 0 if (results["mix_rps_ratio"] or 0) >= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
