"""``python -m bench.hostile``: a bounded mixed load of normal and hostile requests on 127.0.0.1 against a
real ``stadtgraph serve`` over the shipped data, sampling ``/health`` throughout.

Normal clients ask for pages, curated queries and SPARQL; hostile ones send runaway queries, over-large
bodies (declared and chunked), XML entity bombs, remote JSON-LD contexts, over-long URLs, SERVICE, path
traversal, and keep slowloris connections open. Printed: requests by kind and status, 5xx of normal
requests (target 0), max and p99 ``/health`` latency (target < 1 s), throughput. Exit 1 if a target is missed.
Not part of the test suite; every loop stops at ``--seconds`` by itself.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from bench.endpoint import free_port, tree_cpu_seconds, wait_until
from graph.query.curated import load_catalog

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"
SPARQL_NORMAL = [
    "PREFIX ob: <https://daten.oberhausen.de/stadtgraph/ontology#> SELECT ?k WHERE { ?k a ob:Konzept } LIMIT 50",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) LIMIT 20",
    "ASK { ?s a <https://daten.oberhausen.de/stadtgraph/ontology#Themenfeld> }",
]
PAGES = ["/", "/suche?q=klima", "/synergien", "/konzept/klimaanpassungskonzept", "/themenfeld/wohnen",
         "/raum/sozialraum/osterfeld", "/catalog", "/.well-known/void", "/ontology", "/sparql"]
BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                  + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
                  + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e.org/">'
                  '<rdf:Description rdf:about="http://e.org/a"><ex:p>&j;</ex:p></rdf:Description></rdf:RDF>')
TRAVERSALS = ["/static/../../etc/passwd", "/static/..%2f..%2fetc%2fpasswd", "/static/%2e%2e/%2e%2e/etc/passwd",
              "/static//etc/passwd", "/dumps/..%2f..%2fpyproject.toml", "/ontology/..%2f..%2fetc%2fpasswd"]
NORMAL = ("page", "curated", "sparql")


class Tally:
    """Answers by kind and status, thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[tuple[str, str]] = Counter()
        self.health: list[float] = []

    def add(self, kind: str, status: str) -> None:
        with self.lock:
            self.counts[(kind, status)] += 1


def request(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None) -> str:
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        if resp.getheader("Connection", "").lower() == "close":
            conn.close()
        if resp.status >= 500 and resp.getheader("Content-Type", "").startswith("application/problem+json"):
            return f"{resp.status} {json.loads(data).get('type', '').rsplit('/', 1)[-1]}"  # e.g. 503 overloaded
        return str(resp.status)
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        return type(exc).__name__


# ---- clients -----------------------------------------------------------------------------------------
def normal_client(port: int, deadline: float, tally: Tally, seed: int, curated: list[str]) -> None:
    rnd = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.time() < deadline:
        kind = rnd.choice(NORMAL)
        if kind == "page":
            status = request(conn, "GET", rnd.choice(PAGES), headers={"Accept": "text/html"})
        elif kind == "curated":
            status = request(conn, "GET", rnd.choice(curated), headers={"Accept": "application/json"})
        else:
            body = urlencode({"query": rnd.choice(SPARQL_NORMAL)}).encode()
            status = request(conn, "POST", "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                             "Accept": "application/sparql-results+json"})
        tally.add(kind, status)
    conn.close()


def hostile_requests(port: int) -> dict:
    """kind -> a function sending one hostile request and returning its status."""
    listener = f"http://127.0.0.1:{free_port()}/context.jsonld"  # nobody listens: a fetch would show as an error

    def plain(method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        def send() -> str:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                return request(conn, method, path, body, {"Accept": "application/json", **(headers or {})})
            finally:
                conn.close()
        return send

    def declared_huge() -> str:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                         b"Content-Length: 50000000000\r\n\r\n")
            return sock.recv(64).split(b" ", 2)[1].decode("ascii", "replace") or "closed"

    def chunked_endless() -> str:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")
            chunk = b"8000\r\n" + b"#" * 0x8000 + b"\r\n"
            try:
                for _ in range(512):  # at most 16 MB
                    sock.sendall(chunk)
            except OSError:
                pass
            try:
                return sock.recv(64).split(b" ", 2)[1].decode("ascii", "replace")
            except (OSError, IndexError):
                return "closed"

    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    return {
        "oversized-declared": declared_huge,
        "oversized-chunked": chunked_endless,
        "oversized-form": plain("POST", "/sparql", b"query=" + b"a" * 2_000_000, form),
        "entity-bomb": plain("POST", "/validate", BILLION_LAUGHS.encode(), {"Content-Type": "application/rdf+xml"}),
        "remote-context": plain("POST", "/validate", json.dumps({"@context": listener, "@id": "http://e.org/a"}).encode(),
                                {"Content-Type": "application/ld+json"}),
        "huge-url": plain("GET", "/suche?q=" + "a" * 8090),  # over max_url_length, under gunicorn's 8190
        "many-params": plain("GET", "/synergien?" + "&".join(f"regel=r{i}" for i in range(500))),
        "service": plain("POST", "/sparql", urlencode({"query": service}).encode(), form),
        "traversal": lambda: plain("GET", random.choice(TRAVERSALS))(),
        "literal-subject": plain("POST", "/validate", b'"x" <http://e.org/p> <http://e.org/o> .\n',
                                 {"Content-Type": "application/n-triples"}),
    }


def hostile_client(port: int, deadline: float, tally: Tally, pause: float) -> None:
    kinds = hostile_requests(port)
    while time.time() < deadline:
        for kind, send in kinds.items():
            if time.time() >= deadline:
                break
            try:
                status = send()
            except OSError as exc:
                status = type(exc).__name__
            tally.add(kind, status)
            time.sleep(pause)


def runaway_client(port: int, deadline: float, tally: Tally) -> None:
    body = urlencode({"query": RUNAWAY}).encode()
    while time.time() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        status = request(conn, "POST", "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded"})
        conn.close()
        tally.add("runaway", status)


