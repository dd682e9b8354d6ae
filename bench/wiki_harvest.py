"""Wiki harvest against a real MediaWiki (Debian's 1.39 on SQLite, as in the tests): a full harvest of N
generated concept pages (imported with importDump.php beside the shipped pages), then an incremental harvest
after 10 edits made through the API; seconds and HTTP requests for each.

    python -m bench.wiki_harvest                       # 1000 pages
    python -m bench.wiki_harvest --pages 100 1000 --save

The incremental harvest must not grow with the number of pages: its requests are the cursor check, the
changes since the cursor and one batch of 10 titles.
"""
from __future__ import annotations

import argparse
import gc
import json
import secrets
import tempfile
import time
from pathlib import Path

from graph.pipeline.build import build
from graph.pipeline.harvest import harvest_wiki
from graph.settings import PROJECT_ROOT, Settings
from graph.sources.wiki.export import ExportPage
from graph.store import OxigraphStore
from tests.fixtures.mediawiki import MediaWiki, _free_port, mediawiki_missing, shipped_dump_pages

THEMENFELDER = ["Wohnen", "Mobilität", "Bildung & Kultur", "Umwelt, Freiraum, Klima"]
TEXT = """{{{{Konzeption|Räumlicher Geltungsbereich=Gesamtstadt|Art=Konzept|Zuständigkeit=Bereich 5-1 / Stadtplanung|Jahr der Veröffentlichung={year}}}}}
==Themenfeld(er)==
{{|
![[Datei:{tf}.png|rahmenlos|120x120px|link={tf}]]
|-
|}}
==Kurzbeschreibung==
Erzeugtes Konzept Nummer {n} für die Messung der Ernte.
==Im Konzept formulierte Ziele==
*Ziel {n}
"""


def generated(n: int) -> list[ExportPage]:
    return [ExportPage(f"Messkonzept {i:04d}", TEXT.format(year=2000 + i % 25, tf=THEMENFELDER[i % 4], n=i),
                       timestamp="2026-01-01T00:00:00Z") for i in range(n)]


def measure(pages: int, workdir: Path) -> dict:
    wiki = MediaWiki(Path(tempfile.mkdtemp(prefix="stadtgraph-wiki-bench-")), _free_port(), secrets.token_urlsafe(16))
    try:
        t = time.perf_counter()
        wiki.install()
        wiki.import_pages(shipped_dump_pages() + generated(pages))
        wiki.start()
        setup = time.perf_counter() - t
        settings = Settings.from_mapping({
            "store": "oxigraph", "store_path": str(workdir / f"store-{pages}"), "data_dir": str(PROJECT_ROOT / "data"),
            "wiki_api_url": wiki.api_url, "audit_dir": str(workdir / "audit"), "dump_dir": str(workdir / "dumps")})
        store = OxigraphStore(settings, settings.store_path)
        build(settings, store)
        full = harvest_wiki(settings, store)
        for i in range(10):
            title = f"Messkonzept {i * (pages // 10):04d}"
            wiki.edit(title, wiki.text(title).replace("Erzeugtes Konzept", "Bearbeitetes Konzept"))
        incremental = harvest_wiki(settings, store)
        store.close()
        del store
        gc.collect()
        return {"pages": pages + 20, "setup_s": round(setup, 2),
                "full_s": round(full.seconds, 2), "full_requests": full.requests, "full_stored": len(full.stored),
                "incremental_s": round(incremental.seconds, 2), "incremental_requests": incremental.requests,
                "incremental_stored": len(incremental.stored)}
    finally:
        wiki.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.wiki_harvest", description=__doc__.split("\n")[0])
    p.add_argument("--pages", type=int, nargs="+", default=[1000], help="generated pages (beside the 20 shipped)")
    p.add_argument("--save", action="store_true", help="also write JSON to bench/results/")
    args = p.parse_args(argv)
    reason = mediawiki_missing()
    if reason:
        print(reason)
        return 2
    rows = []
    with tempfile.TemporaryDirectory(prefix="stadtgraph-bench-") as tmp:
        for n in args.pages:
            rows.append(measure(n, Path(tmp)))
            print(json.dumps(rows[-1]), flush=True)
    print(f"{'pages':>6} {'full s':>8} {'full req':>9} {'incr s':>7} {'incr req':>9}")
    for r in rows:
        print(f"{r['pages']:>6} {r['full_s']:>8} {r['full_requests']:>9} {r['incremental_s']:>7} "
              f"{r['incremental_requests']:>9}")
    if args.save:
        out = PROJECT_ROOT / "bench" / "results" / "wiki_harvest.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
