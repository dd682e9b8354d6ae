"""The council harvest against a fixture server that answers as Oberhausen's ALLRIS OParl endpoint does:
complete across pages, incremental with modified_since and tombstones, untidy endpoints survived, the
council the authority for titles, the hand-made file an overlay."""
from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from graph.iris import Iris
from graph.namespaces import DCTERMS, OB
from graph.pipeline import audit
from graph.pipeline.council import CouncilState, harvest_council, title_conflicts
from graph.sources.oparl_api import OParlClient
from graph.store import OxigraphStore
from server import create_app
from tests.fixtures.oparl import OParlFixture, shipped_fixture

BASE = "https://daten.oberhausen.de/stadtgraph/"
REFUGEES = "B/16/5505-01"
V_REFUGEES = URIRef(BASE + "vorlage/b-16-5505-01")


@pytest.fixture
def endpoint():
    fixture = shipped_fixture()
    yield fixture
    fixture.stop()


@pytest.fixture
def world(settings, built_store, tmp_path, endpoint):
    """A fresh copy of the shipped graph and settings pointing at the fixture endpoint."""
    s = settings.replace(oparl_system_url=endpoint.system_url, audit_dir=str(tmp_path / "audit"))
    store = OxigraphStore(s)
    buf = io.BytesIO()
    built_store.dump(buf)
    store.raw.load(buf.getvalue(), format=ox.RdfFormat.N_QUADS)
    return s, store


def harvest(s, store, **kw):
    return harvest_council(s, store, client=OParlClient(s.oparl_system_url, backoff=0.01), **kw)


def titles(store, iri) -> set[str]:
    return {str(r["t"].value) for r in store.query(f"SELECT ?t WHERE {{ <{iri}> <{DCTERMS.title}> ?t }}")}


def test_a_full_harvest_reads_every_paper_across_pages(world, endpoint):
    s, store = world
    report = harvest(s, store)
    assert report.mode == "full" and report.ok, report.lines()
    assert report.papers == 15 and len(report.stored) == 15
    assert any("page=4" in r for r in endpoint.requests), "the list was followed over its four pages"
    g = store.graph(BASE + "graph/vorlage/b-16-5505-01")
    assert (V_REFUGEES, OB.oparlObjekt, URIRef(endpoint.find(REFUGEES)["id"])) in g
    beratung = g.value(V_REFUGEES, OB.beratung)
    assert str(g.value(beratung, OB.beratendesGremium)) == "Rat der Stadt"
    assert str(g.value(beratung, OB.sitzung)) == "Sitzung des Rates"
    assert str(g.value(beratung, DCTERMS.date)) == "2021-06-14"
    assert g.value(V_REFUGEES, OB.hauptdokument) is not None
    # the hand-made file is the overlay: the adopted concept comes from it, joined by Drucksache number
    assert store.query(f"ASK {{ <{V_REFUGEES}> <{OB.beschliesst}> ?k }}")
    assert {e["token"] for e in audit.entries(s)} == {"oparl-harvest"}
    assert harvest(s, store).stored == []  # nothing changed: nothing written


def test_a_second_harvest_applies_exactly_an_edit_a_deletion_and_an_addition(world, endpoint):
    s, store = world
    harvest(s, store)
    edited = endpoint.find(REFUGEES)
    edited["name"] = "Fortschreibung des Handlungskonzeptes (geänderter Betreff)"
    endpoint.touch(edited)
    deleted = endpoint.find("B/16/4067-01")
    deleted.clear()
    deleted.update({"id": endpoint.oid("paper", "B/16/4067-01"), "type": "https://schema.oparl.org/1.1/Paper",
                    "deleted": True})
    endpoint.touch(deleted)
    added = endpoint.paper({"reference": "B/17/9999-01", "name": "Neue Beschlussvorlage zum Quartier",
                            "paperType": "Beschlussvorlage"})
    endpoint.touch(added)
    endpoint.lists["paper"].append(added)
    requests_before = len(endpoint.requests)

    report = harvest(s, store)
    assert report.mode == "incremental" and report.ok, report.lines()
    assert sorted(report.stored) == sorted([str(V_REFUGEES), BASE + "vorlage/b-17-9999-01"])
    assert report.removed == [BASE + "vorlage/b-16-4067-01"] and report.papers == 3
    assert titles(store, V_REFUGEES) == {"Fortschreibung des Handlungskonzeptes (geänderter Betreff)"}
    assert not store.has_graph(BASE + "graph/vorlage/b-16-4067-01")
    assert len(endpoint.requests) - requests_before < 10  # proportional to what changed
    client = create_app(s, store=store).test_client()
    gone = client.get("/vorlage/b-16-4067-01", headers={"Accept": "text/turtle"})
    assert gone.status_code == 410 and gone.mimetype == "application/problem+json"
    assert client.get("/vorlage/b-17-9999-01", headers={"Accept": "text/turtle"}).status_code == 200


