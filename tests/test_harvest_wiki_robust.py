"""The wiki harvest when things go wrong, against the real test wiki (tests/fixtures/mediawiki.py): a wiki
that is down, a wiki that answers 503 with Retry-After, kill -9 in the middle of a harvest; and the snapshot
written from the wiki (``--snapshot``) reads as the shipped one."""
from __future__ import annotations

import gc
import http.server
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import rdflib

import cli
from graph.iris import Iris
from graph.loaders import load_paths
from graph.pipeline.build import build
from graph.pipeline.harvest import HARVEST_TIME, harvest_wiki, state_graph
from graph.settings import PROJECT_ROOT, Settings
from graph.sources.wiki.api import USER_AGENT, WikiClient, WikiUnavailable
from graph.store import OxigraphStore


def _open(settings: Settings, fn):
    """Open the on-disk store, call ``fn`` on it, and let go of it (RocksDB's lock goes with the object)."""
    store = OxigraphStore(settings, settings.store_path)
    try:
        return fn(store)
    finally:
        store.close()
        del store
        gc.collect()


def _settings(directory, api_url: str) -> Settings:
    return Settings.from_mapping({"store": "oxigraph", "store_path": str(directory / "store"),
                                  "data_dir": str(PROJECT_ROOT / "data"), "wiki_api_url": api_url,
                                  "audit_dir": str(directory / "audit"), "dump_dir": str(directory / "dumps"),
                                  "wiki_timeout": 5})


def _built(directory, api_url: str) -> Settings:
    settings = _settings(directory, api_url)
    _open(settings, lambda store: build(settings, store))
    return settings


def _content(settings: Settings) -> dict[str, set]:
    """Every graph but the provenance graph (build times) and the harvest state (refusal times), without
    harvest times; blank nodes by their triples' shape is not needed (a fresh read of the same text)."""
    iris = Iris(settings.base_iri)
    store = OxigraphStore(settings, settings.store_path, read_only=True)
    try:
        skip = {str(iris.provenance_graph), state_graph(iris)}
        out = {}
        for g in store.named_graphs():
            if g in skip:
                continue
            out[g] = {(s.n3() if not isinstance(s, rdflib.BNode) else "_", p.n3(),
                       o.n3() if not isinstance(o, rdflib.BNode) else "_")
                      for s, p, o in store.graph(g) if p != HARVEST_TIME}
        return out
    finally:
        store.close()
        del store
        gc.collect()


