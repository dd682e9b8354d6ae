"""The version log (graph/pipeline/versions.py): every accepted change of a record graph is kept as a
version — when, which write, by whom, from which source and revision, what was added and removed — beside
the store; refused writes and unchanged rebuilds keep nothing; the log survives a restart, is carried
across a dump and restore, is pruned by the retention setting, and catches up after a crash."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox
import rdflib
import rdflib.compare

import cli
from graph.pipeline.build import build
from graph.pipeline.versions import version_log
from graph.pipeline.writes import GraphWriter, mark_pending, pending_path, repair_after_crash
from graph.store import OxigraphStore
from server import create_app
from tests.graph_store_data import AUTH, GOOD_CONCEPT, MALFORMED_VORLAGE, NEW_GRAPH, TOKENS, VORLAGE_GRAPH
from tests.history_data import CONCEPT_GRAPH, UNIT_AFTER, three_edits, writable_app

TURTLE = {"Content-Type": "text/turtle", **AUTH}


def test_a_record_written_three_times_has_three_versions_with_who_what_and_counts(settings, built_store, tmp_path):
    app, store, s = writable_app(settings, built_store, tmp_path)
    client = app.test_client()
    assert client.put(f"/graph-store?graph={NEW_GRAPH}", data=GOOD_CONCEPT, headers=TURTLE).status_code == 201
    changed = GOOD_CONCEPT.replace("fachbereich-5-1-10", "bereich-5-1")
    assert client.put(f"/graph-store?graph={NEW_GRAPH}", data=changed, headers=TURTLE).status_code == 204
    assert client.delete(f"/graph-store?graph={NEW_GRAPH}", headers=AUTH).status_code == 204

    created, edited, deleted = version_log(s, store).versions(NEW_GRAPH)
    assert [v.method for v in (created, edited, deleted)] == ["PUT", "PUT", "DELETE"]
    assert {v.actor for v in (created, edited, deleted)} == {"stadtplanung"}
    assert {v.source for v in (created, edited, deleted)} == {"graph-store"}
    assert (created.added, created.removed) == (5, 0)
    assert (edited.added, edited.removed) == (1, 1)
    assert deleted.deleted and (deleted.added, deleted.removed) == (0, 5)
    assert created.at < edited.at < deleted.at
    added, removed = version_log(s, store).delta(edited.id)
    assert {str(o) for o in added.objects()} == {"https://daten.oberhausen.de/stadtgraph/organisation/bereich-5-1"}
    assert {str(o) for o in removed.objects()} == {"https://daten.oberhausen.de/stadtgraph/organisation/fachbereich-5-1-10"}
    assert len(version_log(s, store).content(deleted.id)) == 0


def test_the_first_write_keeps_what_was_there_before_it(settings, built_store, tmp_path):
    app, store, s = writable_app(settings, built_store, tmp_path)
    three_edits(app.test_client())
    log = version_log(s, store)
    methods = [v.method for v in log.versions(CONCEPT_GRAPH)]
    assert methods == ["BASELINE", "PUT", "PUT", "PUT"]
    assert rdflib.compare.isomorphic(log.content(log.versions(CONCEPT_GRAPH)[0].id), built_store.graph(CONCEPT_GRAPH))
    # …and every other record of the store, so the log knows the whole graph from its first write on
    assert {g for g in log.graphs()} >= {g for g in store.named_graphs() if "/graph/konzept/" in g}


def test_a_refused_write_is_no_version(settings, built_store, tmp_path):
    app, store, s = writable_app(settings, built_store, tmp_path)
    response = app.test_client().put(f"/graph-store?graph={VORLAGE_GRAPH}", data=MALFORMED_VORLAGE, headers=TURTLE)
    assert response.status_code == 422
    assert version_log(s, store).count() == 0


def test_a_build_keeps_sources_and_revisions_and_a_rebuild_of_unchanged_sources_keeps_nothing(settings, tmp_path):
    s = settings.replace(audit_dir=str(tmp_path / "audit"))
    store = OxigraphStore(s)
    build(s, store)
    log = version_log(s, store)
    first = log.count()
    assert first == len([g for g in store.named_graphs() if "/graph/" in g]) - 3  # all but inferred, ontology, provenance
    wiki = [v for v in log.latest(500) if v.source == "wiki"]
    assert wiki and all(v.revision and v.revision.isdigit() for v in wiki)
    assert all("oldid=" in v.wiki_diff for v in wiki if v.wiki_diff)
    build(s, store)
    assert log.count() == first


def test_the_log_on_disk_survives_a_restart_and_a_dump_and_restore(settings, tmp_path, capsys, monkeypatch):
    s = settings.replace(store="oxigraph", state_dir=str(tmp_path / "state"), tokens=TOKENS)
    store = OxigraphStore(s, s.store_path)
    build(s, store)
    GraphWriter(s, store).put(NEW_GRAPH, rdflib.Graph().parse(data=GOOD_CONCEPT, format="turtle"), "stadtplanung")
    store.close()
    assert (tmp_path / "state" / "history" / "versions.sqlite").exists()

    reopened = OxigraphStore(s, s.store_path, read_only=True)
    assert [v.method for v in version_log(s, reopened).versions(NEW_GRAPH)] == ["PUT"]
    count = version_log(s, reopened).count()
    reopened.close()

    dump = tmp_path / "history.jsonl"
    monkeypatch.setenv("STADTGRAPH_STORE", "oxigraph")
    monkeypatch.setenv("STADTGRAPH_STATE_DIR", str(tmp_path / "state"))
    assert cli.main(["history", "export", str(dump)]) == 0
    monkeypatch.setenv("STADTGRAPH_STATE_DIR", str(tmp_path / "elsewhere"))
    assert cli.main(["history", "import", str(dump)]) == 0
    assert f"{count} Fassungen eingelesen" in capsys.readouterr().err
    again = version_log(s.replace(state_dir=str(tmp_path / "elsewhere")), read_only=True)
    assert [(v.id, v.method, v.at) for v in again.versions(NEW_GRAPH)] == \
        [(v.id, v.method, v.at) for v in version_log(s, read_only=True).versions(NEW_GRAPH)]
    assert rdflib.compare.isomorphic(again.content(again.versions(NEW_GRAPH)[0].id),
                                     rdflib.Graph().parse(data=GOOD_CONCEPT, format="turtle"))


def test_history_prune_keeps_each_records_newest_version(settings, tmp_path, monkeypatch, capsys):
    s = settings.replace(store="oxigraph", state_dir=str(tmp_path / "state"), tokens=TOKENS)
    store = OxigraphStore(s, s.store_path)
    build(s, store)
    writer = GraphWriter(s, store)
    for unit in ("fachbereich-5-1-10", "bereich-5-1", "bereich-5-6"):
        writer.put(NEW_GRAPH, rdflib.Graph().parse(data=GOOD_CONCEPT.replace("fachbereich-5-1-10", unit),
                                                   format="turtle"), "stadtplanung")
    store.close()
    log = version_log(s, read_only=False)
    total, graphs = log.count(), len(log.graphs())
    assert log.prune(0) == 0  # 0 days: keep all
    assert log.prune(30, now=datetime.now(UTC) + timedelta(days=31)) == total - graphs
    assert [v.method for v in log.versions(NEW_GRAPH)] == ["PUT"]  # only the newest is left
    assert log.count() == graphs

    monkeypatch.setenv("STADTGRAPH_STORE", "oxigraph")
    monkeypatch.setenv("STADTGRAPH_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("STADTGRAPH_HISTORY_RETENTION_DAYS", "30")
    assert cli.main(["history", "prune"]) == 0
    assert "0 Fassungen älter als 30 Tage entfernt" in capsys.readouterr().err


def test_a_write_whose_version_was_not_kept_is_caught_up_at_the_next_start(settings, built_store, tmp_path):
    app, store, s = writable_app(settings, built_store, tmp_path)
    three_edits(app.test_client())
    log = version_log(s, store)
    before = len(log.versions(CONCEPT_GRAPH))
    # A crash after the store committed, before the followers were told: the marker is there, the log is not.
    changed = store.graph(CONCEPT_GRAPH)
    changed.add((rdflib.URIRef(CONCEPT_GRAPH.replace("graph/", "")), rdflib.RDFS.comment, rdflib.Literal("neu", lang="de")))
    mark_pending(s, [CONCEPT_GRAPH])
    store.replace_graphs({CONCEPT_GRAPH: changed})
    create_app(s, store=store)  # the next start repairs
    assert not pending_path(s).exists()
    versions = log.versions(CONCEPT_GRAPH)
    assert len(versions) == before + 1 and versions[-1].method == "REPAIR" and versions[-1].added == 1
    repair_after_crash(s, store)  # nothing pending: nothing happens
    assert len(log.versions(CONCEPT_GRAPH)) == before + 1


def test_a_memory_store_has_its_own_log(settings, built_store, tmp_path):
    app, store, s = writable_app(settings, built_store, tmp_path)
    three_edits(app.test_client())
    other = OxigraphStore(s)
    buf = io.BytesIO()
    built_store.dump(buf)
    other.raw.load(buf.getvalue(), format=ox.RdfFormat.N_QUADS)
    assert version_log(s, other).count() == 0 and version_log(s, store).count() > 0
    assert UNIT_AFTER in version_log(s, store).content(version_log(s, store).versions(CONCEPT_GRAPH)[-1].id).serialize(format="nt")
