"""Screenshots of one page of every page kind, at desktop and phone width, full page height (``make screenshots``).

Starts ``stadtgraph serve`` over the shipped data (as the tests' ``live_server`` does) unless ``--url`` names a
running service, finds each kind's first record by asking the service, and writes
``var/screenshots/<kind>-<width>.png`` with Debian's headless Chromium:

    python -m tests.screenshots [--out DIR] [--width 1366 --width 390] [--only home,konzept] [--store PATH | --url URL]
"""
from __future__ import annotations

import argparse
import base64
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests

from graph.settings import DEFAULT_BASE, PROJECT_ROOT
from tests.fixtures.live import build_store, chromium_available, start_chromium, start_server

WIDTHS = (1366, 390)
MAX_HEIGHT = 16000  # px; Chromium cannot paint a taller picture in one piece
OB = "https://daten.oberhausen.de/stadtgraph/ontology#"
# kind -> the classes whose first record (by IRI) stands for it
RECORD_KINDS = {
    "konzept": ("Konzept",), "themenfeld": ("Themenfeld",), "sozialraum": ("Sozialraum",),
    "stadtbezirk": ("Stadtbezirk",), "einheit": ("Organisationseinheit",), "vorlage": ("Vorlage",),
    "leitziel": ("Leitziel",), "synergie": ("Synergiebegruendung", "Synergieangabe"),
}
FIXED = {
    "home": "/", "liste-konzept": "/konzept", "liste-themenfeld": "/themenfeld", "liste-vorlage": "/vorlage",
    "liste-organisation": "/organisation", "sparql": "/sparql", "datenqualitaet": "/datenqualitaet",
    "validate": "/validate", "aenderungen": "/aenderungen", "downloads": "/downloads",
    "nicht-gefunden": "/gibt-es-nicht",
}
KINDS = ("home", *RECORD_KINDS, "liste-konzept", "liste-themenfeld", "liste-vorlage", "liste-organisation",
         "sparql", "suche", "datenqualitaet", "validate", "aenderungen", "verlauf", "downloads", "nicht-gefunden")


def first_record(url: str, classes: Sequence[str], base: str = DEFAULT_BASE) -> str | None:
    """The path of the first record (by IRI) of any of ``classes`` that the service at ``url`` serves."""
    values = " ".join(f"<{OB}{c}>" for c in classes)
    query = (f"SELECT ?s WHERE {{ VALUES ?c {{ {values} }} ?s a ?c . FILTER(STRSTARTS(STR(?s), \"{base}\")) }} "
             "ORDER BY ?s LIMIT 1")
    r = requests.post(url + "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                      timeout=60)
    r.raise_for_status()
    rows = r.json()["results"]["bindings"]
    return "/" + rows[0]["s"]["value"][len(base):] if rows else None


def page_paths(url: str, kinds: Sequence[str] = KINDS, base: str = DEFAULT_BASE) -> dict[str, str]:
    """kind -> path of one page of that kind, found from the service's own data (kinds it has no record of
    are left out)."""
    paths: dict[str, str] = {}
    for kind, classes in RECORD_KINDS.items():
        if kind in kinds or (kind == "konzept" and "verlauf" in kinds) or (kind == "sozialraum" and "suche" in kinds):
            found = first_record(url, classes, base)
            if found:
                paths[kind] = found
    if "verlauf" in kinds and "konzept" in paths:
        # The history page the concept page itself links to.
        page = requests.get(url + paths["konzept"], headers={"Accept": "text/html"}, timeout=60).text
        link = re.search(r'href="(/verlauf/[^"?#]+)', page)
        if link:
            paths["verlauf"] = link.group(1)
    if "suche" in kinds and "sozialraum" in paths:
        paths["suche"] = "/suche?q=" + paths["sozialraum"].rsplit("/", 1)[-1].split("-")[0]
    paths.update({kind: path for kind, path in FIXED.items() if kind in kinds})
    return {kind: paths[kind] for kind in kinds if kind in paths}


def capture(driver, url: str, width: int, target: Path) -> Path:
    """One page at ``width`` CSS px (device scale 1, so the PNG is ``width`` px wide), as tall as the page."""
    metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.get(url)
    driver.execute_script("return document.fonts ? document.fonts.ready.then(() => true) : true")
    height = driver.execute_script("return Math.ceil(Math.max(document.documentElement.scrollHeight, "
                                   "document.body ? document.body.scrollHeight : 0))")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {**metrics, "height": max(1, min(int(height), MAX_HEIGHT))})
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False})
    target.write_bytes(base64.b64decode(shot["data"]))
    return target


def take_screenshots(url: str, out: Path, widths: Sequence[int] = WIDTHS, kinds: Sequence[str] = KINDS) -> list[Path]:
    """Screenshots of one page of each kind at each width into ``out``; the files written."""
    out.mkdir(parents=True, exist_ok=True)
    paths = page_paths(url, kinds)
    written = []
    with tempfile.TemporaryDirectory(prefix="screenshots-") as profile:
        driver = start_chromium(Path(profile))
        try:
            for kind, path in paths.items():
                for width in widths:
                    written.append(capture(driver, url + path, width, out / f"{kind}-{width}.png"))
        finally:
            driver.quit()
    return written


@contextmanager
def service(store: Path | None) -> Iterator[str]:
    """A ``stadtgraph serve`` over ``store`` (built from the shipped data first if not given); its URL."""
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        server = start_server(store or build_store(Path(tmp) / "store"), Path(tmp), workers=1)
        try:
            yield server.url
        finally:
            server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.screenshots", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "var" / "screenshots")
    parser.add_argument("--width", type=int, action="append", help=f"px, repeatable (default {WIDTHS})")
    parser.add_argument("--only", help=f"comma-separated kinds of {', '.join(KINDS)}")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--store", type=Path, help="an on-disk store already built (else the shipped data is built)")
    where.add_argument("--url", help="a running service instead of starting one")
    args = parser.parse_args(argv)
    kinds = tuple(k.strip() for k in args.only.split(",")) if args.only else KINDS
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        parser.error(f"unknown kinds: {', '.join(unknown)}")
    if not chromium_available():
        print("Debian's chromium/chromedriver fehlen (bash scripts/setup-test-tools.sh) / not installed",
              file=sys.stderr)
        return 2
    widths = tuple(args.width or WIDTHS)
    if args.url:
        written = take_screenshots(args.url.rstrip("/"), args.out, widths, kinds)
    else:
        with service(args.store) as url:
            written = take_screenshots(url, args.out, widths, kinds)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
