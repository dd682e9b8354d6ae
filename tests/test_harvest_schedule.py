"""Sources fresh by themselves: ``stadtgraph serve`` with ``harvest_interval`` harvests the council in its
master process only (one harvest at a time, whatever the number of workers), reloads what the workers
answer from, and says on /status, /ready and /metrics how fresh each source is."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time

import pytest
import requests

from graph.ops import freshness
from graph.settings import Settings
from tests.fixtures.live import start_server
from tests.fixtures.oparl import shipped_fixture

pytestmark = pytest.mark.slow
OPARL_OBJEKT = "https://daten.oberhausen.de/stadtgraph/ontology#oparlObjekt"


def wait_for(check, seconds: float = 90.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError("not within time")


def test_the_server_harvests_on_schedule_once_at_a_time_and_says_how_fresh(live_store, tmp_path):
    endpoint = shipped_fixture()
    store = tmp_path / "store"
    shutil.copytree(live_store, store)
    server = start_server(store, tmp_path, workers=2, harvest_interval=1, oparl_system_url=endpoint.system_url,
                          state_dir=tmp_path / "state")
    try:
        status = wait_for(lambda: (s := requests.get(server.url + "/status", timeout=5).json())["sources"]
                          .get("oparl", {}).get("last_success") and s)
        assert status["sources"]["oparl"]["stored"] == 15 and status["sources"]["oparl"]["last_error"] is None
        assert status["sources"]["oparl"]["behind_seconds"] < 60

        def served_title():
            r = requests.get(server.url + "/vorlage/b-16-5505-01", headers={"Accept": "text/turtle"}, timeout=5)
            return r.text if OPARL_OBJEKT in r.text or "oparlObjekt" in r.text else None

        wait_for(served_title)  # the workers answer from the reloaded replica
        paper = endpoint.find("B/16/5505-01")
        paper["name"] = "Ein neuer Betreff aus dem Ratsinformationssystem"
        endpoint.touch(paper)
        wait_for(lambda: "Ein neuer Betreff aus dem Ratsinformationssystem" in requests.get(
            server.url + "/vorlage/b-16-5505-01", headers={"Accept": "text/turtle"}, timeout=5).text)

        runs = requests.get(server.url + "/status", timeout=5).json()["sources"]["oparl"]["runs"]
        system_hits = sum(1 for p in endpoint.requests if p.startswith("/oparl/system"))
        assert runs >= 2 and system_hits <= runs + 1, (runs, system_hits)  # one schedule, not one per worker
        ready = requests.get(server.url + "/ready", timeout=5).json()
        assert ready["harvests"]["oparl"]["runs"] >= 2
        exposition = requests.get(server.url + "/metrics", timeout=5).text
        assert 'stadtgraph_harvest_records{change="stored",source="oparl"}' in exposition
        assert 'stadtgraph_harvest_last_success_timestamp_seconds{source="oparl"}' in exposition
    finally:
        server.stop()
        endpoint.stop()


def test_two_harvests_never_run_at_once(tmp_path):
    settings = Settings.from_mapping({"state_dir": str(tmp_path), "oparl_system_url": "http://127.0.0.1:9/oparl"})
    with freshness.harvest_lock(settings):
        done = subprocess.run([sys.executable, "-m", "cli", "harvest", "oparl"], capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "STADTGRAPH_STATE_DIR": str(tmp_path),
                                   "STADTGRAPH_OPARL_SYSTEM_URL": "http://127.0.0.1:9/oparl"}, timeout=120)
    assert done.returncode == 3 and "läuft bereits" not in done.stdout and "Sperre" in done.stderr


def test_a_failed_harvest_is_on_the_status(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "STADTGRAPH_STATE_DIR": str(tmp_path), "STADTGRAPH_STORE": "memory",
           "STADTGRAPH_OPARL_SYSTEM_URL": "http://127.0.0.1:9/oparl/system", "STADTGRAPH_OPARL_TIMEOUT": "1"}
    done = subprocess.run([sys.executable, "-m", "cli", "harvest", "oparl"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 2
    settings = Settings.from_mapping({"state_dir": str(tmp_path), "oparl_system_url": "http://127.0.0.1:9/oparl/system"})
    entry = freshness.summary(settings)["oparl"]
    assert entry["failures"] == 1 and "127.0.0.1:9" in entry["last_error"] and entry["behind_seconds"] is None
