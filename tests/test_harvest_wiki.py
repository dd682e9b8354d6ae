"""The live wiki harvest against a real MediaWiki (Debian's 1.39 on SQLite, tests/fixtures/mediawiki.py):
a full harvest reproduces the build from the shipped snapshot; then, in order, an edit, a new page, an edit
that breaks a rule, a move, a deletion, a restore, an infobox-template edit and an expired cursor, each
through the wiki's API and followed by an incremental harvest, with what the graph, the IRIs and
/datenqualitaet show afterwards. The tests of this module share one wiki and one store and run in order.
"""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from rdflib import URIRef

from graph.iris import Iris
from graph.namespaces import DCTERMS, OB, PROV
from graph.pipeline.build import build
from graph.pipeline.harvest import HarvestState, harvest_wiki
from graph.settings import PROJECT_ROOT, Settings
from graph.store import OxigraphStore

PROVENANCE = {PROV.wasDerivedFrom, PROV.generatedAtTime, DCTERMS.modified, OB.wikiRevision, OB.konfidenz,
              OB.wikiSeite}
MOBIL = "Mobilitätsstrategie"
NEW_TITLE = "Quartierskonzept Testviertel"
NEW_TEXT = """{{Konzeption|Räumlicher Geltungsbereich=Gesamtstadt|Art=Konzept|Zuständigkeit=Bereich 5-1 / Stadtplanung|Jahr der Veröffentlichung=2024}}
==Themenfeld(er)==
{|
![[Datei:Wohnen.png|rahmenlos|120x120px|link=Wohnen]]
|-
|}
==Kurzbeschreibung==
Ein Konzept, das nur im Test-Wiki steht.
"""


@pytest.fixture(scope="module")
def harvest(mediawiki, tmp_path_factory):
    """An on-disk store built from the shipped data (reference data, council data, wiki snapshot), then
    harvested in full from the test wiki; ``harvest.run()`` harvests again."""
    directory = tmp_path_factory.mktemp("harvest")
    settings = Settings.from_mapping({"store": "oxigraph", "store_path": str(directory / "store"),
                                      "data_dir": str(PROJECT_ROOT / "data"), "wiki_api_url": mediawiki.api_url,
                                      "audit_dir": str(directory / "audit"), "dump_dir": str(directory / "dumps")})
    store = OxigraphStore(settings, settings.store_path)
    build(settings, store)
    baseline = {g: store.graph(g) for g in _wiki_graphs(store)}

    class Run:
        def __init__(self) -> None:
            self.settings, self.store, self.baseline, self.wiki = settings, store, baseline, mediawiki
            self.iris = Iris(settings.base_iri)
            self.first = harvest_wiki(settings, store)

        def run(self, **kw):
            return harvest_wiki(self.settings, self.store, **kw)

        def state(self) -> HarvestState:
            return HarvestState.load(self.store, self.iris)

    yield Run()
    store.close()


def _wiki_graphs(store) -> list[str]:
    rows = store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s <{OB.wikiSeite}> ?u }} }}", dataset="asserted")
    return sorted(r["g"].value for r in rows)


def _without_provenance(g) -> set:
    return {t for t in g if t[1] not in PROVENANCE}


def _value(store, s, p):
    rows = list(store.query(f"SELECT ?o WHERE {{ GRAPH ?g {{ <{s}> <{p}> ?o }} }}", dataset="asserted"))
    return [r["o"].value for r in rows]


# ---- full harvest ---------------------------------------------------------------------------------------
def test_full_harvest_reproduces_the_build_from_the_snapshot(harvest):
    report = harvest.first
    assert report.mode == "full" and report.ok, report.lines()
    assert sorted(report.stored) == sorted(p.title for p in __import__(
        "graph.sources.wiki.pages", fromlist=["shipped_pages"]).shipped_pages(PROJECT_ROOT / "data" / "wiki"))
    assert _wiki_graphs(harvest.store) == sorted(harvest.baseline)  # same records
    for g, before in harvest.baseline.items():  # same triples up to provenance
        assert _without_provenance(harvest.store.graph(g)) == _without_provenance(before), g


def test_each_record_names_its_revision(harvest):
    state = harvest.state()
    page = state.pages[MOBIL]
    iri = page["iris"][0]
    derived = _value(harvest.store, iri, PROV.wasDerivedFrom)
    assert f"{harvest.wiki.url}/index.php?title=Mobilit%C3%A4tsstrategie&oldid={page['revid']}" in derived
    assert _value(harvest.store, iri, DCTERMS.modified) == [page["timestamp"]]
    assert _value(harvest.store, iri, PROV.generatedAtTime)
    assert _value(harvest.store, iri, OB.wikiRevision) == [str(page["revid"])]


def test_nothing_changed_means_nothing_written(harvest):
    report = harvest.run()
    assert report.mode == "incremental" and report.changes == 0 and not report.stored
    assert report.requests <= 3