def slowloris(port: int, deadline: float, tally: Tally, connections: int) -> None:
    """Keeps ``connections`` sockets open sending a request head (or body) a byte at a time; each one the
    server closes is counted and opened again."""
    heads = [b"GET /health HTTP/1.1\r\nHost: x\r\n", (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: "
             b"application/sparql-query\r\nContent-Length: 100000\r\n\r\nASK")]
    socks: list[socket.socket | None] = [None] * connections
    while time.time() < deadline:
        for i in range(connections):
            sock = socks[i]
            try:
                if sock is None:
                    sock = socks[i] = socket.create_connection(("127.0.0.1", port), timeout=5)
                    sock.setblocking(False)
                    sock.send(heads[i % 2])
                    tally.add("slowloris", "opened")
                else:
                    sock.send(b"X" if i % 2 == 0 else b" ")
                    try:
                        if sock.recv(4096):
                            tally.add("slowloris", "answered-408")
                            raise ConnectionResetError
                    except BlockingIOError:
                        pass
            except OSError:
                if sock is not None:
                    sock.close()
                socks[i] = None
                tally.add("slowloris", "closed-by-server")
        time.sleep(1.0)
    for sock in socks:
        if sock is not None:
            sock.close()


def health_sampler(port: int, deadline: float, tally: Tally, interval: float) -> None:
    while time.time() < deadline:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        status = request(conn, "GET", "/health")
        conn.close()
        with tally.lock:
            tally.health.append(time.perf_counter() - started if status == "200" else float("inf"))
        time.sleep(interval)


# ---- the run -----------------------------------------------------------------------------------------
def build(store: Path, dumps: Path, log) -> None:
    env = {**os.environ, "STADTGRAPH_STORE": "oxigraph", "STADTGRAPH_DUMP_DIR": str(dumps)}
    proc = subprocess.run([sys.executable, "-m", "cli", "--store", str(store), "--data", str(ROOT / "data"), "build"],
                          cwd=ROOT, env=env, stdout=log, stderr=log, timeout=600, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"build failed ({proc.returncode})")


