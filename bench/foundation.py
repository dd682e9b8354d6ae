"""The foundation benchmark's pipelines and its query mix: the embedded store (:class:`graph.store.OxigraphStore`
on disk; on disk and served from its in-memory replica, as ``stadtgraph serve`` answers; in memory) against
rdflib's in-memory ``Dataset``, each measured in its own process.

``python -m bench.foundation --pipeline NAME --nquads FILE --workdir DIR --entities JSON`` loads FILE, runs
the mix and prints one JSON object (build seconds, peak RSS, per-query latencies and row counts) on stdout.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from graph.namespaces import sparql_prologue

# Typical questions of the graph's users, parameterised with entities of city 0 (present at every scale).
QUERIES: dict[str, str] = {
    # the concepts of one Themenfeld, with their year
    "konzepte_je_themenfeld": """
        SELECT ?k ?title ?year WHERE {
          ?k ob:themenfeld <{themenfeld}> ; dcterms:title ?title .
          OPTIONAL { ?k ob:veroeffentlichungsjahr ?year }
        } ORDER BY ?title""",
    # the concepts a unit is responsible for, including its sub-units
    "konzepte_einer_einheit": """
        SELECT ?k ?title ?unit WHERE {
          ?unit org:unitOf* <{einheit}> .
          ?k ob:zustaendigeEinheit ?unit ; dcterms:title ?title .
        } ORDER BY ?title""",
    # concepts touching a Sozialraum: scoped to it, to a place containing it, or to a place within it
    # (the joins sit inside the UNION branches: Oxigraph plans those well, a join after the UNION badly)
    "konzepte_an_ort": """
        SELECT DISTINCT ?k ?title WHERE {
          { <{sozialraum}> ob:liegtIn* ?place . ?k ob:geltungsbereich ?place ; dcterms:title ?title }
          UNION
          { ?place ob:liegtIn+ <{sozialraum}> . ?k ob:geltungsbereich ?place ; dcterms:title ?title }
        }""",
    # recent council papers in time order, with the concepts they adopted
    "vorlagen_zeitlich": """
        SELECT ?v ?nr ?date ?k ?title WHERE {
          ?v a ob:Vorlage ; ob:drucksache ?nr ; dcterms:date ?date .
          FILTER (?date >= "2024-01-01"^^xsd:date)
          ?k ob:beschlossenDurch ?v ; dcterms:title ?title .
        } ORDER BY DESC(?date) ?nr""",
    # a text search over concept titles
    "titelsuche": """
        SELECT ?k ?title WHERE {
          ?k a ob:Konzept ; dcterms:title ?title .
          FILTER (CONTAINS(LCASE(STR(?title)), "klima"))
        }""",
    # two hops: concept -> Leitziel -> Themenfeld, across all cities, for one Themenfeld name
    "leitziel_themenfeld": """
        SELECT ?k ?lz ?tf WHERE {
          ?tf skos:prefLabel "Mobilität"@de .
          ?lz ob:gehoertZuThemenfeld ?tf .
          ?k ob:leitziel ?lz .
        }""",
    # an aggregate: concepts per Themenfeld name over all cities
    "aggregat_themenfelder": """
        SELECT ?label (COUNT(DISTINCT ?k) AS ?n) WHERE {
          ?k ob:themenfeld ?tf . ?tf skos:prefLabel ?label .
        } GROUP BY ?label ORDER BY DESC(?n)""",
    # one record, as a linked-data page would show it
    "konzept_seite": """
        SELECT ?p ?o WHERE { <{konzept}> ?p ?o }""",
}


def query_texts(entities: dict[str, str]) -> dict[str, str]:
    """The mix with its parameters filled in (trusted IRIs of the generator, not user input)."""
    prologue = sparql_prologue()
    out = {}
    for name, body in QUERIES.items():
        for key, iri in entities.items():
            body = body.replace("{" + key + "}", iri)
        out[name] = prologue + body
    return out


# ---- the pipelines ------------------------------------------------------------------------------------
def _disk_build(nquads: Path, path: Path):
    """``stadtgraph import`` of the file into a fresh on-disk store: (seconds, the store)."""
    import pyoxigraph as ox

    from graph.settings import Settings
    from graph.store import OxigraphStore

    shutil.rmtree(path, ignore_errors=True)
    settings = Settings.from_mapping({"store": "oxigraph", "store_path": str(path)})
    t = time.perf_counter()
    store = OxigraphStore(settings, path)
    store.bulk_load(nquads, ox.RdfFormat.N_QUADS)
    store.close()
    return time.perf_counter() - t, store


def _oxigraph(nquads: Path, workdir: Path) -> tuple[float, Callable[[str], int], dict]:
    build, store = _disk_build(nquads, workdir / "oxigraph")
    return build, lambda q: sum(1 for _ in store.query(q, dataset="all")), {}


def _oxigraph_served(nquads: Path, workdir: Path) -> tuple[float, Callable[[str], int], dict]:
    """Built on disk, then answered from the in-memory replica ``stadtgraph serve`` loads at start. The
    replica's load time is reported apart: it is paid once per server start, not per build."""
    from graph.store import OxigraphStore

    path = workdir / "oxigraph"
    build, store = _disk_build(nquads, path)
    settings = store.settings
    del store  # released, as the build process is before a server starts
    t = time.perf_counter()
    replica = OxigraphStore.replica(settings, path)
    replica_s = time.perf_counter() - t
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return build, lambda q: sum(1 for _ in replica.query(q, dataset="all")), {
        "replica_load_s": replica_s, "replica_child_peak_rss_bytes": child_kb * 1024}


