"""Limits that hold under load, against the real server: an over-large body is refused unread, slow clients
(slowloris) do not starve the others, a worker runs a bounded number of expensive requests, and pages,
search, catalog and VoID are stopped at the query time limit like the endpoint's queries.
"""
from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from graph.errors import QueryTimeout
from graph.ops import metrics
from graph.query.limited_store import LimitedStore, time_limit

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
# The same for a page query that binds ?q or ?s (a substituted variable must be projected).
RUNAWAY_PAGE = f"SELECT ?q ?s ?n WHERE {{ {{ {RUNAWAY} }} }}"


def read_response(sock: socket.socket, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response from a raw socket (the body by Content-Length)."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def closed_by_server(sock: socket.socket, timeout: float = 2.0) -> bool:
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


# ---- bodies ------------------------------------------------------------------------------------------
def test_huge_declared_body_is_refused_without_reading_it(live_server):
    with socket.create_connection(("127.0.0.1", live_server.port)) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Accept: application/json\r\nContent-Length: 10000000000\r\n\r\n")
        # Not a byte of the body has been sent, and the answer is there already.
        status, headers, _body = read_response(sock, timeout=2)
        assert status == 413 and headers["content-type"] == "application/problem+json"
        assert headers["connection"] == "close"
        assert closed_by_server(sock), "the server kept the connection open to read (or drain) the body"


def test_chunked_body_without_length_is_cut_at_the_limit(live_server):
    sent = 0
    with socket.create_connection(("127.0.0.1", live_server.port)) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Accept: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"10000\r\n" + b"#" * 0x10000 + b"\r\n"
        sock.settimeout(2)
        try:
            while sent < 64_000_000:
                sock.sendall(chunk)
                sent += 0x10000
        except OSError:
            pass  # the server answered and closed: stop sending
        status, _headers, body = read_response(sock, timeout=2)
    assert status == 413 and b"payload-too-large" in body
    assert sent < 16_000_000, f"the server read {sent} bytes of a body limited to 1 MB"


def test_expect_100_continue_asks_for_a_body_only_within_the_limit(live_server):
    head = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n")
    with socket.create_connection(("127.0.0.1", live_server.port)) as sock:
        sock.sendall(head % 7)
        sock.settimeout(2)
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"ASK { }")
        assert read_response(sock)[0] == 200
    with socket.create_connection(("127.0.0.1", live_server.port)) as sock:
        sock.sendall(head % 50_000_000)
        assert read_response(sock, timeout=2)[0] == 413  # at once: no 100 Continue, no body wanted


MALFORMED = [
    b"\x00\xff garbage\r\n\r\n",
    b"GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nASK ",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nASK\r\n0\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
]


