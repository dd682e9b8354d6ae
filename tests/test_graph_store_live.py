"""Graph Store writes against real server processes: the embedded store's single writer (a write is seen by
its queries at once; kill -9 in the middle of a large write leaves the store before or after it), and two
stateless servers on one Virtuoso that see each other's writes at once."""
from __future__ import annotations

import os
import shutil
import signal
import threading
import time

import pytest
import requests

from graph.settings import Settings
from graph.store import OxigraphStore, open_store
from tests.fixtures.live import DATA, start_server
from tests.graph_store_data import AUTH, BASE, GOOD_CONCEPT, NEW_GRAPH, SYNERGY_ASK, TOKENS_ENV

pytestmark = pytest.mark.slow
TURTLE = {"Content-Type": "text/turtle", **AUTH}


def _ask(server, query: str) -> bool:
    response = server.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


@pytest.fixture
def store_copy(live_store, tmp_path):
    path = tmp_path / "store"
    shutil.copytree(live_store, path)
    return path


def test_the_single_writer_sees_its_write_at_once(store_copy, tmp_path):
    server = start_server(store_copy, tmp_path, workers=1, threads=4, tokens=TOKENS_ENV,
                          audit_dir=tmp_path / "audit")
    try:
        assert not _ask(server, SYNERGY_ASK)
        assert server.request("PUT", f"/graph-store?graph={NEW_GRAPH}", data=GOOD_CONCEPT,
                              headers=TURTLE).status_code == 201
        assert _ask(server, SYNERGY_ASK)  # the query runners see the write at once
        assert server.get(f"/graph-store?graph={NEW_GRAPH}").status_code == 200
    finally:
        server.stop()


def test_kill_9_in_the_middle_of_a_large_write_leaves_the_store_before_or_after_it(store_copy, tmp_path):
    subjects, per_subject = 2000, 100
    body = "".join(f'<http://example.org/bulk/s{i}> <http://example.org/bulk/p{j}> "v{i}-{j}" .\n'
                   for i in range(subjects) for j in range(per_subject)).encode()
    graph = BASE + "graph/bulk"
    before = OxigraphStore(Settings.from_mapping({}), store_copy, read_only=True)
    quads_before = len(before.raw)
    del before
    server = start_server(store_copy, tmp_path, workers=1, threads=2, tokens=TOKENS_ENV,
                          audit_dir=tmp_path / "audit", max_upload_bytes=200_000_000)
    try:
        sender = threading.Thread(target=lambda: _send_quietly(server, graph, body), daemon=True)
        sender.start()
        deadline = time.monotonic() + 120
        while "graph store write: applying" not in server.log():
            assert time.monotonic() < deadline and server.proc.poll() is None, server.log()[-3000:]
            time.sleep(0.02)
        time.sleep(0.3)  # well inside the transaction of 200,000 triples
        os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait(10)
        _wait_until_gone(server.proc.pid)  # the worker holding the store, too
    finally:
        server.stop()
    store = OxigraphStore(Settings.from_mapping({}), store_copy)
    try:
        written = store.count(graph)
        assert written in (0, subjects * per_subject), f"{written} triples: the write was torn"
        if written == 0:
            assert len(store.raw) == quads_before
    finally:
        store.close()


def _wait_until_gone(group: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError("processes of the killed server are still alive")


def _send_quietly(server, graph: str, body: bytes) -> None:
    try:
        server.request("PUT", f"/graph-store?graph={graph}", data=body,
                       headers={"Content-Type": "application/n-triples", **AUTH}, timeout=300)
    except requests.RequestException:
        pass  # the server is killed under it


def test_two_servers_on_one_virtuoso_see_each_others_writes_at_once(virtuoso, tmp_path):
    from graph.pipeline.build import build

    settings = virtuoso.settings(data_dir=str(DATA))
    store = open_store(settings)
    store.clear()
    build(settings, store)
    env = {name: getattr(settings, name) for name in (
        "store", "sparql_query_url", "sparql_update_url", "sparql_user", "sparql_password", "sparql_page_size")}
    servers = [start_server(tmp_path / f"unused-{i}", tmp_path, workers=2, tokens=TOKENS_ENV,
                            audit_dir=tmp_path / "audit", **env) for i in range(2)]
    a, b = servers
    try:
        assert b.get(f"/graph-store?graph={NEW_GRAPH}").status_code == 404
        assert a.request("PUT", f"/graph-store?graph={NEW_GRAPH}", data=GOOD_CONCEPT,
                         headers=TURTLE).status_code == 201
        assert b.get(f"/graph-store?graph={NEW_GRAPH}").status_code == 200
        assert _ask(b, SYNERGY_ASK)  # the derived synergies, seen by the other server
        assert b.request("DELETE", f"/graph-store?graph={NEW_GRAPH}", headers=AUTH).status_code == 204
        assert a.get(f"/graph-store?graph={NEW_GRAPH}").status_code == 404
        assert not _ask(a, SYNERGY_ASK)
    finally:
        for server in servers:
            server.stop()
        store.clear()