def _oxigraph_memory(nquads: Path, workdir: Path) -> tuple[float, Callable[[str], int], dict]:
    import pyoxigraph as ox

    from graph.settings import Settings
    from graph.store import OxigraphStore

    t = time.perf_counter()
    store = OxigraphStore(Settings.from_mapping({"store": "memory"}))
    store.bulk_load(nquads, ox.RdfFormat.N_QUADS)
    build = time.perf_counter() - t
    return build, lambda q: sum(1 for _ in store.query(q, dataset="all")), {}


def _rdflib(nquads: Path, workdir: Path) -> tuple[float, Callable[[str], int], dict]:
    import rdflib

    t = time.perf_counter()
    ds = rdflib.Dataset(default_union=True)
    ds.parse(str(nquads), format="nquads")
    build = time.perf_counter() - t
    return build, lambda q: sum(1 for _ in ds.query(q)), {}


# name -> (column title, loader): the embedded store as ``store=oxigraph`` queried on disk, the same served
# from its replica (``replica=auto``, what ``stadtgraph serve`` does), ``store=memory``; then the baseline.
PIPELINES = {"oxigraph": ("oxigraph (disk)", _oxigraph),
             "oxigraph-served": ("oxigraph (disk→replica)", _oxigraph_served),
             "oxigraph-memory": ("oxigraph (memory)", _oxigraph_memory),
             "rdflib": ("rdflib (memory)", _rdflib)}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (honest on a handful of samples)."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def run(pipeline: str, nquads: Path, workdir: Path, entities: dict[str, str], *,
        min_runs: int = 3, max_runs: int = 30, budget: float = 15.0) -> dict:
    """Build with one pipeline, then time every query: one warm-up, then ``min_runs`` to ``max_runs``
    runs while the query's time ``budget`` (seconds) lasts."""
    # CPU time (all threads of this process) next to wall time: on a shared machine other work inflates
    # wall time, CPU time much less so.
    cpu = time.process_time()
    build, execute, extra = PIPELINES[pipeline][1](nquads, workdir)
    build_cpu = time.process_time() - cpu
    queries = {}
    for name, text in query_texts(entities).items():
        rows = execute(text)  # warm-up; also the row count
        times: list[float] = []
        cpu_times: list[float] = []
        while len(times) < max_runs and (len(times) < min_runs or sum(times) < budget):
            t, c = time.perf_counter(), time.process_time()
            execute(text)
            times.append(time.perf_counter() - t)
            cpu_times.append(time.process_time() - c)
        queries[name] = {"rows": rows, "runs": len(times), "p50": percentile(times, 50), "p95": percentile(times, 95),
                         "p50_cpu": percentile(cpu_times, 50)}
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {"pipeline": pipeline, "build_s": build, "build_cpu_s": build_cpu, "peak_rss_bytes": peak_kb * 1024,
            "queries": queries, **extra}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--pipeline", choices=list(PIPELINES), required=True)
    p.add_argument("--nquads", type=Path, required=True)
    p.add_argument("--workdir", type=Path, required=True)
    p.add_argument("--entities", required=True, help="JSON object of the query parameters")
    p.add_argument("--min-runs", type=int, default=3)
    p.add_argument("--max-runs", type=int, default=30)
    p.add_argument("--budget", type=float, default=15.0)
    a = p.parse_args(argv)
    result = run(a.pipeline, a.nquads, a.workdir, json.loads(a.entities),
                 min_runs=a.min_runs, max_runs=a.max_runs, budget=a.budget)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
