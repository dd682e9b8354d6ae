"""``stadtgraph serve`` answering from its in-memory replica: no server process holds the on-disk store, so
a build can run while it serves, and a SIGHUP to the master brings the new build in without a pause."""
from __future__ import annotations

import signal
import time

import pytest

from tests.fixtures.live import build_store, start_server


@pytest.fixture
def replica_server(tmp_path):
    store = build_store(tmp_path / "store")
    server = start_server(store, tmp_path, workers=1, threads=2, replica="on")
    yield server
    server.stop()


def test_a_rebuild_while_serving_is_answered_after_a_sighup(replica_server, tmp_path):
    first = replica_server.get("/ready").json()
    assert first["store"] == "replica"

    build_store(tmp_path / "store")  # the store is free: the server answers from its copy
    assert replica_server.get("/ready").json()["last_build"] == first["last_build"], "a copy, not the disk"

    replica_server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 60
    while True:
        ready = replica_server.get("/ready")
        assert ready.status_code == 200, ready.text  # old workers answer until the new ones are up
        if ready.json()["last_build"] != first["last_build"]:
            break
        assert time.monotonic() < deadline, "the new build was not served after SIGHUP"
        time.sleep(0.2)
    assert ready.json()["store"] == "replica" and ready.json()["last_build"] > first["last_build"]
    assert "replica of" in replica_server.log()
