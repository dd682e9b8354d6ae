"""The real time limit: a runaway query is stopped at the limit (its process killed, its CPU freed) while
other queries keep being answered, and the worker serves again afterwards. Live server: one worker,
two query runners, a 1.5 s limit; once answering from the in-memory replica (runners forked from the
worker), once from the disk (runners started through a fork server), and once from the disk a worker
with write tokens holds (runners forked from it, replaced after each write)."""
from __future__ import annotations

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from graph.errors import QueryTimeout
from graph.query.executors import ForkExecutor, QueryJob
from tests.graph_store_data import AUTH, GOOD_CONCEPT, NEW_CONCEPT, NEW_GRAPH, TOKENS_ENV

LIMIT = 1.5
# Five-fold cross product of ~8,000 triples: runs for ages, returns one row.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"
SIMPLE = "ASK { ?s a ?type }"


@pytest.fixture(scope="module", params=["on", "off", "writer"], ids=["replica", "disk", "writer"])
def limited(request, start_live_server):
    """Runners forked from the worker over its replica; started through the fork server over the disk store
    opened read-only; forked from a worker that holds the disk store for writing (write tokens)."""
    extra = {"tokens": TOKENS_ENV} if request.param == "writer" else {"replica": request.param}
    server = start_live_server(workers=1, threads=4, query_processes=2, query_timeout=LIMIT, row_limit=5,
                               query_queue_wait=0.3, **extra)
    assert server.get("/ready").json()["store"] == {"on": "replica", "off": "disk", "writer": "disk"}[request.param]
    return server


def descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        out.extend(children)
        todo.extend(children)
    return out


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except (OSError, IndexError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def test_runaway_is_stopped_while_another_connection_is_answered(limited):
    with ThreadPoolExecutor(2) as pool:
        started = time.monotonic()
        runaway = pool.submit(limited.get, "/sparql", params={"query": RUNAWAY})
        time.sleep(0.3)
        answered_at = []
        while not runaway.done():
            r = limited.get("/sparql", params={"query": SIMPLE})
            assert r.status_code == 200 and r.json()["boolean"] is True
            answered_at.append(time.monotonic() - started)
            time.sleep(0.05)
        r = runaway.result()
        stopped_after = time.monotonic() - started
    assert r.status_code == 503, r.text
    assert r.json()["type"].endswith("/query-timeout")
    assert LIMIT <= stopped_after < LIMIT + 3
    assert answered_at and answered_at[0] < LIMIT, "a simple query was answered while the runaway ran"
    # Stopped for real: nothing in the server's process tree keeps burning CPU.
    tree = [limited.proc.pid, *descendants(limited.proc.pid)]
    before = cpu_seconds(tree)
    time.sleep(1.0)
    assert cpu_seconds(tree) - before < 0.5
    # And the worker serves again, with both runners at once.
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: limited.get("/sparql", params={"query": SIMPLE}), range(4)))
    assert all(a.status_code == 200 for a in answers)
    # Operators see it: the stop is counted.
    timeouts = [line for line in limited.get("/metrics").text.splitlines()
                if line.startswith('stadtgraph_query_timeouts_total{kind="sparql"}')]
    assert timeouts and float(timeouts[0].split()[-1]) >= 1


def tcp_socket_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            inodes |= {line.split()[9] for line in list(fh)[1:]}
    return inodes


def test_query_runners_hold_no_network_socket_of_the_server(limited):
    """A runner forked from a worker must not keep the worker's listening socket or a client's connection
    open (a closed connection would live on in it, and a stopped server's port stay taken)."""
    assert limited.get("/sparql", params={"query": RUNAWAY}).status_code == 503  # a runner killed, one forked
    assert limited.get("/sparql", params={"query": SIMPLE}).status_code == 200
    workers = {pid for pid in descendants(limited.proc.pid)
               if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1] == str(limited.proc.pid)}
    runners = [pid for pid in descendants(limited.proc.pid) if pid not in workers]
    assert runners, "the worker has query runners"
    tcp = tcp_socket_inodes()
    for pid in runners:
        held = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        sockets = {link[len("socket:["):-1] for link in held if link.startswith("socket:[")}
        assert not sockets & tcp, f"runner {pid} holds TCP sockets of the server: {held}"


def test_runners_all_busy_answers_503_with_retry_after(limited):
    with ThreadPoolExecutor(2) as pool:
        runaways = [pool.submit(limited.get, "/sparql", params={"query": RUNAWAY}) for _ in range(2)]
        time.sleep(0.4)
        # a query not asked before (one asked before is answered from the result cache, runners busy or not)
        r = limited.get("/sparql", params={"query": SIMPLE + " # while busy"})
        assert r.status_code == 503 and r.json()["type"].endswith("/overloaded")
        assert int(r.headers["Retry-After"]) >= 1
        assert all(f.result().status_code == 503 for f in runaways)
    assert limited.get("/sparql", params={"query": SIMPLE}).status_code == 200


def test_fork_executor_stops_an_in_memory_query(built_store, settings):
    executor = ForkExecutor(built_store, 1, 1.0)
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        executor.run(QueryJob(RUNAWAY, timeout=0.5))
    assert time.monotonic() - started < 2.5
    assert executor.run(QueryJob(SIMPLE, results_format="json")).written.body == b'{"head":{},"boolean":true}'


def _runners(server) -> dict[str, float]:
    text = server.get("/metrics").text
    return {event: float(value) for event, value in
            re.findall(r'^stadtgraph_query_runners_total\{event="(\w+)"\} ([0-9.e+]+)$', text, re.M)}


def test_a_writer_reuses_its_runners_between_writes_and_sees_each_write_at_once(live_writer):
    """With write tokens the worker holds the store for writing; its query runners are forked from it and
    kept between writes (not one process per query), and a write is seen by the very next query."""
    ask = f"ASK {{ <{NEW_CONCEPT}> ?p ?o }}"

    def query(text: str):
        response = live_writer.get("/sparql", params={"query": text},
                                   headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200, response.text
        return response.json()

    for n in range(30):  # distinct texts: none answered from the result cache
        query(f"SELECT ?s WHERE {{ ?s a ?t }} LIMIT {n + 1}")
    before = _runners(live_writer)
    assert 1 <= before.get("started", 0) <= 4, before  # at most one per thread, not one per query
    assert query(ask)["boolean"] is False

    response = live_writer.request("PUT", f"/graph-store?graph={NEW_GRAPH}", data=GOOD_CONCEPT,
                                   headers={"Content-Type": "text/turtle", **AUTH})
    assert response.status_code == 201, response.text
    assert query(ask)["boolean"] is True  # the next query is answered by a runner forked after the write
    for n in range(30):
        query(f"SELECT ?s WHERE {{ ?s a ?t }} LIMIT {n + 100}")
    after = _runners(live_writer)
    assert after.get("stale", 0) >= 1
    assert after["started"] - before["started"] <= 4 + 1, (before, after)

    assert live_writer.request("DELETE", f"/graph-store?graph={NEW_GRAPH}", headers=AUTH).status_code == 204
    assert query(ask)["boolean"] is False
