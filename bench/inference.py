"""``python -m bench.inference``: speed and memory of the synergy inference against owlrl's full closure.

Per scale, each measurement runs in its own child process, so its peak RSS is its own:
  infer    — the fast path: read the asserted data from the store, run the rules, produce the inferred
             graph as text (entailments and explanations); comparable to owlrl's in-memory closure.
  refresh  — the same plus writing it into an on-disk store (``inference.refresh``, as the build does),
             then one concept record changed under ``inference.updating`` (as the HTTP write path does).
  owlrl    — owlrl's full OWL 2 RL closure of ontology + data, filtered the same way (the reference).
Where owlrl runs, its kept triples are compared with the fast path's: they must be equal.

    python -m bench.inference                          # 10k, 100k, 1M; owlrl at 10k; refresh up to 100k
    python -m bench.inference --owlrl-max 100k         # owlrl at 100k too (very slow on these graphs)
    python -m bench.inference --scales 10k --save      # JSON to bench/results/
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
# The targets.
TARGET_SPEEDUP, TARGET_1M_SECONDS, TARGET_1M_RSS = 30.0, 60.0, 4 << 30


from bench.scales import label, parse_scale  # noqa: E402 - shared by every bench
from bench.scales import peak_rss as _rss  # noqa: E402


# ---- the measurements (child processes) -------------------------------------------------------------
def _store(nquads: Path, disk: Path | None = None):
    """The synthetic data with the ontology, as a build leaves them: in memory, or on disk at ``disk``."""
    import pyoxigraph as ox

    from graph.iris import Iris
    from graph.ontology import ontology_graph
    from graph.settings import Settings
    from graph.store import OxigraphStore

    settings = Settings.from_mapping({"store": "oxigraph" if disk else "memory", "store_path": str(disk or "")})
    store = OxigraphStore(settings, disk)
    store.bulk_load(nquads, ox.RdfFormat.N_QUADS)
    store.replace_graphs({str(Iris(settings.base_iri).ontology_graph): ontology_graph(settings)})
    return settings, store


def measure_infer(nquads: Path, lines_out: Path | None) -> dict:
    from graph.inference import refresh as inference

    t = time.perf_counter()
    settings, store = _store(nquads)
    out = {"load_s": time.perf_counter() - t}
    t = time.perf_counter()
    inferred = inference.compute(store, settings)
    out["input_s"], out["rules_s"] = inferred.seconds["input"], inferred.seconds["rules"]
    # The text a refresh bulk-loads (Turtle), made and dropped: what it costs besides the store's work.
    t_text = time.perf_counter()
    size = sum(len(chunk) for chunk in inferred.derived_chunks(turtle=True))
    derived = inferred.triples
    size += sum(len(chunk) for chunk in inferred.explainer.chunks(turtle=True))
    explanations = inferred.explainer.triples
    out["text_s"] = time.perf_counter() - t_text
    out["text_bytes"] = size
    out["infer_s"] = time.perf_counter() - t
    out.update(derived=derived, explanation_triples=explanations, passes=inferred.passes, peak_rss=_rss())
    if lines_out:
        with open(lines_out, "w", encoding="utf-8") as fh:
            fh.writelines(inferred.derived_lines())
    return out


def measure_refresh(nquads: Path, disk: Path) -> dict:
    import rdflib

    from graph.inference import refresh as inference
    from graph.namespaces import OB

    settings, store = _store(nquads, disk)
    t = time.perf_counter()
    triples = inference.refresh(store, settings)
    out = {"refresh_s": time.perf_counter() - t, "inferred_triples": triples}
    # One source record changes (the first concept loses a Themenfeld), as the HTTP write path does it.
    row = next(iter(store.query(f"SELECT ?g ?k ?t WHERE {{ GRAPH ?g {{ ?k <{OB.themenfeld}> ?t }} }} LIMIT 1")))
    graph = row["g"].value
    record = store.graph(graph)
    record.remove((rdflib.URIRef(row["k"].value), OB.themenfeld, rdflib.URIRef(row["t"].value)))
    t = time.perf_counter()
    with inference.updating(store, settings) as counts:
        store.replace_graphs({graph: record})
    out["update_s"] = time.perf_counter() - t
    out.update(update_added=counts["added"], update_removed=counts["removed"], peak_rss=_rss())
    store.close()
    return out


def measure_owlrl(nquads: Path, lines_out: Path | None) -> dict:
    import rdflib

    from graph.inference import refresh as inference
    from graph.ontology import ontology_graph
    from graph.settings import Settings

    t = time.perf_counter()
    dataset = rdflib.Dataset()
    dataset.parse(nquads, format="nquads")
    asserted = rdflib.Graph()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        asserted.add((s, p, o))
    out = {"parse_s": time.perf_counter() - t}
    t = time.perf_counter()
    kept = inference.reference_closure(asserted, ontology_graph(Settings.from_mapping({"store": "memory"})))
    out.update(closure_s=time.perf_counter() - t, derived=len(kept), peak_rss=_rss())
    if lines_out:
        with open(lines_out, "w", encoding="utf-8") as fh:
            fh.writelines(sorted(kept))
    return out


def child(args: argparse.Namespace) -> int:
    nquads, lines = Path(args.nquads), Path(args.lines) if args.lines else None
    result = {"infer": lambda: measure_infer(nquads, lines),
              "refresh": lambda: measure_refresh(nquads, Path(args.lines)),
              "owlrl": lambda: measure_owlrl(nquads, lines)}[args.child]()
    print(json.dumps(result))
    return 0


# ---- the run ----------------------------------------------------------------------------------------
def run_child(kind: str, nquads: Path, lines: Path | None = None) -> dict:
    cmd = [sys.executable, "-m", "bench.inference", "--child", kind, "--nquads", str(nquads)]
    if lines:
        cmd += ["--lines", str(lines)]
    print(f"  · {kind} …", file=sys.stderr, flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_scale(n: int, workdir: Path, args: argparse.Namespace) -> dict:
    from bench.synthetic import generate_nquads

    nquads = workdir / f"synthetic-{n}.nq"
    generated = generate_nquads(nquads, n, seed=1)
    with_owlrl = n <= args.owlrl_max
    out: dict = {"scale": n, "generated": {k: generated[k] for k in ("triples", "graphs", "concepts", "cities")}}
    fast_lines, owl_lines = workdir / f"fast-{n}.nt", workdir / f"owlrl-{n}.nt"
    out["infer"] = run_child("infer", nquads, fast_lines if with_owlrl else None)
    if n <= args.refresh_max:
        out["refresh"] = run_child("refresh", nquads, workdir / f"store-{n}")  # an on-disk store there
    if with_owlrl:
        out["owlrl"] = run_child("owlrl", nquads, owl_lines)
        fast = set(fast_lines.read_text("utf-8").splitlines())
        reference = set(owl_lines.read_text("utf-8").splitlines())
        synergy = ("#teiltLeitzielMit>", "#teiltThemenfeldMit>", "#teiltRaumMit>", "#synergieMit>",
                   "#verwandtDurchSynergie>")
        out["agree"] = fast == reference
        out["agree_synergy"] = ({x for x in fast if x.split(" ", 2)[1].endswith(synergy)}
                                == {x for x in reference if x.split(" ", 2)[1].endswith(synergy)})
        out["speedup_infer"] = out["owlrl"]["closure_s"] / out["infer"]["infer_s"]
        if "refresh" in out:
            out["speedup_refresh"] = out["owlrl"]["closure_s"] / out["refresh"]["refresh_s"]
    return out


def report(r: dict) -> list[str]:
    g, inf = r["generated"], r["infer"]
    mib = 1 << 20
    lines = [f"\n== {label(r['scale'])}: {g['triples']:,} triples, {g['concepts']:,} concepts in {g['cities']} cities",
             (f"  fast path (infer): {inf['infer_s']:.2f} s = input {inf['input_s']:.2f} + rules {inf['rules_s']:.2f} "
              f"+ text {inf['text_s']:.2f}; {inf['derived']:,} entailments + {inf['explanation_triples']:,} "
              f"explanation triples; peak RSS {inf['peak_rss'] / mib:.0f} MiB (incl. the loaded store)")]
    if "refresh" in r:
        ref = r["refresh"]
        lines.append(f"  refresh (infer + write into an on-disk store): {ref['refresh_s']:.2f} s, "
                     f"{ref['inferred_triples']:,} triples; after one record changed: {ref['update_s']:.2f} s "
                     f"(+{ref['update_added']:,} / -{ref['update_removed']:,}); peak RSS {ref['peak_rss'] / mib:.0f} MiB")
    if "owlrl" in r:
        o = r["owlrl"]
        lines.append(f"  owlrl full closure: {o['closure_s']:.1f} s (+ rdflib parse {o['parse_s']:.1f} s), "
                     f"{o['derived']:,} kept triples; peak RSS {o['peak_rss'] / mib:.0f} MiB")
        lines.append(f"  speedup: infer {r['speedup_infer']:.0f}×"
                     + (f", refresh {r['speedup_refresh']:.0f}×" if "speedup_refresh" in r else "")
                     + f"; same triples as owlrl: {'ja / yes' if r['agree'] else 'NEIN / NO'}"
                     + f" (synergies: {'ja / yes' if r['agree_synergy'] else 'NEIN / NO'})")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.inference", description=__doc__.split("\n")[0])
    p.add_argument("--scales", default="10k,100k,1M")
    p.add_argument("--owlrl-max", default="10k", help="largest scale at which owlrl runs (100k: hours)")
    p.add_argument("--refresh-max", default="100k", help="largest scale written into a store")
    p.add_argument("--workdir", help="where the generated N-Quads go (default: a temporary directory)")
    p.add_argument("--save", action="store_true", help="also write JSON to bench/results/")
    p.add_argument("--child", choices=["infer", "refresh", "owlrl"], help=argparse.SUPPRESS)
    p.add_argument("--nquads", help=argparse.SUPPRESS)
    p.add_argument("--lines", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child(args)
    args.owlrl_max, args.refresh_max = parse_scale(args.owlrl_max), parse_scale(args.refresh_max)
    print(f"python -m bench.inference {' '.join(argv if argv is not None else sys.argv[1:])} "
          f"({os.cpu_count()} CPUs, Python {sys.version.split()[0]})")
    results, ok = [], True
    with tempfile.TemporaryDirectory(prefix="stadtgraph-inference-") as tmp:
        workdir = Path(args.workdir or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for scale in [parse_scale(s) for s in args.scales.split(",")]:
            print(f"{label(scale)} …", file=sys.stderr, flush=True)
            r = measure_scale(scale, workdir, args)
            results.append(r)
            print("\n".join(report(r)), flush=True)
            ok &= r.get("agree", True)
            if "speedup_infer" in r and scale in (10_000, 100_000):
                good = r["speedup_infer"] >= TARGET_SPEEDUP
                ok &= good
                print(f"  Ziel / target ≥{TARGET_SPEEDUP:.0f}× owlrl: {'ja / yes' if good else 'NEIN / NO'}")
            if scale == 1_000_000:
                inf = r["infer"]
                good = inf["infer_s"] <= TARGET_1M_SECONDS and inf["peak_rss"] <= TARGET_1M_RSS
                print(f"  Ziel / target 1M within {TARGET_1M_SECONDS:.0f} s and 4 GiB: {'ja / yes' if good else 'NEIN / NO'}")
                ok &= good
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"inference-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
        out.write_text(json.dumps({"command": "python -m bench.inference " + " ".join(argv or sys.argv[1:]),
                                   "cpus": os.cpu_count(), "scales": results}, indent=1), "utf-8")
        print(f"\nErgebnisse / results: {out}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
