"""Council harvest against the fixture OParl server of the tests (the shape of Oberhausen's ALLRIS
endpoint): a full harvest of N generated papers (pages of 100) into the shipped graph, then an incremental
harvest after 10 edits; seconds and HTTP requests for each.

    python -m bench.oparl                 # 1000 papers
    python -m bench.oparl --papers 100 1000

The incremental harvest must not grow with the number of papers: its requests are the System, the body
list, the three lists asked with modified_since and the pages the 10 changed papers fill.
"""
from __future__ import annotations

import argparse
import time

from graph.pipeline.build import build
from graph.pipeline.council import harvest_council
from graph.settings import Settings
from graph.sources.oparl_api import OParlClient
from graph.store import OxigraphStore
from tests.fixtures.oparl import OParlFixture


def run(papers: int) -> dict[str, float]:
    fixture = OParlFixture(page_size=100).start()
    try:
        fixture.fill(count=papers)
        settings = Settings.from_mapping({"store": "memory", "oparl_system_url": fixture.system_url})
        store = OxigraphStore(settings)
        build(settings, store)
        client = OParlClient(fixture.system_url)
        started = time.perf_counter()
        full = harvest_council(settings, store, client=client)
        full_s, full_requests = time.perf_counter() - started, client.requests
        assert len(full.stored) == papers, full.lines()[:5]
        for paper in fixture.lists["paper"][:10]:
            paper["name"] += " (geändert)"
            fixture.touch(paper)
        client = OParlClient(fixture.system_url)
        started = time.perf_counter()
        incremental = harvest_council(settings, store, client=client)
        assert len(incremental.stored) == 10, incremental.lines()[:5]
        return {"papers": papers, "full_s": full_s, "full_requests": full_requests,
                "incremental_s": time.perf_counter() - started, "incremental_requests": client.requests}
    finally:
        fixture.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[1000])
    args = parser.parse_args()
    print(f"{'papers':>7} {'full s':>8} {'requests':>9} {'incr. s':>8} {'requests':>9}")
    for n in args.papers:
        r = run(n)
        print(f"{r['papers']:>7} {r['full_s']:>8.1f} {r['full_requests']:>9} {r['incremental_s']:>8.2f} "
              f"{r['incremental_requests']:>9}")


if __name__ == "__main__":
    main()
