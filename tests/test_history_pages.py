"""History for people (web/history.py, templates/history.html, changes.html): each record page links to
its history; the history lists the versions with date, source, the wiki's own diff and counts; the
difference of two versions is said in German sentences with labels; "Was hat sich geändert?" lists the
latest changes across the graph, filterable by kind and source, with an Atom feed."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tests.history_data import three_edits, writable_app

PATH = "konzept/einzelhandelskonzept"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def edited(settings, built_store, tmp_path_factory):
    app, store, s = writable_app(settings, built_store, tmp_path_factory.mktemp("history"))
    client = app.test_client()
    three_edits(client)
    return client


def sentences(page: str) -> list[str]:
    return [re.sub(r"\s+", " ", s).strip() for s in re.findall(r'<li class="change-\w+">([^<]*)</li>', page)]


def version_ids(client) -> list[int]:
    page = client.get(f"/verlauf/{PATH}").data.decode()
    return sorted({int(i) for i in re.findall(r'name="zu" value="(\d+)"', page)})


def test_the_record_page_links_to_its_history(edited):
    page = edited.get(f"/{PATH}", headers={"Accept": "text/html"}).data.decode()
    assert f'href="/verlauf/{PATH}"' in page


def test_the_history_lists_every_version_with_source_and_counts(edited):
    response = edited.get(f"/verlauf/{PATH}")
    assert response.status_code == 200
    page = response.data.decode()
    assert len(version_ids(edited)) == 4  # the state before the edits and the three edits
    assert page.count("Graph Store (Schreibzugriff)") == 3 and "Stand vor Beginn des Protokolls" in page
    assert page.count("stadtplanung") == 3
    assert '<span class="added">+1</span> <span class="removed">−0</span>' in page
    assert '<span class="added">+1</span> <span class="removed">−1</span>' in page


def test_each_edit_is_named_in_german(edited):
    baseline, first, second, third = version_ids(edited)
    said = {v: sentences(edited.get(f"/verlauf/{PATH}?zu={v}").data.decode()) for v in (first, second, third)}
    assert said[first] == ["Themenfeld „Wohnen“ hinzugefügt"]
    assert said[second] == ["Zuständigkeit geändert von „Fachbereich 5-1-10“ zu „Stadtplanung“"]
    assert said[third] == ["Themenfeld „Wohnen“ entfernt"]
    # any two versions: from the state before the edits to the last one, only the unit changed
    assert sentences(edited.get(f"/verlauf/{PATH}?von={baseline}&zu={third}").data.decode()) == said[second]
    english = sentences(edited.get(f"/verlauf/{PATH}?zu={first}&lang=en").data.decode())
    assert english == ["Thematic field “Wohnen” added"]  # the data has no English name for it
    edited.get(f"/verlauf/{PATH}?lang=de")  # the choice is remembered in a cookie: back to German


def test_a_wiki_record_links_to_the_wikis_own_diff(client):
    page = client.get("/verlauf/themenfeld/wohnen").data.decode()
    assert "Aufbau" in page and "Wiki" in page
    assert re.search(r'href="https://istek\.oberhausen\.de/index\.php\?[^"]*oldid=\d+[^"]*"', page)


def test_an_unknown_version_or_record_is_404(edited):
    assert edited.get(f"/verlauf/{PATH}?zu=999999").status_code == 404
    assert edited.get("/verlauf/konzept/gibt-es-nicht").status_code == 404
    assert edited.get(f"/verlauf/{PATH}?zu=abc").status_code == 400


def test_what_changed_lists_the_latest_changes_filterable_by_kind_and_source(edited):
    page = edited.get("/aenderungen").data.decode()
    assert page.count("Einzelhandelskonzept") >= 3
    assert "Stand vor Beginn" not in page  # the state before the log began is no change
    assert edited.get("/aenderungen?art=vorlage").data.decode().count("Einzelhandelskonzept</a>") == 0
    by_source = edited.get("/aenderungen?quelle=graph-store").data.decode()
    assert by_source.count('href="/verlauf/konzept/einzelhandelskonzept?zu=') == 3
    assert 'type="application/atom+xml"' in page


def test_the_atom_feed_follows_the_same_changes(edited):
    response = edited.get("/aenderungen.atom?art=konzept")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 3
    assert all(e.find(f"{ATOM}title").text == "Einzelhandelskonzept geändert" for e in entries)
    assert all("/verlauf/konzept/einzelhandelskonzept?zu=" in e.find(f"{ATOM}link").get("href") for e in entries)
    assert feed.find(f"{ATOM}updated").text.startswith(entries[0].find(f"{ATOM}updated").text[:16])
