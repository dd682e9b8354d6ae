"""Crash repair of the write path: a writer killed between the asserted write and the inferred graph's update
leaves a mark, and the next writer's start brings the inferred graph up to date."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

from graph.pipeline.writes import pending_marker, repair_interrupted
from graph.settings import Settings
from graph.store import OxigraphStore
from server import create_app
from tests.graph_store_data import GOOD_CONCEPT, NEW_GRAPH, SYNERGY_ASK, TOKENS

pytestmark = pytest.mark.slow

# The writer, in a process of its own, killed with SIGKILL at the moment the asserted transaction has
# committed and the inferred graph's update has not begun (the second inference run of the write).
WRITER = textwrap.dedent("""
    import os, signal, sys
    import rdflib
    from graph.inference import refresh
    from graph.pipeline.writes import GraphWriter
    from graph.settings import Settings
    from graph.store import OxigraphStore

    path, audit, graph, body, kill = sys.argv[1:6]
    settings = Settings.from_mapping({"store": "oxigraph", "store_path": path, "audit_dir": audit})
    runs, compute = [], refresh.compute

    def killing_compute(*args, **kwargs):
        runs.append(1)
        if kill == "yes" and len(runs) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return compute(*args, **kwargs)

    refresh.compute = killing_compute
    store = OxigraphStore(settings, path)
    GraphWriter(settings, store).put(graph, rdflib.Graph().parse(data=body, format="turtle"), "stadtplanung")
    store.close()
""")


def _write(path, tmp_path, kill: bool) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WRITER, str(path), str(tmp_path / "audit"), NEW_GRAPH,
                           GOOD_CONCEPT, "yes" if kill else "no"], capture_output=True, text=True, timeout=300)


def test_a_kill_between_the_write_and_the_inference_is_repaired_at_the_next_start(live_store, tmp_path):
    path = tmp_path / "store"
    shutil.copytree(live_store, path)
    done = _write(path, tmp_path, kill=True)
    assert done.returncode == -signal.SIGKILL, done.stderr

    settings = Settings.from_mapping({"store": "oxigraph", "store_path": str(path), "tokens": TOKENS,
                                      "audit_dir": str(tmp_path / "audit")})
    store = OxigraphStore(settings, path, read_only=True)
    try:
        assert store.has_graph(NEW_GRAPH), "the asserted write committed before the kill"
        assert not store.query(SYNERGY_ASK), "the kill came before the inferred graph was updated"
        assert pending_marker(store).exists()
    finally:
        store.close()
    store = create_app(settings).config["STORE"]  # the writer's start: it opens the store read-write
    try:
        assert store.query(SYNERGY_ASK), "the start brought the inferred graph up to date"
        assert not pending_marker(store).exists()
        assert repair_interrupted(settings, store) is False
    finally:
        store.close()


def test_a_write_that_finishes_leaves_no_mark(live_store, tmp_path):
    path = tmp_path / "store"
    shutil.copytree(live_store, path)
    done = _write(path, tmp_path, kill=False)
    assert done.returncode == 0, done.stderr
    settings = Settings.from_mapping({"store": "oxigraph", "store_path": str(path)})
    store = OxigraphStore(settings, path, read_only=True)
    try:
        assert store.query(SYNERGY_ASK) and not pending_marker(store).exists()
    finally:
        store.close()
