"""``python -m bench.validation``: speed and memory of SHACL validation against a plain pySHACL run.

Per scale, each measurement runs in its own child process, so its peak RSS is its own:
  graph    — whole-graph validation as the data-quality page runs it (``quality.validate_store``): read the
             asserted graphs out of the store, Rust core constraints + pyoxigraph SPARQL constraints,
             attribute and label the findings. Synthetic data with 1 % defective concepts.
  pyshacl  — plain pySHACL over the same triples and shapes (the reference); its findings are compared
             with the fast path's and must be equal.
  gate     — the per-record gate of a write (``Gate.check([record], context=store)``) on sampled concept
             records of a store of that size (p50, p95), and the build's batch gate per record.

    python -m bench.validation                            # graph at 100k and 1M, pySHACL at 100k, gate at 100k
    python -m bench.validation --scales 10k --pyshacl 10k # quick
    python -m bench.validation --save                     # JSON to bench/results/
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
TARGET_SPEEDUP, TARGET_1M_SECONDS, TARGET_GATE_MS = 10.0, 60.0, 50.0


from bench.scales import label, parse_scale  # noqa: E402 - shared by every bench
from bench.scales import peak_rss as _rss  # noqa: E402


def _cpu() -> float:
    """CPU seconds of this process: on a shared machine less disturbed than wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _settings():
    from graph.settings import Settings

    return Settings.from_mapping({"store": "memory"})


def _store(nquads: Path):
    """The synthetic data and the ontology, as a build leaves them in an embedded store."""
    import pyoxigraph as ox

    from graph.ontology import ontology_graph
    from graph.store import OxigraphStore

    settings = _settings()
    store = OxigraphStore(settings)
    store.bulk_load(nquads, ox.RdfFormat.N_QUADS)
    store.replace_graphs({str(store.iris.ontology_graph): ontology_graph(settings)})
    return store


def _keys(findings) -> list[list[str]]:
    return sorted([[x.n3() if x is not None else "" for x in f.key()] for f in findings])


# ---- child processes --------------------------------------------------------------------------------
def child_graph(nquads: Path, keys_out: Path | None) -> dict:
    from graph.gate import engine as shacl_engine
    from graph.gate import quality
    from graph.gate.validation import Validator

    store = _store(nquads)
    validator = Validator(_settings())
    validator.shapes.compiled  # noqa: B018 - compile outside the timing, as a running service has
    before = _rss()
    t0, c0 = time.perf_counter(), _cpu()
    data = quality.asserted_dataset(store, validator.iris)
    t1 = time.perf_counter()
    findings = shacl_engine.validate(validator.shapes, data)
    t2, c2 = time.perf_counter(), _cpu()
    del data
    result = quality.validate_store(validator.settings, store, validator=validator, use_cache=False)
    t3 = time.perf_counter()
    if keys_out:
        keys_out.write_text(json.dumps(_keys(findings)), encoding="utf-8")
    return {"triples": store.count(), "read_s": t1 - t0, "engine_s": t2 - t1, "cpu_s": c2 - c0,
            "page_s": t3 - t2, "findings": len(result.report.findings),
            "violations": len(result.report.violations), "rss_before": before, "rss_peak": _rss()}


def child_pyshacl(nquads: Path, keys_out: Path | None) -> dict:
    import pyoxigraph as ox
    import pyshacl
    import rdflib

    from graph.gate.engine import Finding
    from graph.gate.shapes import load_shapes
    from graph.namespaces import SH
    from graph.ontology import ontology_graph
    from graph.store import to_rdflib

    settings = _settings()
    data = rdflib.Graph()
    for q in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        data.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    for t in ontology_graph(settings):
        data.add(t)
    shapes = load_shapes(settings.shapes_dir).graph
    t0, c0 = time.perf_counter(), _cpu()
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, advanced=True)
    seconds, cpu = time.perf_counter() - t0, _cpu() - c0
    findings = [Finding(report.value(r, SH.focusNode), report.value(r, SH.resultPath), report.value(r, SH.value),
                        report.value(r, SH.resultSeverity), report.value(r, SH.sourceShape),
                        report.value(r, SH.sourceConstraintComponent)) for r in report.objects(None, SH.result)]
    if keys_out:
        keys_out.write_text(json.dumps(_keys(findings)), encoding="utf-8")
    return {"triples": len(data), "seconds": seconds, "cpu_s": cpu, "findings": len(findings), "rss_peak": _rss()}


