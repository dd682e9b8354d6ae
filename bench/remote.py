"""``python -m bench.remote``: the remote store on Debian's Virtuoso against the embedded store, in one run.

Per scale: the load of the synthetic N-Quads (embedded bulk load; Virtuoso through SPARQL Update requests
and through its isql bulk loader), and p50/p95 latency of the foundation query mix (:mod:`bench.foundation`)
— on Virtuoso both through :class:`graph.store.remote.backend.SparqlStore` (dataset, consistency check, parsing)
and as the bare HTTP request, so the backend's own cost shows. Row counts must agree with the embedded
store (exit 1 if not). Virtuoso runs privately on 127.0.0.1 (``scripts/virtuoso.sh``), stopped at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from bench.__main__ import human, parse_scale
from bench.foundation import percentile, query_texts
from bench.synthetic import city_entities, generate_nquads
from graph.settings import PROJECT_ROOT, Settings

RESULTS = Path(__file__).parent / "results"
SCRIPT = PROJECT_ROOT / "scripts" / "virtuoso.sh"


@contextmanager
def private_virtuoso(workdir: Path) -> Iterator[Settings]:
    """A fresh Virtuoso in ``workdir`` on free loopback ports, with a random dba password."""
    if not shutil.which("virtuoso-t"):
        raise SystemExit("virtuoso-t fehlt: apt-get install virtuoso-opensource (scripts/setup-test-tools.sh)")
    port = _two_free_ports()
    password = secrets.token_urlsafe(12)
    directory = workdir / "virtuoso"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "VIRTUOSO_DBA_PASSWORD": password}
    subprocess.run(["bash", str(SCRIPT), "start", str(directory), str(port)], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    try:
        yield Settings.from_mapping({
            "store": "sparql", "sparql_query_url": f"http://127.0.0.1:{port}/sparql",
            "sparql_update_url": f"http://127.0.0.1:{port}/sparql-auth", "sparql_user": "dba",
            "sparql_password": password, "sparql_page_size": 100000, "query_timeout": 120,
            "sparql_isql": f"127.0.0.1:{port + 1}", "sparql_load_dir": str(directory / "load")})
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(directory)], check=False, stdout=subprocess.DEVNULL)


def _two_free_ports() -> int:
    for _ in range(50):
        with socket.socket() as a, socket.socket() as b:
            a.bind(("127.0.0.1", 0))
            try:
                b.bind(("127.0.0.1", a.getsockname()[1] + 1))
            except OSError:
                continue
            return a.getsockname()[1]
    raise RuntimeError("no two adjacent free ports")


def timed(execute: Callable[[str], int], texts: dict[str, str], args: argparse.Namespace) -> dict:
    """One warm-up (also the row count), then min-runs to max-runs while the budget lasts."""
    out = {}
    for name, text in texts.items():
        rows = execute(text)
        times: list[float] = []
        while len(times) < args.max_runs and (len(times) < args.min_runs or sum(times) < args.budget):
            t = time.perf_counter()
            execute(text)
            times.append(time.perf_counter() - t)
        out[name] = {"rows": rows, "p50": percentile(times, 50), "p95": percentile(times, 95), "runs": len(times)}
    return out


def embedded(nquads: Path, workdir: Path, texts: dict[str, str], args: argparse.Namespace) -> dict:
    from graph.store import OxigraphStore

    path = workdir / "oxigraph"
    t = time.perf_counter()
    store = OxigraphStore(Settings.from_mapping({"store": "oxigraph", "store_path": str(path)}), path)
    store.bulk_load(nquads, ox.RdfFormat.N_QUADS)
    load = time.perf_counter() - t
    queries = timed(lambda q: sum(1 for _ in store.query(q)), texts, args)
    store.close()
    shutil.rmtree(path, ignore_errors=True)
    return {"load_s": load, "queries": queries}


def virtuoso(nquads: Path, workdir: Path, texts: dict[str, str], args: argparse.Namespace) -> dict:
    from graph.store.remote.backend import SparqlStore

    result: dict = {}
    with private_virtuoso(workdir) as settings:
        if args.update_load:
            store = SparqlStore(settings.replace(sparql_isql=""))
            t = time.perf_counter()
            store.bulk_load(nquads, ox.RdfFormat.N_QUADS)
            result["load_update_s"] = time.perf_counter() - t
            t = time.perf_counter()
            store.clear()
            result["clear_s"] = time.perf_counter() - t
        store = SparqlStore(settings)
        t = time.perf_counter()
        store.bulk_load(nquads, ox.RdfFormat.N_QUADS)
        result["load_isql_s"] = time.perf_counter() - t
        result["quads"] = store.count()
        result["queries"] = timed(lambda q: sum(1 for _ in store.query(q)), texts, args)

        def bare(q: str) -> int:
            response = store.http.query(q, accept="application/sparql-results+xml", timeout=120)
            return response.body.count(b"<result>")

        result["bare"] = timed(bare, texts, args)
    return result


def report(scale: dict) -> list[str]:
    e, v = scale["embedded"], scale["virtuoso"]
    lines = [(f"\n== {human(scale['scale'])} triples ({scale['generated']['triples']:,} in "
              f"{scale['generated']['graphs']:,} named graphs)")]
    lines.append(f"{'load (s)':30}{'embedded (disk)':>18}{'Virtuoso isql':>22}{'SPARQL Update':>14}")
    update = f"{v['load_update_s']:.1f}" if "load_update_s" in v else "-"
    lines.append(f"{'':30}{e['load_s']:>18.1f}{v['load_isql_s']:>22.1f}{update:>14}")
    if "clear_s" in v:
        lines.append(f"{'clear (Virtuoso, s)':30}{'':>18}{v['clear_s']:>22.1f}")
    lines.append(f"{'query p50 / p95 (ms)':30}{'embedded':>18}{'Virtuoso via store':>22}{'bare HTTP':>14}   rows")
    for name, q in e["queries"].items():
        r, b = v["queries"][name], v["bare"][name]
        rows = f"{q['rows']}" + ("" if q["rows"] == r["rows"] else f" ≠ {r['rows']} MISMATCH")
        lines.append(f"  {name:28}{q['p50'] * 1e3:>8.2f} / {q['p95'] * 1e3:<7.2f}"
                     f"{r['p50'] * 1e3:>10.2f} / {r['p95'] * 1e3:<9.2f}{b['p50'] * 1e3:>10.2f}    {rows}")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.remote", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scales", default="1M", help="comma-separated triple counts (default 1M)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-update-load", dest="update_load", action="store_false",
                   help="skip the (slow) load through SPARQL Update; load with isql only")
    p.add_argument("--min-runs", type=int, default=3)
    p.add_argument("--max-runs", type=int, default=20)
    p.add_argument("--budget", type=float, default=5.0, help="seconds per query before stopping at min-runs")
    p.add_argument("--save", action="store_true", help=f"write the results as JSON to {RESULTS}/")
    args = p.parse_args(argv)

    texts = query_texts(city_entities(0, args.seed))
    results, ok = [], True
    workdir = Path(tempfile.mkdtemp(prefix="stadtgraph-bench-remote-"))
    try:
        for n in (parse_scale(s) for s in args.scales.split(",") if s.strip()):
            print(f"{human(n)} triples …", file=sys.stderr, flush=True)
            nquads = workdir / f"synthetic-{n}.nq"
            generated = generate_nquads(nquads, n, args.seed)
            generated.pop("defective_graphs")
            scale = {"scale": n, "generated": generated,
                     "embedded": embedded(nquads, workdir, texts, args),
                     "virtuoso": virtuoso(nquads, workdir, texts, args)}
            ok &= all(scale["embedded"]["queries"][q]["rows"] == scale["virtuoso"]["queries"][q]["rows"]
                      for q in texts)
            nquads.unlink()
            results.append(scale)
            print("\n".join(report(scale)), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"remote-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
        meta = {"command": "python -m bench.remote " + " ".join(argv if argv is not None else sys.argv[1:]),
                "cpus": os.cpu_count()}
        out.write_text(json.dumps({"meta": meta, "scales": results}, indent=1), "utf-8")
        print(f"\nErgebnisse / results: {out}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
