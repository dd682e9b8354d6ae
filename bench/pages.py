"""``python -m bench.pages [--scale 100k] [--infer]``: how long the pages for people take at scale.

The synthetic city graph of :mod:`bench.synthetic` with the ontology in an in-memory store (with
``--infer`` also the inferred graph, which takes long at 1M: see ``python -m bench.inference``), served
in-process by the app (Flask's test client, no network, result cache on as shipped). For each page kind —
home, a Konzept, a Themenfeld, a Sozialraum, a unit, a Vorlage, the list pages, the synergy picture, the
search, the data-quality page — the first request (nothing cached) and then p50/p99 over ``--repeat``
requests for ``--records`` different records of the kind (each one's first view, so no page cache
helps; the store's own caches warm up as a server's would). Printed: milliseconds, and the pages over 1 s.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time

from bench.scales import label, parse_scale, peak_rss
from bench.synthetic import iter_nquads
from graph.iris import Iris
from graph.namespaces import OB, RDFS
from graph.settings import DEFAULT_BASE, PROJECT_ROOT, Settings

KINDS = {  # page kind → the class its records have (or a subclass of it, without the inferred graph)
    "Konzept": OB.Konzept, "Themenfeld": OB.Themenfeld, "Sozialraum": OB.Sozialraum,
    "Einheit": OB.Organisationseinheit, "Vorlage": OB.Vorlage, "Leitziel": OB.Leitziel,
}
PATHS = ["/", "/konzept", "/themenfeld", "/vorlage", "/organisation", "/raum/sozialraum", "/leitziel",
         "/synergien", "/suche?q=Wohnen", "/datenqualitaet"]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="100k", help="triples of the synthetic graph (10k, 100k, 1M)")
    parser.add_argument("--records", type=int, default=20, help="records per kind, each viewed once")
    parser.add_argument("--infer", action="store_true", help="compute the inferred graph first (slow at 1M)")
    args = parser.parse_args(argv)
    scale = parse_scale(args.scale)
    random.seed(3)
    import pyoxigraph as ox
    import rdflib

    from graph.inference.refresh import refresh
    from graph.store import open_store
    from server import create_app

    settings = Settings.from_mapping({"store": "memory"})
    store = open_store(settings)
    t = time.perf_counter()
    store.bulk_load("".join(iter_nquads(scale)).encode("utf-8"), ox.RdfFormat.N_QUADS)
    ontology = rdflib.Graph().parse(PROJECT_ROOT / "ontology" / "oberhausen.ttl", format="turtle")
    store.replace_graphs({str(Iris(DEFAULT_BASE).ontology_graph): ontology})
    print(f"{label(scale)}: {store.count()} quads loaded in {time.perf_counter() - t:.1f} s")
    if args.infer:
        t = time.perf_counter()
        n = refresh(store, settings)
        print(f"inferred graph: {n} triples in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    client = create_app(settings, store=store).test_client()
    print(f"app (search index built) in {time.perf_counter() - t:.1f} s\n")
    slow, failed = [], []

    def get(path: str) -> float:
        t = time.perf_counter()
        response = client.get(path, headers={"Accept": "text/html"})
        took = time.perf_counter() - t
        if response.status_code != 200:  # e.g. 503: a query of the page ran into query_timeout
            failed.append((path, response.status_code, took))
        elif took > 1.0:
            slow.append((path, took))
        return took

    print(f"| page | first request | p50 | p99 | ({args.records} records each) |\n|---|---|---|---|---|")
    for kind, cls in KINDS.items():
        iris = [r["s"].value for r in store.query(
            f"SELECT DISTINCT ?s WHERE {{ ?s a ?c . ?c <{RDFS.subClassOf}>* <{cls}> }}")]
        iris = [i for i in iris if i.startswith(DEFAULT_BASE)]
        if not iris:
            continue
        picked = random.sample(iris, min(args.records + 1, len(iris)))
        paths = ["/" + i[len(DEFAULT_BASE):] for i in picked]
        first = get(paths[0])
        rest = sorted(get(p) for p in paths[1:]) or [first]
        p99 = rest[min(len(rest) - 1, int(len(rest) * 0.99))]
        print(f"| {kind} | {ms(first)} | {ms(statistics.median(rest))} | {ms(p99)} | |")
    for path in PATHS:
        first = get(path)
        again = get(path)
        print(f"| {path} | {ms(first)} | {ms(again)} (again) | | |")
    print(f"\npeak RSS {peak_rss() / 2**20:.0f} MiB; pages over 1 s: "
          + (", ".join(f"{p} ({s:.1f} s)" for p, s in slow) if slow else "none"))
    for path, status, took in failed:
        print(f"not answered: {path} → {status} after {took:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
