"""Pages for people (issue 16): every record kind has a summary, every kind a list at its parent path, the
council decisions a timeline; and in a real browser at desktop and phone width no page scrolls sideways,
no RDF internal shows, and axe-core (run inside the page) finds no serious or critical violation."""
from __future__ import annotations

import csv
import io
import re

import pytest

from graph.pages.lists import KINDS
from graph.settings import DEFAULT_BASE, PROJECT_ROOT
from tests.browser_checks import axe_source, page_problems

RECORDS = {
    "Konzept": "/konzept/freiraumentwicklungskonzept-osterfeld",
    "Themenfeld": "/themenfeld/umwelt-freiraum-klima",
    "Leitziel": "/leitziel/gesundheit-sport-und-bewegung/querschnittsbezogene-verankerung-des-themas-gesundheit-in-der-verwaltung",
    "Sozialraum": "/raum/sozialraum/osterfeld",
    "Sozialquartier": "/raum/sozialquartier/bermensfeld",
    "Stadtbezirk": "/raum/stadtbezirk/osterfeld",
    "Stadt": "/raum/stadt/oberhausen",
    "Einheit": "/organisation/bereich-5-1",
    "Vorlage": "/vorlage/b-16-5505-01",
    "Synergie": "/synergie/endbericht-themenjahr-wohnen--integriertes-handlungskonzept-ihk-osterfeld--raum",
    "Indikator": "/indikator/sgb-ii-bezug",
    "Glossarbegriff": "/glossar/dynamikindex",
    "Expertendialog": "/expertendialog/alstaden-lirich-1",
}
LISTS = ["/" + path for path in KINDS]
OTHER = ["/", "/verzeichnis", "/synergien", "/downloads", "/catalog", "/ontology", "/datenqualitaet", "/validate",
         "/suche?q=osterfeld", "/gibt-es-nicht"]
# Words of the RDF machinery a citizen must not meet in the visible text (with "Alle Angaben" unfolded).
INTERNALS = re.compile(r"hiddenLabel|scopeNote|\babstract\b|CreativeWork|CREATIVEWORK|← |#abgeleitet-|abgeleitet-\w+-\d"
                       r"|referenz/\w+\.yaml|\.wiki\b|\b\d{8}T\d{6}\d*Z\b", re.I)


def html(client, path: str):
    return client.get(path, headers={"Accept": "text/html"})


@pytest.mark.parametrize("kind,path", sorted(RECORDS.items()))
def test_every_record_kind_opens_with_a_summary(client, kind, path):
    r = html(client, path)
    assert r.status_code == 200
    summary = r.text[r.text.index('<section class="summary"'):]
    summary = summary[:summary.index("</section>")]
    assert '<p class="lead">' in summary, f"{kind}: one sentence from its own data"
    assert '<nav class="crumbs"' in r.text
    # everything else is folded below, in German words
    assert '<details class="all" id="alle-angaben">' in r.text
    text = re.sub(r"<[^>]+>", " ", r.text)
    assert not INTERNALS.search(text), INTERNALS.search(text)


def test_vorlage_page_reads_as_a_council_decision(client):
    page = html(client, "/vorlage/b-16-5505-01").text
    assert "<h1>Fortschreibung des Handlungskonzeptes zum Umgang mit geflohenen Menschen in Oberhausen</h1>" in page
    summary = page[page.index('<section class="summary"'):page.index("</section>", page.index('<section class="summary"'))]
    assert "Fortschreibung" in summary and "Beschlussvorlage" in summary
    assert 'href="/konzept/handlungskonzept-zum-umgang-mit-geflohenen-menschen-in-oberhausen"' in summary
    # the council-system links the wiki gives, named
    assert 'href="http://ratsinfo.oberhausen.de/vo020?VOLFDNR=13572">ratsinfo (Vorlage 13572)</a>' in summary
    assert 'href="http://allris.oberhausen.de/bi/vo020.asp?VOLFDNR=13572">ALLRIS (Vorlage 13572)</a>' in summary
    dated = html(client, "/vorlage/b-16-1656-01").text
    assert "9. Mai 2016" in dated and "Aufstellung" in dated and "2016-05-09" not in dated.split("alle-angaben")[0]


@pytest.mark.parametrize("path", LISTS + ["/verzeichnis", "/downloads"])
def test_every_parent_path_answers(client, path):
    assert html(client, path).status_code == 200


def test_the_timeline_lists_all_fifteen_council_decisions(client):
    page = html(client, "/vorlage").text
    timeline = page[page.index('class="timeline"'):page.index("</section>", page.index('class="timeline"'))]
    assert len(re.findall(r'<li><span class="date">', timeline)) == 15
    assert timeline.index("26. Mai 2008") < timeline.index("29. September 2025") < timeline.index("Ohne erfasstes Datum")


def test_lists_filter_sort_and_download_as_csv(client):
    rows = list(csv.reader(io.StringIO(client.get("/konzept?format=csv").text)))
    assert rows[0][:2] == ["iri", "name"] and len(rows) == 22  # 21 concepts
    filtered = html(client, "/konzept?q=osterfeld").text
    assert "Freiraumentwicklungskonzept Osterfeld" in filtered and "Einzelhandelskonzept" not in filtered
    by_year = html(client, "/konzept?sort=jahr").text
    assert by_year.index(">2019<") < by_year.index(">2025<") if ">2019<" in by_year else True


