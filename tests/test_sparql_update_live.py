"""SPARQL Update against real processes: SPARQLWrapper with an Authorization header against a live server on
127.0.0.1, and crash repair — a writer killed (SIGKILL) between the store write and the inference refresh
leaves a marker, and the next start brings the inferred graph up to date."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper

from graph.pipeline.writes import pending_path
from graph.settings import PROJECT_ROOT, Settings
from graph.store import OxigraphStore
from server import create_app
from tests.fixtures.live import start_server
from tests.graph_store_data import AUTH, GOOD_CONCEPT, NEW_GRAPH, SYNERGY_ASK, TOKENS, TOKENS_ENV

pytestmark = pytest.mark.slow
EX = "http://example.org/upd/"


@pytest.fixture
def store_copy(live_store, tmp_path):
    path = tmp_path / "store"
    shutil.copytree(live_store, path)
    return path


def _ask(url: str, query: str) -> bool:
    sw = SPARQLWrapper(url)
    sw.setQuery(query)
    sw.setReturnFormat(JSON)
    return sw.queryAndConvert()["boolean"]


@pytest.mark.parametrize("request_method", [URLENCODED, POSTDIRECTLY])
def test_sparqlwrapper_updates_with_a_bearer_token(store_copy, tmp_path, request_method):
    server = start_server(store_copy, tmp_path, workers=1, threads=2, tokens=TOKENS_ENV,
                          audit_dir=tmp_path / "audit")
    try:
        sw = SPARQLWrapper(server.sparql, updateEndpoint=server.sparql)
        sw.addCustomHttpHeader("Authorization", AUTH["Authorization"])
        sw.setMethod(POST)
        sw.setRequestMethod(request_method)
        sw.setQuery(f'INSERT DATA {{ <{EX}a> <{EX}p> "über" }}')
        assert sw.query().response.status == 200
        assert _ask(server.sparql, f'ASK {{ <{EX}a> <{EX}p> "über" }}')
        sw.setQuery(f'DELETE DATA {{ <{EX}a> <{EX}p> "über" }}')
        sw.query()
        assert not _ask(server.sparql, f'ASK {{ <{EX}a> <{EX}p> "über" }}')
        # without the header: 401 with a challenge
        r = server.post("/sparql", data={"update": f'INSERT DATA {{ <{EX}a> <{EX}p> 1 }}'})
        assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    finally:
        server.stop()


KILLER = textwrap.dedent("""
    import os, signal, sys
    import rdflib
    from graph.pipeline.writes import GraphWriter
    from graph.settings import Settings
    from graph.store import OxigraphStore

    settings = Settings.from_mapping(dict(store="oxigraph", store_path=sys.argv[1], audit_dir=sys.argv[2],
                                          tokens={"t": "0" * 64}))

    class DiesAfterTheStoreWrite(OxigraphStore):
        def replace_graphs(self, graphs, remove=()):
            super().replace_graphs(graphs, remove)
            os.kill(os.getpid(), signal.SIGKILL)  # after the asserted graphs, before the inference

    store = DiesAfterTheStoreWrite(settings, sys.argv[1])
    content = rdflib.Graph().parse(data=sys.stdin.read(), format="turtle")
    GraphWriter(settings, store).put(sys.argv[3], content, "t")
""")


def test_a_writer_killed_between_store_write_and_inference_is_repaired_at_start(store_copy, tmp_path):
    audit_dir = tmp_path / "audit"
    proc = subprocess.run([sys.executable, "-c", KILLER, str(store_copy), str(audit_dir), NEW_GRAPH],
                          input=GOOD_CONCEPT, text=True, cwd=PROJECT_ROOT, capture_output=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    settings = Settings.from_mapping({"store": "oxigraph", "store_path": str(store_copy),
                                      "audit_dir": str(audit_dir), "tokens": TOKENS})
    marker = pending_path(settings)
    assert json.loads(marker.read_text())["graphs"] == [NEW_GRAPH]
    stale = OxigraphStore(settings, store_copy, read_only=True)
    try:
        assert stale.has_graph(NEW_GRAPH)  # the write reached the store ...
        assert not stale.query(SYNERGY_ASK)  # ... and the inferred graph did not follow it
    finally:
        stale.close()
        del stale
    app = create_app(settings)  # the start: opens the store read-write and repairs
    store = app.config["STORE"]
    try:
        assert bool(store.query(SYNERGY_ASK))
        assert not marker.exists()
    finally:
        store.close()


def test_an_update_on_the_virtuoso_backend_goes_through_the_same_write_path(virtuoso, tmp_path):
    from graph.pipeline.build import build
    from graph.store import open_store
    from tests.fixtures.live import DATA

    settings = virtuoso.settings(data_dir=str(DATA), tokens=TOKENS, audit_dir=str(tmp_path / "audit"))
    store = open_store(settings)
    store.clear()
    build(settings, store)
    try:
        client = create_app(settings, store=store).test_client()
        headers = {"Content-Type": "application/sparql-update", **AUTH}
        body = GOOD_CONCEPT.replace("@prefix", "PREFIX").replace("> .", ">")
        prologue, _, triples = body.partition("<https://daten.oberhausen.de/stadtgraph/konzept/")
        text = f"{prologue} INSERT DATA {{ GRAPH <{NEW_GRAPH}> {{ <https://daten.oberhausen.de/stadtgraph/konzept/{triples} }} }}"
        r = client.post("/sparql", data=text.encode(), headers=headers)
        assert r.status_code == 200, r.get_data(as_text=True)
        assert store.has_graph(NEW_GRAPH) and bool(store.query(SYNERGY_ASK))
        r = client.post("/sparql", data=f"DROP GRAPH <{NEW_GRAPH}>".encode(), headers=headers)
        assert r.status_code == 200 and not store.has_graph(NEW_GRAPH) and not bool(store.query(SYNERGY_ASK))
    finally:
        store.clear()
