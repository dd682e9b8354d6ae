"""Operations: /health, /ready, /metrics and the JSON log lines an operator reads."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap

import pytest
from prometheus_client.parser import text_string_to_metric_families

from graph.ops import logs
from graph.settings import PROJECT_ROOT

MACHINE = {"Accept": "application/json"}


def samples(client) -> dict[tuple, float]:
    """/metrics as {(sample name, sorted labels): value}."""
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    out = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def requests_of(metrics: dict, route: str, status: str, method: str = "GET") -> float:
    key = ("stadtgraph_http_requests_total", (("method", method), ("route", route), ("status", status)))
    return metrics.get(key, 0.0)


class BrokenStore:
    """A store whose every question fails, as a remote store does when the network is gone."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionRefusedError("connection refused by 10.0.0.7:8890")

        return fail


@pytest.fixture
def empty_app(settings):
    from graph.store import open_store
    from server import create_app

    return create_app(settings, store=open_store(settings))


# ---- health and readiness ---------------------------------------------------------------------------
def test_health_answers_without_touching_the_store(settings):
    from server import create_app

    client = create_app(settings, store=BrokenStore()).test_client()  # type: ignore[arg-type]
    response = client.get("/health")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert client.get("/ready", headers=MACHINE).status_code == 503


def test_ready_reports_the_age_of_the_last_build(client):
    response = client.get("/ready")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready" and body["last_build"]
    assert 0 <= body["last_build_age_seconds"] < 24 * 3600


def test_ready_on_an_empty_store_is_503_problem_json(empty_app):
    response = empty_app.test_client().get("/ready", headers=MACHINE)
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"].endswith("/not-ready") and body["request_id"] == response.headers["X-Request-Id"]


def test_ready_on_an_unreachable_store_is_503_without_internals(settings, caplog):
    from server import create_app

    client = create_app(settings, store=BrokenStore()).test_client()  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="stadtgraph.ops"):
        response = client.get("/ready", headers=MACHINE)
    assert response.status_code == 503 and response.get_json()["type"].endswith("/store-unavailable")
    assert "10.0.0.7" not in response.get_data(as_text=True)
    # The operator's log keeps the cause.
    logged = [logs.JsonFormatter().format(r) for r in caplog.records if r.name == "stadtgraph.ops"]
    assert any("10.0.0.7" in line for line in logged)


# ---- metrics ----------------------------------------------------------------------------------------
def test_metrics_count_requests_by_route_and_status(client):
    before = samples(client)
    for _ in range(3):
        client.get("/health")
    client.get("/konzept/gibt-es-nicht-4711", headers=MACHINE)
    client.post("/health", headers=MACHINE)
    after = samples(client)
    assert requests_of(after, "/health", "200") - requests_of(before, "/health", "200") == 3
    assert requests_of(after, "/<path:subpath>", "404") - requests_of(before, "/<path:subpath>", "404") == 1
    assert requests_of(after, "/health", "405", "POST") - requests_of(before, "/health", "405", "POST") == 1
    latency = ("stadtgraph_http_request_duration_seconds_count", (("method", "GET"), ("route", "/health")))
    assert after[latency] - before.get(latency, 0) == 3
    # Labels are URL rules, never the raw path: a stranger cannot grow the number of time series.
    assert "gibt-es-nicht-4711" not in client.get("/metrics").get_data(as_text=True)


def test_unknown_methods_share_one_label(client):
    client.open("/health", method="BREW")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'method="BREW"' not in text and 'method="OTHER"' in text


def test_metrics_show_store_size_and_last_build(client, built_store):
    metrics = samples(client)
    assert metrics[("stadtgraph_store_quads", ())] == built_store.count()
    assert metrics[("stadtgraph_last_build_timestamp_seconds", ())] > 1.7e9


def test_a_build_leaves_its_durations_in_the_metrics(client, settings):
    from graph.pipeline.build import build
    from graph.store import open_store

    small = settings.replace(data_dir=str(PROJECT_ROOT / "tests" / "fixtures" / "data_small"))
    before = samples(client)
    build(small, open_store(small))
    after = samples(client)
    for phase in ("load", "validate", "write", "infer", "total"):
        key = ("stadtgraph_build_duration_seconds_count", (("phase", phase),))
        assert after[key] - before.get(key, 0) == 1, phase
    infer = ("stadtgraph_build_duration_seconds_sum", (("phase", "infer"),))
    assert after[infer] > before.get(infer, 0)


def test_counters_other_modules_increment_are_exposed(client):
    from graph.ops import metrics

    before = samples(client)
    metrics.query_timed_out("sparql")
    metrics.result_cut("curated")
    metrics.validation_refused(2, "upload")
    after = samples(client)
    for name, label, value, n in (("stadtgraph_query_timeouts_total", "kind", "sparql", 1),
                                  ("stadtgraph_results_truncated_total", "kind", "curated", 1),
                                  ("stadtgraph_validation_refusals_total", "where", "upload", 2)):
        key = (name, ((label, value),))
        assert after[key] - before.get(key, 0) == n, name


def test_metrics_add_up_over_worker_processes(tmp_path):
    """With several gunicorn workers each process writes its own file; /metrics sums them."""
    script = textwrap.dedent("""
        import sys
        from graph.ops import metrics
        metrics.observe_request("/sparql", "GET", 200, 0.01)
        if sys.argv[1] == "show":
            sys.stdout.write(metrics.exposition().decode())
    """)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(PROJECT_ROOT)}
    for arg in ("count", "count", "show"):
        done = subprocess.run([sys.executable, "-c", script, arg], env=env, capture_output=True, text=True,
                              check=True, cwd=PROJECT_ROOT)
    value = [s.value for f in text_string_to_metric_families(done.stdout) for s in f.samples
             if s.name == "stadtgraph_http_requests_total" and s.labels.get("route") == "/sparql"]
    assert value == [3.0]


