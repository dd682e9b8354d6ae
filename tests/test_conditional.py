"""Conditional requests and the result cache, both keyed by the store's version (web/conditional.py,
graph/query/result_cache.py, graph/store/version.py): a repeated request is a 304 or a cache hit until a
write changes the data, and never after it."""
from __future__ import annotations

import io
import subprocess
import sys

import pyoxigraph as ox
import pytest

from graph.query.executors import executor_for
from graph.store import OxigraphStore
from graph.store.version import StoreVersion
from server import create_app
from tests.graph_store_data import AUTH, GOOD_CONCEPT, NEW_CONCEPT, NEW_GRAPH, TOKENS

CONCEPT_PAGE = "/konzept/mobilitaetsstrategie"
ASK_NEW = f"ASK {{ <{NEW_CONCEPT}> ?p ?o }}"


@pytest.fixture
def writable(settings, built_store, tmp_path):
    s = settings.replace(tokens=TOKENS, audit_dir=str(tmp_path / "audit"), dump_dir=str(tmp_path / "dumps"))
    store = OxigraphStore(s)
    buf = io.BytesIO()
    built_store.dump(buf)
    store.raw.load(buf.getvalue(), format=ox.RdfFormat.N_QUADS)
    app = create_app(s, store=store)
    app.config["TESTING"] = True
    return app.test_client(), store


def _put_new_concept(client) -> None:
    r = client.put(f"/graph-store?graph={NEW_GRAPH}", data=GOOD_CONCEPT.encode(),
                   headers={"Content-Type": "text/turtle", **AUTH})
    assert r.status_code in (201, 204), r.data


@pytest.mark.parametrize("path,accept", [(CONCEPT_PAGE, "text/html"), (CONCEPT_PAGE, "text/turtle"),
                                         ("/catalog", "text/turtle"), ("/api/queries", "application/json"),
                                         ("/sparql?query=ASK%20%7B%7D", "application/sparql-results+json")])
def test_a_repeated_request_is_not_modified_until_a_write(writable, path, accept):
    client, _ = writable
    first = client.get(path, headers={"Accept": accept})
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"')
    again = client.get(path, headers={"Accept": accept, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == first.headers["ETag"]

    _put_new_concept(client)
    after = client.get(path, headers={"Accept": accept, "If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]


def test_the_tag_follows_what_the_answer_varies_by(writable):
    client, _ = writable
    html = client.get(CONCEPT_PAGE, headers={"Accept": "text/html"}).headers["ETag"]
    turtle = client.get(CONCEPT_PAGE, headers={"Accept": "text/turtle"}).headers["ETag"]
    english = client.get(CONCEPT_PAGE + "?lang=en", headers={"Accept": "text/html"}).headers["ETag"]
    assert len({html, turtle, english}) == 3
    # a tag of the Turtle answer does not make the HTML answer a 304
    assert client.get(CONCEPT_PAGE, headers={"Accept": "text/html", "If-None-Match": turtle}).status_code == 200


def test_answers_that_are_not_the_data_carry_no_tag_from_it(writable):
    client, _ = writable
    for path in ("/health", "/ready", "/metrics"):
        assert "ETag" not in client.get(path).headers, path


def test_a_repeated_query_is_answered_from_the_cache_until_a_write(writable):
    client, store = writable
    stats = executor_for(store, client.application.config["SETTINGS"]).stats

    def ask():
        r = client.get("/sparql", query_string={"query": ASK_NEW}, headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200
        return r.headers["X-Cache"], r.json["boolean"]

    runs = stats.queries
    assert ask() == ("miss", False)
    assert ask() == ("hit", False)
    assert stats.queries == runs + 1  # the cached answer is not counted as a query run
    assert stats.cache_hits >= 1

    _put_new_concept(client)
    assert ask() == ("miss", True)  # the write made the old answer unreachable
    metrics = client.get("/metrics").data.decode()
    assert 'stadtgraph_result_cache_total{kind="sparql",outcome="hit"}' in metrics


def test_a_write_by_another_process_changes_the_version(tmp_path):
    path = tmp_path / "store-version"
    ours = StoreVersion(path)
    before = ours.current()
    code = f"from graph.store.version import StoreVersion; from pathlib import Path; StoreVersion(Path({str(path)!r})).bump()"
    subprocess.run([sys.executable, "-c", code], check=True)
    assert ours.current() != before


def test_a_replicas_version_is_the_one_of_the_data_it_copied(settings, tmp_path):
    s = settings.replace(state_dir=str(tmp_path))
    disk = StoreVersion(tmp_path / "store-version")
    copied = StoreVersion.snapshot(s)
    assert copied.current() == disk.current()
    disk.bump()  # a harvest writes the on-disk store after the copy was made
    assert copied.current() != disk.current()  # the copy keeps saying which data it holds
