"""Memento (RFC 7089) on every record IRI (web/history.py): the IRI is the original resource and its own
TimeGate (Accept-Datetime → 302 to the memento, Vary: accept-datetime), each version a memento with
Memento-Datetime and the Link relations original, timegate, timemap, and a TimeMap in link format."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import rdflib

from graph.publish.history import http_date
from tests.graph_store_data import AUTH, GOOD_CONCEPT, NEW_CONCEPT
from tests.history_data import writable_app

PATH = "/konzept/nahversorgungskonzept"
TURTLE = {"Content-Type": "text/turtle", **AUTH}
UNITS = ("fachbereich-5-1-10", "bereich-5-1", "bereich-5-6")


@pytest.fixture(scope="module")
def edited(settings, built_store, tmp_path_factory):
    """The new concept written three times, two seconds apart (HTTP dates count seconds, so a datetime
    lies strictly between two versions): its mementos."""
    app, store, s = writable_app(settings, built_store, tmp_path_factory.mktemp("memento"))
    client = app.test_client()
    for unit in UNITS:
        response = client.put(f"/graph-store?graph=https://daten.oberhausen.de/stadtgraph/graph{PATH}",
                              data=GOOD_CONCEPT.replace("fachbereich-5-1-10", unit), headers=TURTLE)
        assert response.status_code in (201, 204)
        time.sleep(2.05)
    timemap = client.get("/timemap" + PATH)
    mementos = re.findall(r'<([^>]+)>; rel="[^"]*memento"; datetime="([^"]+)"', timemap.data.decode())
    return client, mementos


def links(response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="([^"]+)"', response.headers.get("Link", ""))}


def test_the_timemap_lists_three_mementos_in_link_format(edited):
    client, mementos = edited
    response = client.get("/timemap" + PATH)
    assert response.status_code == 200 and response.mimetype == "application/link-format"
    assert len(mementos) == 3
    body = response.data.decode()
    assert f'<http://localhost{PATH}>; rel="original"' in body and 'rel="timegate"' in body
    assert 'rel="self"; type="application/link-format"' in body
    assert 'rel="first memento"' in body and 'rel="last memento"' in body


@pytest.mark.parametrize("case", ["exact", "between", "before", "after"])
def test_the_timegate_redirects_to_the_right_memento(edited, case):
    client, mementos = edited
    (m1, t1), (m2, t2), (m3, t3) = mementos
    wanted, expected = {
        "exact": (t2, m2),
        "between": (http_date(_parse(t2) + timedelta(seconds=1)), m2),  # after the second, before the third
        "before": ("Thu, 31 May 2007 20:35:00 GMT", m1),
        "after": ("Fri, 31 Dec 2100 23:59:59 GMT", m3),
    }[case]
    assert _parse(t2) + timedelta(seconds=1) < _parse(t3)
    response = client.get(PATH, headers={"Accept-Datetime": wanted})
    assert response.status_code == 302
    assert response.headers["Location"] == expected
    assert "accept-datetime" in response.headers["Vary"].lower()
    assert links(response).get("original timegate") == f"http://localhost{PATH}"
    assert "timemap" in links(response)


def _parse(value: str):
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(value)


@pytest.mark.parametrize("value", ["yesterday", "2026-12-07T10:00:00Z", "Mon, 07 Dec 2026 10:00:00 +0100"])
def test_a_malformed_accept_datetime_is_400(edited, value):
    client, _ = edited
    response = client.get(PATH, headers={"Accept-Datetime": value})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_the_original_carries_its_memento_links(edited):
    client, mementos = edited
    response = client.get(PATH, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    found = links(response)
    assert found["original timegate"] == f"http://localhost{PATH}"
    assert found["timemap"] == f"http://localhost/timemap{PATH}"
    assert found["first memento"] == mementos[0][0] and found["last memento"] == mementos[-1][0]
    assert "accept-datetime" in response.headers["Vary"].lower()


@pytest.mark.parametrize("fmt,parse", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                       ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_every_rdf_format_of_a_memento_is_that_version(edited, fmt, parse):
    client, mementos = edited
    for (url, when), unit in zip(mementos, UNITS, strict=True):
        response = client.get(url, headers={"Accept": fmt})
        assert response.status_code == 200 and response.mimetype == fmt
        assert response.headers["Memento-Datetime"] == when
        found = links(response)
        assert found["original timegate"] == f"http://localhost{PATH}" and "timemap" in found
        assert any(rel.endswith("memento") and u == url for rel, u in found.items())
        g = rdflib.Graph().parse(data=response.data, format=parse)
        units = {str(o) for o in g.objects(rdflib.URIRef(NEW_CONCEPT),
                                           rdflib.URIRef("https://daten.oberhausen.de/stadtgraph/ontology#zustaendigeEinheit"))}
        assert units == {f"https://daten.oberhausen.de/stadtgraph/organisation/{unit}"}


def test_a_memento_has_a_page_for_people(edited):
    client, mementos = edited
    response = client.get(mementos[0][0], headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.data.decode()
    assert "Frühere Fassung vom " + mementos[0][1] in page
    assert "Fachbereich 5-1-10" in page and "Nahversorgungskonzept" in page
    assert response.headers["Memento-Datetime"] == mementos[0][1]


def test_a_deleted_record_has_a_memento_of_its_deletion(settings, built_store, tmp_path):
    app, _, _ = writable_app(settings, built_store, tmp_path)
    client = app.test_client()
    graph = f"https://daten.oberhausen.de/stadtgraph/graph{PATH}"
    assert client.put(f"/graph-store?graph={graph}", data=GOOD_CONCEPT, headers=TURTLE).status_code == 201
    assert client.delete(f"/graph-store?graph={graph}", headers=AUTH).status_code == 204
    response = client.get(PATH, headers={"Accept-Datetime": "Fri, 31 Dec 2100 23:59:59 GMT"})
    assert response.status_code == 302
    gone = client.get(response.headers["Location"], headers={"Accept": "text/turtle"})
    assert gone.status_code == 410 and "Memento-Datetime" in gone.headers
    assert client.get(PATH, headers={"Accept-Datetime": "Thu, 31 May 2007 20:35:00 GMT"}).status_code == 302