def test_a_wiki_that_is_down_fails_cleanly_and_the_graph_stays(tmp_path):
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens here once the socket is closed
    settings = _built(tmp_path, f"http://127.0.0.1:{port}/api.php")
    before = _content(settings)
    with pytest.raises(WikiUnavailable):
        _open(settings, lambda store: harvest_wiki(
            settings, store, client=WikiClient(settings.wiki_api_url, timeout=2, retries=1, backoff=0.1)))
    assert _content(settings) == before
    env = {**os.environ, "STADTGRAPH_STORE_PATH": settings.store_path, "STADTGRAPH_AUDIT_DIR": settings.audit_dir,
           "STADTGRAPH_WIKI_API_URL": settings.wiki_api_url, "STADTGRAPH_WIKI_TIMEOUT": "1"}
    done = subprocess.run([sys.executable, "cli.py", "harvest", "wiki"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "nicht erreichbar" in done.stderr, done.stderr


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Answers 503 with Retry-After the first time, then passes requests on to the real wiki."""

    seen: list[dict] = []
    target = ""

    def do_GET(self):  # noqa: N802 (the handler's API)
        import requests

        type(self).seen.append({"ua": self.headers.get("User-Agent"), "path": self.path, "t": time.monotonic()})
        if len(type(self).seen) == 1:
            self.send_response(503)
            self.send_header("Retry-After", "1")
            self.end_headers()
            return
        answer = requests.get(type(self).target + self.path.split("?", 1)[1] if "?" in self.path else type(self).target,
                              timeout=30)
        self.send_response(answer.status_code)
        self.send_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
        self.end_headers()
        self.wfile.write(answer.content)

    def log_message(self, *args):
        pass


def test_retries_honour_retry_after_and_every_request_says_who_asks(mediawiki):
    _Flaky.seen, _Flaky.target = [], mediawiki.api_url + "?"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = WikiClient(f"http://127.0.0.1:{server.server_address[1]}/api.php", backoff=0.1)
        titles = client.embedded_in("Vorlage:Konzeption")
    finally:
        server.shutdown()
    assert titles and client.requests == len(_Flaky.seen) == 2
    assert _Flaky.seen[1]["t"] - _Flaky.seen[0]["t"] >= 0.9  # waited as Retry-After asked, not the 0.1 s backoff
    assert all(s["ua"] == USER_AGENT for s in _Flaky.seen) and "stadtgraph" in USER_AGENT
    assert all("maxlag=5" in s["path"] for s in _Flaky.seen)


def test_kill_9_in_the_middle_then_a_second_harvest_is_as_if_it_ran_once(mediawiki, tmp_path):
    once = _built(tmp_path / "once", mediawiki.api_url)
    assert _open(once, lambda store: harvest_wiki(once, store)).mode == "full"

    killed = _built(tmp_path / "killed", mediawiki.api_url)
    env = {**os.environ, "STADTGRAPH_STORE_PATH": killed.store_path, "STADTGRAPH_AUDIT_DIR": killed.audit_dir,
           "STADTGRAPH_DUMP_DIR": killed.dump_dir, "STADTGRAPH_WIKI_API_URL": mediawiki.api_url}
    process = subprocess.Popen([sys.executable, "cli.py", "harvest", "wiki"], cwd=PROJECT_ROOT, env=env,
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    stored = 0
    for line in process.stderr:  # kill it after it has written a few pages, before it finished
        stored += line.startswith("· gespeichert")
        if stored == 3:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    # no cursor was saved: the work is done again
    assert _open(killed, lambda store: harvest_wiki(killed, store)).mode == "full"
    assert _content(killed) == _content(once)


def test_the_snapshot_from_the_wiki_reads_as_the_wiki(mediawiki, tmp_path):
    assert cli.main(["harvest", "wiki", "--api", mediawiki.api_url, "--snapshot", str(tmp_path)]) == 0
    iris = Iris(Settings().base_iri)
    from_wiki = load_paths([tmp_path], iris, root=tmp_path)
    titles = set(WikiClient(mediawiki.api_url).embedded_in("Vorlage:Konzeption"))
    assert not from_wiki.errors
    assert titles <= {r.source.page for r in from_wiki.records}
    assert all(r.source.revision for r in from_wiki.records)
    assert b"<contributor>" not in (tmp_path / "export" / "istek-export.xml").read_bytes()


def test_a_first_harvest_keeps_the_snapshot_record_of_a_page_whose_revision_is_refused(mediawiki, tmp_path):
    from graph.namespaces import OB

    title = "Freiraumentwicklungskonzept Osterfeld"
    good = mediawiki.text(title)
    year = good.split("Jahr der Veröffentlichung=", 1)[1][:4]
    settings = _built(tmp_path, mediawiki.api_url)
    mediawiki.edit(title, good.replace(f"Jahr der Veröffentlichung={year}", "Jahr der Veröffentlichung=1850"))
    try:
        report = _open(settings, lambda store: harvest_wiki(settings, store))
    finally:
        mediawiki.edit(title, good)
    assert report.mode == "full" and [r["title"] for r in report.refused] == [title]
    iri = Iris(settings.base_iri).konzept(title)

    def year_of(store):
        return [r["y"].value for r in store.query(f"SELECT ?y WHERE {{ GRAPH ?g {{ <{iri}> <{OB.veroeffentlichungsjahr}> ?y }} }}")]

    assert _open(settings, year_of) == [year]  # the build's record from the snapshot stays