def child_gate(nquads: Path, target: int, samples: int) -> dict:
    import rdflib

    from bench.synthetic import generate_records
    from graph.gate.validation import Gate
    from graph.records import Record, SourceRef

    def record(graph, triples) -> Record:
        g = rdflib.Graph()
        for t in triples:
            g.add(t)
        entity = rdflib.URIRef(str(graph).replace("/graph/", "/", 1))
        return Record(entity, graph, g, SourceRef("synthetic"))

    store = _store(nquads)
    gate = Gate(_settings())
    gate.validator.shapes.compiled  # noqa: B018
    records = [record(g, t) for g, t in generate_records(target, seed=1, defect_rate=0.01)]
    concepts = [r for r in records if "/konzept/" in str(r.iri)]
    rng = random.Random(7)
    times = []
    for rec in rng.sample(concepts, min(samples, len(concepts))):
        t0 = time.perf_counter()
        gate.check([rec], context=store)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    t0 = time.perf_counter()
    verdict = gate.check(records)
    batch = time.perf_counter() - t0
    return {"records": len(records), "samples": len(times), "p50_ms": statistics.median(times),
            "p95_ms": times[int(0.95 * (len(times) - 1))], "batch_s": batch,
            "batch_ms_per_record": batch * 1000 / len(records), "refused": len(verdict.refused),
            "rss_peak": _rss()}


def _child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.validation", "--child", *args], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- the parent ---------------------------------------------------------------------------------------
def run(scales: list[int], pyshacl_at: list[int], gate_at: list[int], samples: int) -> dict:
    from bench.synthetic import generate_nquads

    results: dict = {"graph": {}, "pyshacl": {}, "gate": {}, "same_findings": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sorted(set(scales) | set(pyshacl_at) | set(gate_at)):
            nq = Path(tmp) / f"synthetic-{n}.nq"
            generate_nquads(nq, n, seed=1, defect_rate=0.01)
            fast_keys, ref_keys = Path(tmp) / f"fast-{n}.json", Path(tmp) / f"ref-{n}.json"
            if n in scales or n in pyshacl_at:
                results["graph"][label(n)] = r = _child(["graph", str(nq), str(fast_keys)])
                print(f"{label(n):>5}  whole graph: {r['read_s'] + r['engine_s']:6.2f} s, {r['cpu_s']:.2f} s CPU "
                      f"(read {r['read_s']:.2f} s, engine {r['engine_s']:.2f} s; page with labels "
                      f"{r['page_s']:.2f} s), {r['findings']} findings, peak RSS {r['rss_peak'] / 2**20:.0f} MiB "
                      f"(store alone {r['rss_before'] / 2**20:.0f} MiB)", flush=True)
            if n in pyshacl_at:
                results["pyshacl"][label(n)] = p = _child(["pyshacl", str(nq), str(ref_keys)])
                same = json.loads(fast_keys.read_text()) == json.loads(ref_keys.read_text())
                results["same_findings"][label(n)] = same
                fast = results["graph"][label(n)]
                speedup = p["seconds"] / (fast["read_s"] + fast["engine_s"])
                cpu_speedup = p["cpu_s"] / fast["cpu_s"]
                results["pyshacl"][label(n)].update(speedup=speedup, cpu_speedup=cpu_speedup)
                print(f"{label(n):>5}  pySHACL:     {p['seconds']:6.1f} s ({p['cpu_s']:.1f} s CPU), {p['findings']} "
                      f"findings; fast path {speedup:.0f}x faster ({cpu_speedup:.0f}x in CPU time); same findings: "
                      f"{same}", flush=True)
            if n in gate_at:
                results["gate"][label(n)] = g = _child(["gate", str(nq), str(n), str(samples)])
                print(f"{label(n):>5}  gate per record (write with store context): p50 {g['p50_ms']:.1f} ms, "
                      f"p95 {g['p95_ms']:.1f} ms over {g['samples']} concepts; build batch "
                      f"{g['batch_ms_per_record']:.2f} ms per record ({g['records']} records, {g['refused']} "
                      f"refused)", flush=True)
    million = results["graph"].get("1M")
    if million:
        print(f"targets: 1M within {TARGET_1M_SECONDS:.0f} s: {million['read_s'] + million['engine_s']:.1f} s")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.validation", description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="100k,1M", help="whole-graph validation at these sizes")
    parser.add_argument("--pyshacl", default="100k", help="pySHACL reference at these sizes ('' for none)")
    parser.add_argument("--gate", default="100k", help="per-record gate on a store of these sizes")
    parser.add_argument("--samples", type=int, default=200, help="records sampled for the gate")
    parser.add_argument("--save", action="store_true", help="write the figures to bench/results/")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "graph":
            out = child_graph(Path(rest[0]), Path(rest[1]) if len(rest) > 1 else None)
        elif kind == "pyshacl":
            out = child_pyshacl(Path(rest[0]), Path(rest[1]) if len(rest) > 1 else None)
        else:
            out = child_gate(Path(rest[0]), int(rest[1]), int(rest[2]))
        print(json.dumps(out))
        return 0
    def split(text: str) -> list:
        return [parse_scale(s) for s in text.split(",") if s.strip()]

    results = run(split(args.scales), split(args.pyshacl), split(args.gate), args.samples)
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        (RESULTS / f"validation-{stamp}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
