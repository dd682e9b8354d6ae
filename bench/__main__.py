"""``python -m bench``: the foundation benchmark. Per scale, build time, peak memory and p50/p95 query
latency of the embedded pipeline (pyoxigraph on disk) against rdflib's in-memory graph, side by side.

Each pipeline runs in a child process (:mod:`bench.foundation`) so its peak RSS is its own. Row counts of
the two pipelines must agree for every query; a mismatch makes the run fail (exit 1).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.foundation import QUERIES
from bench.synthetic import city_entities, generate_nquads

RESULTS = Path(__file__).parent / "results"
# The targets, checked at 1M triples.
TARGET_SCALE, TARGET_BUILD, TARGET_QUERY, TARGET_RSS = 1_000_000, 5.0, 10.0, 2 << 30


def parse_scale(text: str) -> int:
    """``10k`` → 10_000, ``1M`` → 1_000_000, ``250000`` → 250_000."""
    t = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(float(t.rstrip("km")) * factor)


def human(n: float, unit: str = "") -> str:
    for limit, suffix in ((1 << 30, "GiB"), (1 << 20, "MiB")) if unit == "B" else ((1e6, "M"), (1e3, "k")):
        if n >= limit:
            return f"{n / limit:.1f} {suffix}" if unit == "B" else f"{n / limit:g}{suffix}"
    return f"{n:.0f} B" if unit == "B" else f"{n:g}"


def run_pipeline(pipeline: str, nquads: Path, workdir: Path, entities: dict, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, "-m", "bench.foundation", "--pipeline", pipeline, "--nquads", str(nquads),
           "--workdir", str(workdir), "--entities", json.dumps(entities), "--min-runs", str(args.min_runs),
           "--max-runs", str(args.max_runs), "--budget", str(args.budget)]
    print(f"  · {pipeline} …", file=sys.stderr, flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        raise SystemExit(f"{pipeline} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def report(scale: dict) -> list[str]:
    """A readable table of one scale, and the ratios."""
    ox, rd = scale["pipelines"].get("oxigraph"), scale["pipelines"].get("rdflib")
    g = scale["generated"]
    lines = [f"\n== {human(scale['scale'])} triples: {g['triples']:,} triples in {g['graphs']:,} named graphs, "
             f"{g['cities']} cities, {g['concepts']:,} concepts, {g['vorlagen']:,} Vorlagen "
             f"(generated in {scale['generate_s']:.1f} s, {human(scale['nquads_bytes'], 'B')} N-Quads)"]
    head = f"{'':26}{'oxigraph (disk)':>22}{'rdflib (memory)':>22}{'ratio':>9}"
    lines += [head, "-" * len(head)]
    lines.append(f"{'build':26}{ox['build_s']:>20.2f} s" + (
        f"{rd['build_s']:>20.2f} s{rd['build_s'] / ox['build_s']:>8.1f}×" if rd else f"{'skipped':>22}"))
    lines.append(f"{'peak RSS':26}{human(ox['peak_rss_bytes'], 'B'):>22}" + (
        f"{human(rd['peak_rss_bytes'], 'B'):>22}{rd['peak_rss_bytes'] / ox['peak_rss_bytes']:>8.1f}×" if rd else ""))
    lines.append(f"{'query p50 / p95 (ms)':26}{'':>22}{'':>22}{'':>9}   rows")
    for name in QUERIES:
        o = ox["queries"][name]
        cell = f"{o['p50'] * 1e3:.2f} / {o['p95'] * 1e3:.2f}"
        if rd:
            r = rd["queries"][name]
            rows = f"{o['rows']}" + ("" if o["rows"] == r["rows"] else f" ≠ {r['rows']} MISMATCH")
            lines.append(f"  {name:24}{cell:>22}{r['p50'] * 1e3:>12.2f} / {r['p95'] * 1e3:<7.2f}"
                         f"{r['p50'] / o['p50']:>8.1f}×   {rows}")
        else:
            lines.append(f"  {name:24}{cell:>22}{'':>31}   {o['rows']}")
    if rd:
        lines.append(f"{'build speedup':26}{scale['build_speedup']:>8.1f}×    "
                     f"median of per-query p50 ratios {scale['query_ratio_median']:.1f}×")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scales", default="10k,100k,1M", help="comma-separated triple counts (default 10k,100k,1M)")
    p.add_argument("--rdflib-max", default="1M", help="run the rdflib pipeline only up to this scale (default 1M)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--min-runs", type=int, default=3, help="timed runs per query at least")
    p.add_argument("--max-runs", type=int, default=30, help="timed runs per query at most")
    p.add_argument("--budget", type=float, default=10.0, help="seconds per query before stopping at min-runs")
    p.add_argument("--workdir", type=Path, help="where data and stores go (default: a temporary directory)")
    p.add_argument("--save", action="store_true", help=f"write the results as JSON to {RESULTS}/")
    args = p.parse_args(argv)

    scales = [parse_scale(s) for s in args.scales.split(",") if s.strip()]
    rdflib_max = parse_scale(args.rdflib_max)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="stadtgraph-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    entities = city_entities(0, args.seed)
    results: list[dict] = []
    ok = True
    try:
        for n in scales:
            print(f"{human(n)} triples: generating …", file=sys.stderr, flush=True)
            nquads = workdir / f"synthetic-{n}.nq"
            t = time.perf_counter()
            generated = generate_nquads(nquads, n, args.seed)
            generated.pop("defective_graphs")
            scale = {"scale": n, "generated": generated, "generate_s": time.perf_counter() - t,
                     "nquads_bytes": nquads.stat().st_size, "pipelines": {}}
            scale["pipelines"]["oxigraph"] = run_pipeline("oxigraph", nquads, workdir, entities, args)
            shutil.rmtree(workdir / "oxigraph", ignore_errors=True)
            if n <= rdflib_max:
                rd = scale["pipelines"]["rdflib"] = run_pipeline("rdflib", nquads, workdir, entities, args)
                ox = scale["pipelines"]["oxigraph"]
                scale["build_speedup"] = rd["build_s"] / ox["build_s"]
                scale["query_ratio_median"] = statistics.median(
                    rd["queries"][q]["p50"] / ox["queries"][q]["p50"] for q in QUERIES)
                scale["rows_agree"] = all(rd["queries"][q]["rows"] == ox["queries"][q]["rows"] for q in QUERIES)
                ok &= scale["rows_agree"]
            nquads.unlink()
            results.append(scale)
            print("\n".join(report(scale)), flush=True)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)

    for scale in results:
        if scale["scale"] == TARGET_SCALE and "build_speedup" in scale:
            checks = [("build ≥5× faster", scale["build_speedup"] >= TARGET_BUILD),
                      ("query mix ≥10× faster (median)", scale["query_ratio_median"] >= TARGET_QUERY),
                      ("peak RSS < 2 GiB", scale["pipelines"]["oxigraph"]["peak_rss_bytes"] < TARGET_RSS),
                      ("same rows", scale["rows_agree"])]
            print("\nTargets at 1M: " + ", ".join(f"{name}: {'ja' if good else 'NEIN'}" for name, good in checks))
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        out = RESULTS / f"foundation-{stamp}.json"
        meta = {"command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
                "cpus": os.cpu_count(), "python": sys.version.split()[0]}
        out.write_text(json.dumps({"meta": meta, "scales": results}, indent=1), "utf-8")
        print(f"\nErgebnisse / results: {out}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
