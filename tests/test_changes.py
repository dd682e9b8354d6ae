"""The end of the one write path (graph/pipeline/changes.py): every accepted write is told to the followers
once, with each record graph's content before and after; a refused write is not; a follower that fails
leaves the crash marker, and the next start repairs it."""
from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import rdflib

from graph.errors import ValidationFailed
from graph.pipeline.changes import Followers
from graph.pipeline.writes import GraphWriter, pending_path, repair_after_crash
from graph.store import OxigraphStore
from tests.graph_store_data import BASE, GOOD_CONCEPT, MALFORMED_VORLAGE, NEW_GRAPH, VORLAGE_GRAPH


class Recorder:
    """A follower that keeps what it was told (the thing under test is the writer's telling)."""

    def __init__(self, fail: bool = False) -> None:
        self.told, self.repaired, self.fail = [], [], fail

    def follow(self, change) -> None:
        self.told.append(change)
        if self.fail:
            raise RuntimeError("index disk full")

    def repair(self, graphs) -> None:
        self.repaired.append(list(graphs))


@pytest.fixture
def store(settings, built_store, tmp_path):
    s = settings.replace(audit_dir=str(tmp_path / "audit"))
    store = OxigraphStore(s)
    buf = io.BytesIO()
    built_store.dump(buf)
    store.raw.load(buf.getvalue(), format=ox.RdfFormat.N_QUADS)
    return s, store


def _turtle(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="turtle")


def test_a_put_is_told_with_before_and_after(store):
    s, st = store
    recorder = Recorder()
    writer = GraphWriter(s, st, Followers([recorder]))
    writer.put(NEW_GRAPH, _turtle(GOOD_CONCEPT), "stadtplanung")
    (change,) = recorder.told
    assert (change.method, change.actor, change.graphs) == ("PUT", "stadtplanung", [NEW_GRAPH])
    (record,) = change.records(writer.iris)
    assert record.created and len(record.added()) == len(_turtle(GOOD_CONCEPT)) and not record.removed()

    writer.delete(NEW_GRAPH, "stadtplanung")
    dropped = recorder.told[-1].records(writer.iris)[0]
    assert dropped.dropped and len(dropped.removed()) == len(_turtle(GOOD_CONCEPT))
    assert not pending_path(s).exists()


def test_a_refused_write_is_not_told(store):
    s, st = store
    recorder = Recorder()
    with pytest.raises(ValidationFailed):
        GraphWriter(s, st, Followers([recorder])).put(VORLAGE_GRAPH, _turtle(MALFORMED_VORLAGE), "stadtplanung")
    assert recorder.told == []


def test_a_failing_follower_keeps_the_write_and_is_repaired_at_start(store, monkeypatch):
    s, st = store
    writer = GraphWriter(s, st, Followers([Recorder(fail=True)]))
    writer.put(NEW_GRAPH, _turtle(GOOD_CONCEPT), "stadtplanung")
    assert st.has_graph(NEW_GRAPH)  # the store has it: the write stands
    assert pending_path(s).exists()  # …and the next start knows a follower missed it

    later = Recorder()
    monkeypatch.setattr("graph.pipeline.writes.followers_for", lambda *_: Followers([later]))
    assert repair_after_crash(s, st) is not None
    assert later.repaired == [[NEW_GRAPH]] and not pending_path(s).exists()


def test_a_build_tells_what_it_changed(settings, tmp_path, monkeypatch):
    from graph.pipeline.build import build

    s = settings.replace(audit_dir=str(tmp_path / "audit"))
    st = OxigraphStore(s)
    recorder = Recorder()
    monkeypatch.setattr("graph.pipeline.build.followers_for", lambda *_: Followers([recorder]))
    build(s, st)
    first = recorder.told[0].records(st.iris)
    assert first and all(c.created for c in first)
    assert any(c.graph.startswith(BASE + "graph/konzept/") for c in first)
    build(s, st)  # the same sources again: nothing changed
    assert recorder.told[1].method == "BUILD" and recorder.told[1].records(st.iris) == []
