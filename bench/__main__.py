"""``python -m bench``: the foundation benchmark. Per scale, build time, peak memory and p50/p95 query
latency of the embedded store (pyoxigraph on disk, and in memory) against rdflib's in-memory graph.

Each pipeline runs in its own child process (:mod:`bench.foundation`) so its peak RSS is its own. Row
counts must agree between the pipelines for every query; a mismatch makes the run fail (exit 1).
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
from datetime import UTC, datetime
from pathlib import Path

from bench.foundation import PIPELINES, QUERIES
from bench.synthetic import city_entities, generate_nquads

RESULTS = Path(__file__).parent / "results"
# The targets, checked at 1M triples.
TARGET_SCALE, TARGET_BUILD, TARGET_QUERY, TARGET_RSS = 1_000_000, 5.0, 10.0, 2 << 30


from bench.scales import parse_scale  # noqa: E402,F401 - re-exported for bench.remote


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
    done = subprocess.run(cmd, capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        raise SystemExit(f"{pipeline} failed:\n{done.stderr}")
    return json.loads(done.stdout)


EMBEDDED = ("oxigraph", "oxigraph-served", "oxigraph-memory")


def ratios(scale: dict) -> None:
    """Build speedup and median per-query p50 ratio of each embedded pipeline against rdflib."""
    rd = scale["pipelines"].get("rdflib")
    if not rd:
        return
    for name in EMBEDDED:
        ox = scale["pipelines"].get(name)
        if ox:
            scale.setdefault("ratios", {})[name] = {
                "build_speedup": rd["build_s"] / ox["build_s"],
                "query_ratio_median": statistics.median(rd["queries"][q]["p50"] / ox["queries"][q]["p50"]
                                                        for q in QUERIES),
                "build_speedup_cpu": rd["build_cpu_s"] / ox["build_cpu_s"],
                "query_ratio_median_cpu": statistics.median(
                    rd["queries"][q]["p50_cpu"] / max(ox["queries"][q]["p50_cpu"], 1e-6) for q in QUERIES),
                "rows_agree": all(rd["queries"][q]["rows"] == ox["queries"][q]["rows"] for q in QUERIES)}


def peak(run: dict) -> int:
    """Peak memory of a pipeline: its own process, or the child that read the disk for its replica."""
    return max(run["peak_rss_bytes"], run.get("replica_child_peak_rss_bytes", 0))


def report(scale: dict) -> list[str]:
    """A readable table of one scale: a column per pipeline, then the ratios against rdflib."""
    runs = scale["pipelines"]
    names = [n for n in PIPELINES if n in runs]
    rd = runs.get("rdflib")
    g = scale["generated"]
    lines = [(f"\n== {human(scale['scale'])} triples: {g['triples']:,} triples in {g['graphs']:,} named graphs, "
              f"{g['cities']} cities, {g['concepts']:,} concepts, {g['vorlagen']:,} Vorlagen "
              f"(generated in {scale['generate_s']:.1f} s, {human(scale['nquads_bytes'], 'B')} N-Quads; "
              f"load average {scale['loadavg'][0]:.1f} before, {scale['loadavg'][1]:.1f} after)")]
    head = f"{'':24}" + "".join(f"{PIPELINES[n][0]:>22}" for n in names) + "   rows"
    lines += [head, "-" * len(head)]
    lines.append(f"{'build (s)':24}" + "".join(f"{runs[n]['build_s']:>22.2f}" for n in names))
    lines.append(f"{'build CPU (s)':24}" + "".join(f"{runs[n]['build_cpu_s']:>22.2f}" for n in names))
    lines.append(f"{'peak RSS':24}" + "".join(f"{human(peak(runs[n]), 'B'):>22}" for n in names))
    lines.append(f"{'replica load (s)':24}" + "".join(
        f"{runs[n]['replica_load_s']:>22.2f}" if "replica_load_s" in runs[n] else f"{'–':>22}" for n in names))
    lines.append("query p50 / p95 (ms)")
    for q in QUERIES:
        cells = "".join(f"{runs[n]['queries'][q]['p50'] * 1e3:>13.2f} / {runs[n]['queries'][q]['p95'] * 1e3:<6.1f}"
                        for n in names)
        counts = {runs[n]["queries"][q]["rows"] for n in names}
        rows = str(counts.pop()) if len(counts) == 1 else "MISMATCH " + "/".join(
            str(runs[n]["queries"][q]["rows"]) for n in names)
        lines.append(f"  {q:22}{cells}   {rows}")
    for name, r in scale.get("ratios", {}).items():
        per_query = ", ".join(f"{q} {rd['queries'][q]['p50'] / runs[name]['queries'][q]['p50']:.1f}×" for q in QUERIES)
        lines.append(f"{PIPELINES[name][0]} against rdflib: build {r['build_speedup']:.1f}× faster, query mix "
                     f"{r['query_ratio_median']:.1f}× (median of per-query p50 ratios: {per_query}); "
                     f"in CPU time: build {r['build_speedup_cpu']:.1f}×, query mix {r['query_ratio_median_cpu']:.1f}×")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scales", default="10k,100k,1M", help="comma-separated triple counts (default 10k,100k,1M)")
    p.add_argument("--rdflib-max", default="1M", help="run the rdflib pipeline only up to this scale (default 1M)")
    p.add_argument("--pipelines", default=",".join(PIPELINES),
                   help=f"comma-separated pipelines to run (default: all of {', '.join(PIPELINES)})")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--min-runs", type=int, default=3, help="timed runs per query at least")
    p.add_argument("--max-runs", type=int, default=30, help="timed runs per query at most")
    p.add_argument("--budget", type=float, default=10.0, help="seconds per query before stopping at min-runs")
    p.add_argument("--workdir", type=Path, help="where data and stores go (default: a temporary directory)")
    p.add_argument("--save", action="store_true", help=f"write the results as JSON to {RESULTS}/")
    args = p.parse_args(argv)

    scales = [parse_scale(s) for s in args.scales.split(",") if s.strip()]
    rdflib_max = parse_scale(args.rdflib_max)
    args.pipelines = [n.strip() for n in args.pipelines.split(",") if n.strip()]
    unknown = set(args.pipelines) - set(PIPELINES)
    if unknown:
        p.error(f"unknown pipeline(s): {', '.join(sorted(unknown))}")
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
                     "nquads_bytes": nquads.stat().st_size, "pipelines": {}, "loadavg": [os.getloadavg()[0]]}
            for name in PIPELINES:
                if name in args.pipelines and (name != "rdflib" or n <= rdflib_max):
                    scale["pipelines"][name] = run_pipeline(name, nquads, workdir, entities, args)
                    shutil.rmtree(workdir / "oxigraph", ignore_errors=True)
            scale["loadavg"].append(os.getloadavg()[0])  # other work on the machine skews the figures
            ratios(scale)
            ok &= all(r["rows_agree"] for r in scale.get("ratios", {}).values())
            nquads.unlink()
            results.append(scale)
            print("\n".join(report(scale)), flush=True)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)

    for scale in results:
        for name, r in scale.get("ratios", {}).items() if scale["scale"] == TARGET_SCALE else ():
            checks = [("build ≥5× faster", r["build_speedup"] >= TARGET_BUILD),
                      ("query mix ≥10× faster (median)", r["query_ratio_median"] >= TARGET_QUERY),
                      ("peak RSS < 2 GiB", peak(scale["pipelines"][name]) < TARGET_RSS),
                      ("same rows", r["rows_agree"])]
            print(f"Ziele bei 1M / targets at 1M, {PIPELINES[name][0]}: "
                  + ", ".join(f"{label}: {'ja' if good else 'NEIN'}" for label, good in checks))
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out = RESULTS / f"foundation-{stamp}.json"
        meta = {"command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
                "cpus": os.cpu_count(), "python": sys.version.split()[0]}
        out.write_text(json.dumps({"meta": meta, "scales": results}, indent=1), "utf-8")
        print(f"\nErgebnisse / results: {out}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