def serve(store: Path, dumps: Path, port: int, args: argparse.Namespace, log) -> subprocess.Popen:
    env = {**os.environ, "STADTGRAPH_STORE": "oxigraph", "STADTGRAPH_STORE_PATH": str(store),
           "STADTGRAPH_DUMP_DIR": str(dumps), "STADTGRAPH_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(args.workers), "--threads", str(args.threads)],
                            cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    wait_until(f"http://127.0.0.1:{port}/health", 90, proc)
    return proc


def curated_paths() -> list[str]:
    paths = []
    for query in load_catalog(ROOT / "graph" / "queries").values():
        params = "&".join(f"{p.name}={quote(str(p.example))}" for p in query.params if p.example is not None)
        paths.append(f"/api/queries/{query.name}" + (f"?{params}" if params else ""))
    return paths


def run(port: int, args: argparse.Namespace, server_pid: int) -> dict:
    tally = Tally()
    deadline = time.time() + args.seconds
    curated = curated_paths()
    threads = [threading.Thread(target=normal_client, args=(port, deadline, tally, n, curated))
               for n in range(args.normal)]
    threads += [threading.Thread(target=hostile_client, args=(port, deadline, tally, args.hostile_pause))
                for _ in range(args.hostile)]
    threads += [threading.Thread(target=runaway_client, args=(port, deadline, tally)) for _ in range(args.runaways)]
    threads.append(threading.Thread(target=slowloris, args=(port, deadline, tally, args.slowloris)))
    threads.append(threading.Thread(target=health_sampler, args=(port, deadline, tally, args.health_interval)))
    cpu_before = tree_cpu_seconds(server_pid)
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(args.seconds + 180)
    wall = time.monotonic() - started
    health = sorted(tally.health)
    normal_total = sum(n for (kind, _), n in tally.counts.items() if kind in NORMAL)
    normal_5xx = sum(n for (kind, status), n in tally.counts.items() if kind in NORMAL and status.startswith("5"))
    normal_failed = sum(n for (kind, status), n in tally.counts.items() if kind in NORMAL and not status[:3].isdigit())
    answered = sum(n for (kind, status), n in tally.counts.items() if status[:3].isdigit())
    return {
        "seconds": round(wall, 1),
        "by_kind": {f"{kind} {status}": n for (kind, status), n in sorted(tally.counts.items())},
        "normal_requests": normal_total,
        "normal_5xx": normal_5xx,
        "normal_without_answer": normal_failed,
        "normal_rps": round(normal_total / wall, 1),
        "all_answers_rps": round(answered / wall, 1),
        "health_samples": len(health),
        "health_max_ms": round(max(health) * 1000, 1) if health else None,
        "health_p99_ms": round(health[min(len(health) - 1, int(0.99 * len(health)))] * 1000, 1) if health else None,
        "health_p50_ms": round(health[len(health) // 2] * 1000, 1) if health else None,
        "server_cpu_seconds": round(tree_cpu_seconds(server_pid) - cpu_before, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def report(result: dict, args: argparse.Namespace) -> list[str]:
    lines = [(f"stadtgraph serve ({args.workers} workers × {args.threads} threads), {result['seconds']} s: "
             f"{args.normal} normal clients, {args.hostile} hostile, {args.runaways} runaway, "
             f"{args.slowloris} slowloris connections"), "", f"{'kind':<22} {'status':<22} {'count':>7}"]
    for key, n in result["by_kind"].items():
        kind, status = key.split(" ", 1)
        lines.append(f"{kind:<22} {status:<22} {n:>7}")
    lines += ["", (f"normal requests: {result['normal_requests']} ({result['normal_rps']}/s), 5xx: "
                  f"{result['normal_5xx']} (target 0), without answer: {result['normal_without_answer']}"),
              (f"all answers: {result['all_answers_rps']}/s; server CPU {result['server_cpu_seconds']} s; "
              f"load average {result['load_average']}"),
              (f"/health: {result['health_samples']} samples, p50 {result['health_p50_ms']} ms, "
              f"p99 {result['health_p99_ms']} ms, max {result['health_max_ms']} ms (target < 1000 ms)")]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load (default 60)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--normal", type=int, default=4, help="normal clients (keep-alive connections)")
    parser.add_argument("--hostile", type=int, default=2, help="clients cycling through the hostile requests")
    parser.add_argument("--hostile-pause", type=float, default=0.05, help="seconds between hostile requests")
    parser.add_argument("--runaways", type=int, default=1, help="clients sending runaway queries back to back")
    parser.add_argument("--slowloris", type=int, default=64, help="slow connections held open")
    parser.add_argument("--health-interval", type=float, default=0.1)
    parser.add_argument("--save", action="store_true", help="also write JSON to bench/results/")
    args = parser.parse_args(argv)
    args.seconds = min(args.seconds, 600.0)  # bounded whatever is asked
    with tempfile.TemporaryDirectory(prefix="stadtgraph-hostile-") as tmp:
        work = Path(tmp)
        with open(work / "server.log", "wb") as log:
            build(work / "store", work / "dumps", log)
            port = free_port()
            proc = serve(work / "store", work / "dumps", port, args, log)
            try:
                result = run(port, args, proc.pid)
            finally:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        errors = [line for line in (work / "server.log").read_text("utf-8", "replace").splitlines()
                  if '"level": "ERROR"' in line or "Traceback" in line]
    result["server_error_lines"] = len(errors)
    lines = report(result, args) + [f"server log: {len(errors)} error lines"]
    print("\n".join(lines))
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        (RESULTS / f"hostile-{stamp}.json").write_text(json.dumps({"args": vars(args), **result}, indent=2))
    ok = result["normal_5xx"] == 0 and result["normal_without_answer"] == 0 and (result["health_max_ms"] or 1e9) < 1000
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