def test_serve_empties_the_metrics_directory(tmp_path, monkeypatch, settings):
    from serving import share_metrics

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")  # restored after the test
    stale = tmp_path / "metrics" / "counter_4711.db"
    stale.parent.mkdir()
    stale.write_bytes(b"old")
    share_metrics(settings.replace(metrics_dir=str(stale.parent)))
    assert not stale.exists() and os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(stale.parent)


# ---- logs -------------------------------------------------------------------------------------------
def test_one_json_access_line_per_request(client, caplog):
    with caplog.at_level(logging.INFO, logger=logs.ACCESS_LOGGER):
        client.get("/suche?q=Klima", headers={"X-Request-Id": "trace-42", "Accept": "text/html"})
    lines = [json.loads(logs.JsonFormatter().format(r)) for r in caplog.records if r.name == logs.ACCESS_LOGGER]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "trace-42"
    assert (line["method"], line["route"], line["path"], line["status"]) == ("GET", "/suche", "/suche", 200)
    assert line["duration_ms"] >= 0 and line["bytes"] > 0 and line["remote_addr"] == "127.0.0.1"
    assert line["time"].endswith("+00:00")


def test_error_log_is_json_with_the_request_id_of_the_answer(settings, built_store, caplog):
    from server import create_app

    app = create_app(settings, store=built_store)

    @app.get("/kaputt")
    def broken():
        raise ZeroDivisionError("Teilung durch null im Test")

    with caplog.at_level(logging.ERROR, logger="stadtgraph.server"):
        response = app.test_client().get("/kaputt", headers=MACHINE)
    request_id = response.get_json()["request_id"]
    errors = [json.loads(logs.JsonFormatter().format(r)) for r in caplog.records if r.name == "stadtgraph.server"]
    assert len(errors) == 1
    assert errors[0]["request_id"] == request_id and errors[0]["level"] == "ERROR"
    assert "ZeroDivisionError" in errors[0]["exception"]  # the trace is in the log, not in the answer
    assert "ZeroDivisionError" not in response.get_data(as_text=True)


def test_log_lines_of_any_module_carry_the_request_id(settings, built_store, caplog):
    from server import create_app

    app = create_app(settings, store=built_store)

    @app.get("/spricht")
    def talks():
        logging.getLogger("stadtgraph.irgendwo").warning("etwas fiel auf")
        return "ok"

    with caplog.at_level(logging.WARNING, logger="stadtgraph.irgendwo"):
        response = app.test_client().get("/spricht", headers={"X-Request-Id": "r-1"})
    assert response.status_code == 200
    line = json.loads(logs.JsonFormatter().format(caplog.records[-1]))
    assert line["request_id"] == "r-1" and line["message"] == "etwas fiel auf"
    assert logs.request_id.get() is None  # nothing leaks into the next request on this thread


@pytest.mark.slow
def test_gunicorn_serves_json_logs_shared_metrics_and_no_version(tmp_path):
    """The real server: two workers, their metrics summed, JSON lines on stderr, no version anywhere."""
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "STADTGRAPH_STORE": "memory", "STADTGRAPH_WORKERS": "2", "STADTGRAPH_THREADS": "2",
           "STADTGRAPH_METRICS_DIR": str(tmp_path / "metrics")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with open(tmp_path / "stderr", "w+") as stderr:
        server = subprocess.Popen([sys.executable, "cli.py", "serve", "--port", str(port)], cwd=PROJECT_ROOT,
                                  env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(base + "/health", timeout=5)  # the workers may still be booting
                    break
                except OSError:
                    assert time.monotonic() < deadline, "server did not start"
                    time.sleep(0.2)
            for _ in range(20):
                with urllib.request.urlopen(base + "/health", timeout=1) as response:
                    assert response.status == 200
                    assert not any(c.isdigit() for c in response.headers.get("Server", ""))
            with pytest.raises(urllib.error.HTTPError) as missing:
                urllib.request.urlopen(base + "/gibt/es/nicht", timeout=5)
            assert missing.value.code == 404 and "Traceback" not in missing.value.read().decode()
            with pytest.raises(urllib.error.HTTPError) as too_long:
                # longer than the app's limit, shorter than gunicorn's: the app's own answer
                urllib.request.urlopen(base + "/suche?q=" + "a" * 8000, timeout=5)
            assert too_long.value.code == 414
            assert too_long.value.headers["Content-Type"] == "application/problem+json"
            with urllib.request.urlopen(base + "/metrics", timeout=5) as response:
                text = response.read().decode()
            counted = [s.value for f in text_string_to_metric_families(text) for s in f.samples
                       if s.name == "stadtgraph_http_requests_total" and s.labels["route"] == "/health"
                       and s.labels["status"] == "200"]
            assert sum(counted) >= 21  # the start-up probe(s) and 20 more, whichever worker answered
        finally:
            server.terminate()
            server.wait(timeout=20)
        stderr.seek(0)
        lines = [json.loads(line) for line in stderr.read().splitlines() if line.startswith("{")]
        access = [line for line in lines if line.get("logger") == logs.ACCESS_LOGGER]
        assert any(line["route"] == "/health" and line["status"] == 200 and line.get("request_id") for line in access)
        assert any(line["status"] == 404 for line in access)