def test_ids_in_two_spellings_and_repeated_items_give_no_duplicate(world, endpoint):
    s, store = world
    endpoint.repeat_across_pages = True
    for n, paper in enumerate(endpoint.lists["paper"]):
        if n % 2:
            paper["id"] = paper["id"].replace("http://", "https://", 1) + "/"
    report = harvest(s, store)
    assert report.ok and report.papers == 15 and len(set(report.stored)) == len(report.stored) == 15
    state = CouncilState.load(store, Iris(s.base_iri))
    assert len(state.papers) == 15


def test_a_malformed_field_is_a_warning_naming_object_and_field_and_the_rest_loads(world, endpoint):
    s, store = world
    paper = endpoint.find(REFUGEES)
    paper["date"] = "14.06.2021"
    del paper["paperType"], paper["mainFile"]  # optional fields missing
    report = harvest(s, store)
    assert report.ok
    warning = next(w for w in report.warnings if paper["id"] in w)
    assert "date" in warning and "14.06.2021" in warning
    assert titles(store, V_REFUGEES) == {paper["name"]}
    assert not store.query(f"ASK {{ <{V_REFUGEES}> <{DCTERMS.issued}> ?d }}")


def test_an_endpoint_ignoring_the_filter_changes_nothing_twice(world, endpoint):
    s, store = world
    harvest(s, store)
    endpoint.ignore_filter = True
    report = harvest(s, store)
    assert report.stored == [] and report.papers == 0  # older objects sent anyway are passed over


def test_transient_errors_are_retried_and_a_dead_endpoint_changes_nothing(world, endpoint):
    s, store = world
    endpoint.fail_next = 2
    assert harvest(s, store).ok
    quads = len(store.raw)
    endpoint.fail_next = 100
    from graph.sources.oparl_api import CouncilUnavailable

    with pytest.raises(CouncilUnavailable, match="4"):
        harvest(s, store, full=True)
    assert len(store.raw) == quads


def test_the_council_title_wins_and_a_differing_wiki_link_text_is_a_warning(world, endpoint):
    """A concept page that cites a Vorlage by a text other than the council's title is kept (the text is
    what the page says, ob:zitiertAls), with a warning naming both texts."""
    from graph.gate.validation import Gate
    from graph.sources.wiki.records import records_from_wikitext

    s, store = world
    harvest(s, store)
    page = ("{{Konzeption\n|Titel=Testkonzept Zitat\n|Themenfeld=Wohnen\n}}\n== Beschlusslage ==\n"
            "[http://ratsinfo.oberhausen.de/vo020?VOLFDNR=13572 Vorlage - B/16/5505-01] (Allris): "
            "\"Ein ganz anderer Linktext\"\n")
    loaded = records_from_wikitext(page, Iris(s.base_iri), title="Testkonzept Zitat")
    assert not loaded.errors, loaded.errors
    records = loaded.records
    verdict = Gate(s).check(records, context=store)
    assert not verdict.refused
    warned = [f for f in verdict.report.findings if str(f.shape).endswith("Vorlage-zitiert")]
    assert warned and str(warned[0].value) == "Ein ganz anderer Linktext" and not warned[0].is_violation
    assert titles(store, V_REFUGEES) == {endpoint.find(REFUGEES)["name"]}
    for r in records:
        store.replace_graphs({str(r.graph_iri): r.triples})
    conflict = next(c for c in title_conflicts(store, Iris(s.base_iri)) if c["wiki"] == "Ein ganz anderer Linktext")
    assert conflict["council"] == endpoint.find(REFUGEES)["name"]
    assert conflict["council_source"] == endpoint.find(REFUGEES)["id"] and "testkonzept" in conflict["wiki_source"]
    page = create_app(s, store=store).test_client().get("/datenqualitaet", headers={"Accept": "text/html"}).text
    assert "Ein ganz anderer Linktext" in page and endpoint.find(REFUGEES)["name"] in page
    assert any((V_REFUGEES, OB.zitiertAls, Literal("Ein ganz anderer Linktext", lang="de")) in r.triples
               for r in records)


def test_without_a_system_url_the_harvest_says_so(settings, built_store):
    from graph.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="oparl_system_url"):
        harvest_council(settings, built_store)


def test_fixture_serves_pages_of_its_size():
    fixture = OParlFixture(page_size=5).start()
    try:
        fixture.fill(count=12)
        client = OParlClient(fixture.system_url)
        body = client.bodies()[0]
        assert len(list(client.listing(body["paper"]))) == 12
    finally:
        fixture.stop()


def test_a_paper_the_gate_refuses_is_refused_alone_and_its_last_good_record_stays(world, endpoint):
    from graph.pipeline.council import CouncilHarvester

    s, store = world
    before = store.graph(BASE + "graph/vorlage/b-16-5505-01")
    harvester = CouncilHarvester(s, store, client=OParlClient(s.oparl_system_url, backoff=0.01))
    harvester.overlay[REFUGEES]["stadtgraph:beschliesst"] = ["Ein Konzept, das es nicht gibt"]
    report = harvester.run()
    assert [r["vorlage"] for r in report.refused] == [str(V_REFUGEES)]
    assert "Konzept, das es im Graphen nicht gibt" in " ".join(report.refused[0]["findings"])
    assert len(report.stored) == 14 and not report.ok
    assert set(store.graph(BASE + "graph/vorlage/b-16-5505-01")) == set(before)