@pytest.mark.parametrize("payload", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_requests_are_refused_and_the_worker_serves_on(live_server, payload):
    with socket.create_connection(("127.0.0.1", live_server.port)) as sock:
        sock.sendall(payload)
        try:
            status, _, _ = read_response(sock, timeout=3)
        except (TimeoutError, ConnectionResetError):
            status = None
    assert status is None or 400 <= status < 500
    assert live_server.get("/health", timeout=2).status_code == 200


# ---- slow clients ------------------------------------------------------------------------------------
class SlowClients:
    """Connections that send a request a byte at a time (headers or body), or nothing at all."""

    def __init__(self, port: int, *, headers: int, bodies: int, idle: int) -> None:
        self.socks: list[tuple[socket.socket, bytes]] = []
        for _ in range(headers):
            self._open(port, b"GET /health HTTP/1.1\r\nHost: x\r\n", b"X-Slow: y\r\n")
        for _ in range(bodies):
            self._open(port, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                       b"Content-Length: 100000\r\n\r\nASK", b" ")
        for _ in range(idle):
            self._open(port, b"", b"")
        self.running = True
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _open(self, port: int, first: bytes, more: bytes) -> None:
        sock = socket.create_connection(("127.0.0.1", port))
        if first:
            sock.sendall(first)
        self.socks.append((sock, more))

    def _trickle(self) -> None:
        while self.running:
            for sock, more in self.socks:
                if more:
                    try:
                        sock.send(more[:1])
                    except OSError:
                        pass
            time.sleep(0.3)

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        for sock, _ in self.socks:
            sock.close()


def test_slow_clients_do_not_starve_the_others(live_server):
    slow = SlowClients(live_server.port, headers=24, bodies=12, idle=12)
    try:
        time.sleep(1.0)
        for path, params in [("/health", None), ("/", None), ("/sparql", {"query": "ASK { ?s ?p ?o }"}),
                             ("/api/queries/zustaendigkeiten", None), ("/konzept/klimaanpassungskonzept", None)]:
            started = time.monotonic()
            response = live_server.get(path, params=params, timeout=5)
            assert response.status_code == 200, path
            assert time.monotonic() - started < 1.0, f"{path} took {time.monotonic() - started:.2f} s"
    finally:
        slow.close()


def test_a_client_too_slow_with_its_head_gets_408(start_live_server):
    server = start_live_server(client_timeout=1)
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        sock.settimeout(0.2)
        status = None
        while time.monotonic() - started < 5 and status is None:
            try:
                sock.send(b"X")  # a byte now and then never completes the head
                status, _headers, body = read_response(sock, timeout=0.3)
            except TimeoutError:
                continue
            except OSError:
                break
    assert status == 408 and b"request-timeout" in body
    assert 1.0 <= time.monotonic() - started < 3.5
    cut = [line for line in server.get("/metrics").text.splitlines()
           if line.startswith('stadtgraph_clients_cut_off_total{reason="timeout"}')]
    assert cut and float(cut[0].split()[-1]) >= 1


# ---- expensive requests per worker -------------------------------------------------------------------
def test_expensive_requests_beyond_the_bound_get_503_while_health_answers(start_live_server):
    server = start_live_server(workers=1, threads=4, max_expensive_requests=1, expensive_queue_wait=0.1,
                               query_timeout=2)
    with ThreadPoolExecutor(1) as pool:
        runaway = pool.submit(server.get, "/sparql", params={"query": RUNAWAY})
        time.sleep(0.5)
        started = time.monotonic()
        page = server.get("/konzept/klimaanpassungskonzept", headers={"Accept": "application/json"})
        assert page.status_code == 503 and page.json()["type"].endswith("/overloaded")
        assert int(page.headers["Retry-After"]) >= 1
        health = server.get("/health")
        assert health.status_code == 200 and time.monotonic() - started < 1.0
        assert runaway.result().status_code == 503  # stopped at the time limit
    assert server.get("/konzept/klimaanpassungskonzept").status_code == 200
    refused = [line for line in server.get("/metrics").text.splitlines()
               if line.startswith("stadtgraph_requests_over_capacity_total")]
    assert refused and float(refused[0].split()[-1]) >= 1


# ---- pages under the time limit ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def disk_app(live_store):
    """The app over the on-disk store, as served: page queries run in killable runner processes."""
    from graph.settings import Settings
    from server import create_app

    settings = Settings.from_mapping({"store": "oxigraph", "store_path": str(live_store), "query_timeout": 1.0})
    app = create_app(settings)
    app.config["TESTING"] = True
    return app


@pytest.mark.parametrize("module, name, path", [
    ("graph.pages.overview", "_COUNTS", "/"),
    ("graph.pages.describe", "_OUT", "/konzept/klimaanpassungskonzept"),
    ("graph.publish.void", "_TRIPLES", "/.well-known/void"),
], ids=["home", "resource", "void"])
def test_a_runaway_page_is_stopped_at_the_time_limit(disk_app, monkeypatch, module, name, path):
    import importlib

    client = disk_app.test_client()
    stopped_before = metrics.QUERY_TIMEOUTS.labels("page")._value.get()
    monkeypatch.setattr(importlib.import_module(module), name, RUNAWAY_PAGE)
    started = time.monotonic()
    response = client.get(path, headers={"Accept": "application/json"})
    took = time.monotonic() - started
    assert response.status_code == 503 and response.get_json()["type"].endswith("/query-timeout")
    assert took < 2.5, f"the page held its thread {took:.1f} s with a 1 s limit"
    assert metrics.QUERY_TIMEOUTS.labels("page")._value.get() == stopped_before + 1
    monkeypatch.undo()
    assert client.get(path).status_code == 200  # the runner was replaced, the worker serves on


def test_a_curated_query_is_stopped_at_the_time_limit(disk_app, monkeypatch):
    query = disk_app.extensions["stadtgraph.curated"]["zustaendigkeiten"]
    monkeypatch.setattr(query, "text", RUNAWAY)
    started = time.monotonic()
    response = disk_app.test_client().get("/api/queries/zustaendigkeiten")
    assert response.status_code == 503 and response.get_json()["type"].endswith("/query-timeout")
    assert time.monotonic() - started < 2.5


def test_a_curated_result_is_cut_at_the_row_limit(settings, built_store):
    from server import create_app

    client = create_app(settings.replace(row_limit=2), store=built_store).test_client()
    response = client.get("/api/queries/zustaendigkeiten", headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and response.headers["X-Result-Truncated"] == "true"
    assert len(response.get_json()["results"]["bindings"]) == 2


def test_page_queries_are_cut_at_the_row_limit(settings, built_store):
    store = LimitedStore(built_store, settings.replace(row_limit=3))
    cut_before = metrics.RESULTS_CUT.labels("page")._value.get()
    rows = list(store.query("SELECT ?s WHERE { ?s ?p ?o }"))
    assert len(rows) == 3
    assert metrics.RESULTS_CUT.labels("page")._value.get() == cut_before + 1


def test_a_request_whose_time_is_up_runs_no_further_query(settings, built_store):
    store = LimitedStore(built_store, settings)
    with time_limit(0.05):
        assert store.query("ASK { ?s ?p ?o }")
        time.sleep(0.06)
        with pytest.raises(QueryTimeout):
            store.query("ASK { ?s ?p ?o }")


def test_limited_store_reads_but_never_writes(settings, built_store):
    store = LimitedStore(built_store, settings)
    assert store.count() == built_store.count()
    with pytest.raises(Exception, match="pages do not write"):
        store.clear()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    monkeypatch.setattr(requests.Session, "trust_env", False, raising=False)
