"""Dumps: every format readable, the named graphs kept in N-Quads, atomic versioned sets, conditional GET."""
from __future__ import annotations

import gzip
import threading
from email.utils import format_datetime

import pyoxigraph as ox
import rdflib

from graph.pipeline.writes import GraphWriter
from graph.publish import dumps
from graph.settings import DEFAULT_BASE
from tests.fixtures.publishing import make_client, make_settings, make_store, pub_client, pub_settings, pub_store  # noqa: F401


def test_each_dump_parses_to_the_whole_graph(pub_client, pub_store):
    distinct = {(q.subject, q.predicate, q.object) for q in pub_store.raw}
    ttl = pub_client.get("/dumps/stadtgraph.ttl")
    assert ttl.status_code == 200 and ttl.mimetype == "text/turtle"
    assert len(rdflib.Graph().parse(data=ttl.data, format="turtle")) == len(distinct)
    nt = pub_client.get("/dumps/stadtgraph.nt.gz")
    assert nt.mimetype == "application/gzip"
    assert len(rdflib.Graph().parse(data=gzip.decompress(nt.data), format="nt")) == len(distinct)
    jsonld = pub_client.get("/dumps/stadtgraph.jsonld")
    assert len(rdflib.Graph().parse(data=jsonld.data, format="json-ld")) == len(distinct)


def test_nquads_keep_the_named_graphs(pub_client, pub_store):
    r = pub_client.get("/dumps/stadtgraph.nq")
    assert r.mimetype == "application/n-quads"
    quads = list(ox.parse(r.data, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == pub_store.count()
    graphs = {q.graph_name.value for q in quads}
    assert DEFAULT_BASE + "graph/abgeleitet" in graphs
    assert DEFAULT_BASE + "graph/konzept/freiraumentwicklungskonzept-osterfeld" in graphs


def test_subset_dump_holds_the_themenfeld_and_its_concepts(pub_client):
    g = rdflib.Graph().parse(data=pub_client.get("/dumps/themenfeld-wohnen.ttl").data, format="turtle")
    subjects = {str(s) for s in g.subjects()}
    assert DEFAULT_BASE + "themenfeld/wohnen" in subjects
    assert DEFAULT_BASE + "konzept/integriertes-handlungskonzept-ihk-osterfeld" in subjects
    assert DEFAULT_BASE + "konzept/klimaanpassungskonzept" not in subjects


def test_etag_and_last_modified_answer_304(pub_client):
    first = pub_client.get("/dumps/stadtgraph.ttl")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and modified
    assert pub_client.get("/dumps/stadtgraph.ttl", headers={"If-None-Match": etag}).status_code == 304
    assert pub_client.get("/dumps/stadtgraph.ttl", headers={"If-Modified-Since": modified}).status_code == 304
    assert pub_client.get("/dumps/stadtgraph.ttl", headers={"If-None-Match": '"anders"'}).status_code == 200
    earlier = format_datetime(first.last_modified.replace(year=2000), usegmt=True)
    assert pub_client.get("/dumps/stadtgraph.ttl", headers={"If-Modified-Since": earlier}).status_code == 200


def test_unknown_dumps_are_404_and_nothing_else_on_disk_is_reachable(pub_client):
    for name in ("gibtsnicht.ttl", "manifest.json", "..%2Fcurrent.json", "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd"):
        assert pub_client.get(f"/dumps/{name}").status_code == 404


def test_dump_listing(pub_client):
    page = pub_client.get("/dumps", headers={"Accept": "text/html"}).text
    assert "stadtgraph.nq" in page and "stadtgraph.nt.gz" in page
    listing = pub_client.get("/dumps", headers={"Accept": "application/json"}).get_json()
    assert {f["name"] for f in listing["files"]} >= {"stadtgraph.ttl", "stadtgraph.nt.gz", "stadtgraph.jsonld",
                                                     "stadtgraph.nq"}


def test_a_new_state_gets_a_new_set_and_the_old_one_stays_whole(tmp_path):
    settings = make_settings(DEFAULT_BASE, tmp_path)
    store = make_store(settings)
    first = dumps.ensure(store, settings.dump_dir, "zustand-1")
    old_ttl = first.path("stadtgraph.ttl").read_bytes()
    assert dumps.ensure(store, settings.dump_dir, "zustand-1").version == first.version  # not written again
    store.raw.add(ox.Quad(ox.NamedNode(DEFAULT_BASE + "konzept/neu"), ox.NamedNode("http://purl.org/dc/terms/title"),
                          ox.Literal("Neu"), ox.NamedNode(DEFAULT_BASE + "graph/konzept/neu")))
    second = dumps.ensure(store, settings.dump_dir, "zustand-2")
    assert second.version != first.version
    assert dumps.current(settings.dump_dir).version == second.version
    assert b"konzept/neu" in second.path("stadtgraph.ttl").read_bytes()
    assert first.path("stadtgraph.ttl").read_bytes() == old_ttl  # a reader of the old set still has it whole
    assert not list(tmp_path.glob("dumps/.staging-*"))


def test_concurrent_writers_write_the_set_once(tmp_path):
    settings = make_settings(DEFAULT_BASE, tmp_path)
    store = make_store(settings)
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(dumps.ensure(store, settings.dump_dir, "z")))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r.version for r in results}) == 1
    assert len({r.written for r in results}) == 1  # one writer, the others found its set
    assert [p.name for p in (tmp_path / "dumps").iterdir() if p.is_dir()] == [results[0].version]


def test_a_failed_write_leaves_the_current_set(tmp_path, monkeypatch):
    settings = make_settings(DEFAULT_BASE, tmp_path)
    store = make_store(settings)
    good = dumps.ensure(store, settings.dump_dir, "gut")

    def broken(*args, **kwargs):
        raise OSError("Platte voll")

    monkeypatch.setattr(dumps, "subset_triples", broken)
    try:
        dumps.ensure(store, settings.dump_dir, "kaputt")
    except OSError:
        pass
    assert dumps.current(settings.dump_dir).version == good.version
    assert not list(tmp_path.glob("dumps/.staging-*"))


def test_dumps_served_after_a_rebuild_change(tmp_path):
    settings = make_settings(DEFAULT_BASE, tmp_path)
    store = make_store(settings)
    client = make_client(settings, store)
    etag = client.get("/dumps/stadtgraph.ttl").headers["ETag"]
    new = rdflib.Graph().add((rdflib.URIRef(DEFAULT_BASE + "konzept/neu"), rdflib.DCTERMS.title, rdflib.Literal("Neu")))
    GraphWriter(settings, store).put(DEFAULT_BASE + "graph/konzept/neu", new, "test")  # the one write path
    again = client.get("/dumps/stadtgraph.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 200 and b"konzept/neu" in again.data