def test_unit_tree_follows_the_codes(client):
    page = html(client, "/organisation").text
    tree = page[page.index('class="tree"'):page.index("</section>", page.index('class="tree"'))]
    five = tree[tree.index('href="/organisation/dezernat-5"'):]
    assert five.index('href="/organisation/bereich-5-1"') < five.index('href="/organisation/fachbereich-5-1-10"')
    assert "<ul><li><code>5-1</code>" in five  # 5-1 nested below 5


def test_english_links_keep_the_language(client):
    page = html(client, "/themenfeld/umwelt-freiraum-klima?lang=en").text
    assert 'href="/konzept/freiraumentwicklungskonzept-osterfeld?lang=en"' in page
    assert 'href="/themenfeld?lang=en"' in page  # the breadcrumb to the list


def test_not_found_offers_a_search(client):
    r = html(client, "/konzept/gibt-es-nicht")
    assert r.status_code == 404
    assert 'role="search"' in r.text and 'href="/konzept"' in r.text


def test_every_page_says_publisher_licence_contact_and_data_date(client):
    """The open-data basics the catalog holds are on the pages too; the downloads say sizes for people."""
    from graph.publish.catalog import CONTACT_PAGE, LICENSE_PAGE

    for path in ("/", "/konzept/einzelhandelskonzept", "/downloads"):
        page = html(client, path).data.decode()
        facts = page[page.index('class="data-facts"'):]
        assert "Stadt Oberhausen" in facts and f'href="{LICENSE_PAGE}" rel="license"' in facts
        assert f'href="{CONTACT_PAGE}"' in facts
        assert re.search(r"Datenstand: <time datetime=\"\d{4}-\d\d-\d\dT[^\"]+\">\d+\. \w+ \d{4}", facts)
    sizes = re.findall(r'<data value="(\d+)"[^>]*>([^<]+)</data>', html(client, "/downloads").data.decode())
    assert sizes
    for exact, shown in sizes:
        assert re.fullmatch(r"\d+(,\d)? (B|kB|MB|GB)", shown), shown
        number, unit = shown.split()
        factor = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}[unit]
        assert abs(float(number.replace(",", ".")) * factor - int(exact)) <= 0.05 * factor


def test_a_page_never_writes_the_dumps_to_say_the_data_date(tmp_path):
    """A store no build made and no version log knows: the footer leaves the date out instead of writing
    every dump in the request (that took 111 s at 100k triples)."""
    from tests.fixtures.publishing import CONCEPT, make_client, make_settings, make_store

    settings = make_settings(DEFAULT_BASE, tmp_path)
    store = make_store(settings)
    store.native().update("DELETE WHERE { GRAPH ?g { ?b a <https://daten.oberhausen.de/stadtgraph/ontology#Build> ;"
                          " ?p ?o } }")  # as if imported, not built
    client = make_client(settings, store)
    page = html(client, "/" + CONCEPT).data.decode()
    assert 'class="data-facts"' in page and "Datenstand" not in page
    dumps = tmp_path / "dumps"
    assert not dumps.exists() or not any(dumps.rglob("*.ttl"))


def test_footer_links_the_legal_pages_from_settings(settings, built_store):
    from server import create_app

    app = create_app(settings.replace(imprint_url="https://www.oberhausen.de/impressum"), store=built_store)
    page = app.test_client().get("/", headers={"Accept": "text/html"}).text
    assert '<a href="https://www.oberhausen.de/impressum">Impressum</a>' in page
    assert "Datenschutz (Adresse nicht eingerichtet)" in page  # not configured: said, not invented


# ---- in a real browser ---------------------------------------------------------------------------------

WIDTHS = (1366, 390)
# The data-quality page names the reference file a finding is in where a record has no wiki page to link
# (records from the wiki link their page and its edit view).
STEWARDS = {"/datenqualitaet"}


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_kind_in_a_browser(browser, live_server, width):
    axe = axe_source()
    browser.set_window_size(width, 900)
    problems = []
    for path in [*RECORDS.values(), *LISTS, *OTHER]:
        browser.get(live_server.url + path)
        browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
        text = browser.execute_script("return document.body.innerText")
        found = INTERNALS.search(text) if path not in STEWARDS else None
        if found:
            problems.append(f"{path} @{width}: internal {found.group(0)!r} in the visible text")
        if path in RECORDS.values() or path in LISTS:
            if not browser.find_elements("css selector", "section.summary"):
                problems.append(f"{path}: no summary")
        problems += page_problems(browser, axe, f"{path} @{width}")
    assert not problems, "\n".join(problems)


def test_a_record_page_shows_its_own_open_findings(client):
    """The steward sees on the record's page what /datenqualitaet says about it; a record without findings
    has no such section."""
    html = client.get("/organisation/bereich-umwelt", headers={"Accept": "text/html"}).get_data(as_text=True)
    section = html[html.index('<section class="record-quality"'):]
    section = section[:section.index("</section>")]
    assert '<h2 id="dq-heading">Datenqualität</h2>' in section
    assert "Warnung" in section and "Kürzel" in section and "Die Organisationseinheit hat kein Kürzel." in section
    assert 'href="/datenqualitaet"' in section
    mobil = client.get("/konzept/mobilitaetsstrategie", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Dem Konzept ist kein Themenfeld zugeordnet." in mobil
    assert "Die Organisationseinheit hat kein Kürzel." not in mobil  # only its own findings
    clean = client.get(RECORDS["Einheit"], headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'class="record-quality"' not in clean
