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

        def wiki_concepts(self) -> list[str]:
            from graph.sources.wiki.api import WikiClient

            return WikiClient(mediawiki.api_url).embedded_in("Vorlage:Konzeption")

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


# ---- incremental: each change kind through the wiki's API -------------------------------------------------
def _app(harvest):
    from server import create_app

    app = create_app(harvest.settings, store=harvest.store)
    app.config["TESTING"] = True
    return app.test_client()


def _path(harvest, iri: str) -> str:
    return "/" + iri[len(harvest.settings.base_iri):]


def test_an_edit_is_harvested_alone(harvest):
    text = harvest.wiki.text(MOBIL).replace("Jahr der Veröffentlichung=2023", "Jahr der Veröffentlichung=2022")
    revid = harvest.wiki.edit(MOBIL, text)
    report = harvest.run()
    assert report.mode == "incremental" and report.stored == [MOBIL] and report.ok, report.lines()
    iri = harvest.state().pages[MOBIL]["iris"][0]
    assert _value(harvest.store, iri, OB.veroeffentlichungsjahr) == ["2022"]
    assert _value(harvest.store, iri, OB.wikiRevision) == [str(revid)]
    assert report.requests <= 5  # oldest change, changes since the cursor, the page, the site: not the wiki's size


def test_a_new_page_is_harvested(harvest):
    revid = harvest.wiki.edit(NEW_TITLE, NEW_TEXT)
    report = harvest.run()
    assert report.stored == [NEW_TITLE], report.lines()
    iri = str(harvest.iris.konzept(NEW_TITLE))
    assert _value(harvest.store, iri, OB.wikiRevision) == [str(revid)]
    assert _value(harvest.store, iri, OB.themenfeld) == [str(harvest.iris.themenfeld("Wohnen"))]
    assert _app(harvest).get(_path(harvest, iri)).status_code == 200


def test_a_revision_that_breaks_a_rule_is_refused_alone(harvest):
    good = harvest.wiki.text(MOBIL)
    bad = harvest.wiki.edit(MOBIL, good.replace("Jahr der Veröffentlichung=2022", "Jahr der Veröffentlichung=1850"))
    harvest.wiki.edit(NEW_TITLE, NEW_TEXT.replace("2024", "2025"))  # a good edit in the same harvest
    report = harvest.run()
    assert [r["title"] for r in report.refused] == [MOBIL] and report.stored == [NEW_TITLE]
    refusal = report.refused[0]
    assert refusal["revid"] == bad and f"oldid={bad}" in refusal["diff"] and "diff=prev" in refusal["diff"]
    assert any("zwischen 1950" in line for line in refusal["findings"]), refusal
    assert any("ABGEWIESEN" in line and MOBIL in line for line in report.lines())
    iri = harvest.state().pages[MOBIL]["iris"][0]
    assert _value(harvest.store, iri, OB.veroeffentlichungsjahr) == ["2022"]  # the last good revision stays
    assert _value(harvest.store, str(harvest.iris.konzept(NEW_TITLE)), OB.veroeffentlichungsjahr) == ["2025"]
    page = _app(harvest).get("/datenqualitaet").get_data(as_text=True)
    assert "Abgewiesene Wiki-Fassungen" in page and MOBIL in page and f"oldid={bad}" in page
    assert "zwischen 1950" in page
    # the steward is sent to the page in the wiki and to its edit view, not to a file name
    page_url = f"{harvest.wiki.api_url.rsplit('/', 1)[0]}/index.php?title=Mobilit%C3%A4tsstrategie"
    assert refusal["page"] == page_url and refusal["edit"] == page_url + "&action=edit"
    assert f'<a href="{page_url}" rel="external">ansehen</a>' in page
    assert f'<a href="{page_url}&amp;action=edit" rel="external">bearbeiten</a>' in page
    # and the record's own page says that a newer revision was refused, and why
    record = _app(harvest).get(_path(harvest, iri), headers={"Accept": "text/html"}).get_data(as_text=True)
    section = record[record.index('<section class="record-quality"'):]
    assert "Eine neuere Fassung der Wiki-Seite wurde nicht übernommen" in section
    assert f"oldid={bad}" in section and "zwischen 1950" in section
    # the steward fixes the page: the refusal goes, the fix is stored
    harvest.wiki.edit(MOBIL, good.replace("Jahr der Veröffentlichung=2022", "Jahr der Veröffentlichung=2021"))
    report = harvest.run()
    assert report.ok and report.stored == [MOBIL]
    assert _value(harvest.store, iri, OB.veroeffentlichungsjahr) == ["2021"]
    assert "Abgewiesene Wiki-Fassungen" not in _app(harvest).get("/datenqualitaet").get_data(as_text=True)


