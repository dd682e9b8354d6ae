"""No outbound request on a caller's behalf: a listener the test opens sees no connection, whatever a
caller sends (SERVICE, LOAD, FROM, graph parameters, IRIs as curated-query parameters) — and even a
SERVICE query that slipped past the text check cannot connect from a query runner."""
from __future__ import annotations

import functools
import socket
import threading
import time

import pytest

from graph.errors import StadtgraphError
from graph.query.executors import ForkExecutor, PoolExecutor, QueryJob
from graph.query.runner_process import open_read_only
from graph.settings import Settings


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection attempt."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(1)
            try:
                self.connections.append(conn.recv(4096) or b"<connected>")
            except OSError:
                self.connections.append(b"<connected>")
            conn.close()

    def close(self) -> list[bytes]:
        if self._stop.is_set():
            return self.connections
        time.sleep(0.5)  # let any late attempt arrive before we look
        self._stop.set()
        self._thread.join(2)
        self.sock.close()
        return self.connections


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


def test_listener_does_see_a_connection(listener):
    # The check below can fail: a real connection is recorded.
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2) as conn:
        conn.sendall(b"hello")
    assert listener.close() == [b"hello"]


def test_no_request_reaches_the_listener_from_the_endpoint(live_server, listener):
    url = listener.url
    service = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    silent = f"SELECT * WHERE {{ ?x ?y ?z . SERVICE SILENT <{url}sparql> {{ ?s ?p ?o }} }} LIMIT 1"
    load = f"LOAD <{url}data.ttl>"
    answers = [
        live_server.get("/sparql", params={"query": service}),
        live_server.post("/sparql", data={"query": silent}),
        live_server.post("/sparql", data=service, headers={"Content-Type": "application/sparql-query"}),
        live_server.get("/sparql", params={"query": load}),
        live_server.post("/sparql", data={"update": load}),
        live_server.post("/sparql", data=load, headers={"Content-Type": "application/sparql-update"}),
        live_server.get("/sparql", params={"query": f"SELECT * FROM <{url}g> {{ ?s ?p ?o }}"}),
        live_server.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }", "default-graph-uri": url}),
        live_server.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }", "named-graph-uri": url}),
    ]
    for r in answers:
        assert r.status_code == 403, r.text
        assert r.headers["Content-Type"].startswith("application/problem+json")
    assert "SERVICE" in answers[0].json()["detail"]
    # An IRI given to a curated query is a term to match, never an address to fetch.
    r = live_server.get("/api/queries/synergien-eines-konzepts", params={"konzept": url})
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    assert listener.close() == []


def _service_job(url: str) -> QueryJob:
    # Straight to a runner, past the text check: only the runner's confinement stands in the way.
    return QueryJob(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", timeout=10)


def test_fork_runner_cannot_connect(built_store, listener):
    executor = ForkExecutor(built_store, 1, 1.0)
    with pytest.raises(StadtgraphError) as err:
        executor.run(_service_job(listener.url))
    assert "Permission denied" in err.value.detail
    assert executor.stats.sandboxed is True
    assert listener.close() == []


def test_pool_runner_cannot_connect(live_store, listener):
    settings = Settings.from_mapping({"store": "oxigraph", "store_path": str(live_store)})
    executor = PoolExecutor(functools.partial(open_read_only, settings, str(live_store)), 1, 1.0)
    try:
        with pytest.raises(StadtgraphError) as err:
            executor.run(_service_job(listener.url))
        assert "Permission denied" in err.value.detail
        assert executor.stats.sandboxed is True
    finally:
        executor.close()
    assert listener.close() == []
