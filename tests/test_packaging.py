"""The wheel, installed outside the checkout, builds and serves the shipped Oberhausen data: every resource
(ontology, shapes, queries, templates, static assets, data) travels inside the package, and what the
service writes goes to the state directory of the current directory, never next to the code."""
from __future__ import annotations

import os
import site
import subprocess
import sys
import time

import pytest
import requests

from graph.resources import PROJECT_ROOT
from tests.fixtures.live import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment in a temporary directory with only the wheel installed; the wheel's
    dependencies are the test environment's own (made visible by a .pth file: no network needed)."""
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(tmp / "dist"), str(PROJECT_ROOT)], check=True, capture_output=True, cwd=tmp)
    wheel = next((tmp / "dist").glob("stadtgraph-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    packages = next(venv.glob("lib/python*/site-packages"))
    (packages / "test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True,
                   capture_output=True)
    run = tmp / "run"
    run.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STADTGRAPH_", "PYTHONPATH"))}
    return venv, run, env


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    venv, run, env = installed
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import graph, server; print(graph.__file__); "
                            "print(server.__file__)"], cwd=run, env=env, capture_output=True, text=True, check=True)
    for line in where.stdout.split():
        assert line.startswith(str(venv)), line


def test_the_wheel_builds_serves_and_answers_a_query(installed):
    venv, run, env = installed
    build = subprocess.run([str(venv / "bin" / "stadtgraph"), "build"], cwd=run, env=env, capture_output=True,
                           text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-3000:]
    assert (run / "var" / "store").is_dir() and any((run / "var" / "dumps").iterdir())
    assert not list(venv.glob("lib/python*/site-packages/var")), "nothing is written next to the code"
    port = free_port()
    with open(run / "serve.log", "wb") as log:
        server = subprocess.Popen([str(venv / "bin" / "stadtgraph"), "serve", "--host", "127.0.0.1", "--port",
                                   str(port), "--workers", "1"], cwd=run, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None and time.monotonic() < deadline, (run / "serve.log").read_text()[-3000:]
            try:
                if requests.get(url + "/ready", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.3)
        answer = requests.get(url + "/sparql", params={"query": "SELECT (COUNT(?k) AS ?n) WHERE { ?k a "
                              "<https://daten.oberhausen.de/stadtgraph/ontology#Konzept> }"},
                              headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert answer.status_code == 200
        assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 10
        home = requests.get(url + "/", headers={"Accept": "text/html"}, timeout=30)
        assert home.status_code == 200 and "Themenfeld" in home.text  # the templates travelled
        assert requests.get(url + "/static/vendor/yasgui/yasgui.min.js", timeout=30).status_code == 200
        assert requests.get(url + "/api/queries", timeout=30).status_code == 200  # the curated queries
    finally:
        os.killpg(server.pid, 15)
        server.wait(30)