MOVED_TITLE = "Quartierskonzept Testviertel 2025"


def test_a_moved_page_answers_301_at_its_old_iri(harvest):
    old = str(harvest.iris.konzept(NEW_TITLE))
    new = str(harvest.iris.konzept(MOVED_TITLE))
    harvest.wiki.move(NEW_TITLE, MOVED_TITLE)
    report = harvest.run()
    assert report.ok and report.stored == [MOVED_TITLE] and report.removed == [NEW_TITLE], report.lines()
    assert not harvest.store.has_graph(str(harvest.iris.record_graph(old)))
    assert _value(harvest.store, new, OB.veroeffentlichungsjahr) == ["2025"]
    answer = _app(harvest).get(_path(harvest, old))
    assert answer.status_code == 301 and answer.headers["Location"].endswith(_path(harvest, new))


def test_a_deleted_page_leaves_the_graph_and_answers_410(harvest):
    iri = str(harvest.iris.konzept(MOVED_TITLE))
    assert _inferred(harvest, iri)
    harvest.wiki.delete(MOVED_TITLE)
    report = harvest.run()
    assert report.ok and report.removed == [MOVED_TITLE], report.lines()
    assert not _value(harvest.store, iri, DCTERMS.title)
    assert not _inferred(harvest, iri)  # gone from the inferred graph too
    answer = _app(harvest).get(_path(harvest, iri))
    assert answer.status_code == 410 and MOVED_TITLE in answer.get_data(as_text=True)
    # the old IRI of before the move now leads to a page that is gone
    assert _app(harvest).get(_path(harvest, str(harvest.iris.konzept(NEW_TITLE)))).status_code in (301, 410)


def test_an_undeleted_page_comes_back(harvest):
    iri = str(harvest.iris.konzept(MOVED_TITLE))
    harvest.wiki.undelete(MOVED_TITLE)
    report = harvest.run()
    assert report.ok and report.stored == [MOVED_TITLE], report.lines()
    assert _value(harvest.store, iri, OB.veroeffentlichungsjahr) == ["2025"]
    assert _inferred(harvest, iri)
    assert _app(harvest).get(_path(harvest, iri)).status_code == 200


def test_an_infobox_template_edit_rereads_the_pages_that_embed_it(harvest):
    from tests.fixtures.mediawiki import TEMPLATE, TEMPLATE_TEXT

    harvest.wiki.edit(TEMPLATE, TEMPLATE_TEXT.replace("Infobox der Konzeptseiten.", "Infobox der Konzeptseiten (neu)."))
    report = harvest.run()
    concept_pages = set(harvest.wiki_concepts())
    assert concept_pages <= set(report.unchanged) | set(report.stored), report.lines()
    assert report.ok and not report.stored  # the pages read as before: nothing rewritten


def test_an_expired_cursor_falls_back_to_a_full_harvest(harvest):
    # MediaWiki forgets recent changes older than $wgRCMaxAge by deleting their rows; so does this test
    harvest.wiki.edit("Hauptseite", "Willkommen.")  # no content page: rows the graph does not need
    harvest.wiki.edit("Hauptseite", "Willkommen im Test-Wiki.")
    db = sqlite3.connect(harvest.wiki.directory / "data" / "wiki.sqlite")
    with db:
        db.execute("DELETE FROM recentchanges WHERE rc_id < (SELECT MAX(rc_id) FROM recentchanges)")
    db.close()
    report = harvest.run()
    assert report.mode == "full" and report.ok, report.lines()
    assert any("volle Ernte" in note and "älter" in note for note in report.notes)
    assert MOVED_TITLE in harvest.state().pages


def _inferred(harvest, iri: str) -> bool:
    return bool(harvest.store.query(f"ASK {{ GRAPH <{harvest.iris.inferred_graph}> {{ <{iri}> ?p ?o }} }}"))
