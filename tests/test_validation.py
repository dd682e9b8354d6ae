"""The gate: a record with violations is refused and reported with its source, field, value and message;
every other record loads; a refused record keeps its last good version; a strict build changes nothing."""
from __future__ import annotations

import io
import shutil

import pytest
import rdflib
from rdflib.compare import isomorphic

from graph.gate.quality import split_records
from graph.gate.reports import describe_refusal
from graph.gate.validation import Gate
from graph.iris import Iris
from graph.pipeline.build import BuildFailed, build
from graph.records import SourceRef
from graph.settings import Settings
from graph.store import open_store
from tests.conftest import DATA
from tests.fixtures.stewards import FILE, MALFORMED, TITLE, broken_text
from tests.test_shapes import PREFIXES, WORLD


def dump(store) -> bytes:
    out = io.BytesIO()
    store.dump(out)
    return b"".join(sorted(out.getvalue().splitlines(keepends=True)))


@pytest.fixture
def data_copy(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    return tmp_path / "data"


def break_page(data_dir):
    (data_dir / "wiki" / "konzepte" / FILE).write_text(broken_text(), encoding="utf-8")


def test_a_broken_record_is_refused_and_every_other_one_loads(data_copy):
    settings = Settings.from_mapping({"store": "memory", "data_dir": str(data_copy)})
    store = open_store(settings)
    good = build(settings, store)
    assert good.ok and not good.refused
    before = store.graph(str(Iris(settings.base_iri).record_graph(Iris(settings.base_iri).konzept(TITLE))))

    break_page(data_copy)
    report = build(settings, store)
    (refusal,) = report.refused
    assert str(refusal.record.iri).endswith("integriertes-handlungskonzept-ihk-brueckenschlag")
    assert len(report.loaded) == len(good.loaded) - 1
    lines = describe_refusal(refusal).splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"VERLETZUNG · wiki/konzepte/{FILE} · Seite „{TITLE}“ · Revision 1421") for line in lines)
    assert any(f"Feld „Drucksachennummer“ an Ratsvorlage „{MALFORMED}“, Wert „{MALFORMED}“: Die "
               "Drucksachennummer fehlt" in line for line in lines)
    assert "VIOLATION" in describe_refusal(refusal, "en")
    # the store keeps the last good version of the refused record
    kept = store.graph(str(refusal.record.graph_iri))
    assert isomorphic(kept, before)


def test_strict_build_stops_and_leaves_the_store_as_it_was(data_copy):
    settings = Settings.from_mapping({"store": "memory", "data_dir": str(data_copy)})
    store = open_store(settings)
    build(settings, store)
    snapshot = dump(store)
    break_page(data_copy)
    with pytest.raises(BuildFailed) as failed:
        build(settings, store, strict=True)
    assert any(FILE in r for r in failed.value.extra["refused"])
    assert dump(store) == snapshot


def test_the_build_command_says_why(data_copy, monkeypatch, capsys):
    from cli import main

    break_page(data_copy)
    monkeypatch.setenv("STADTGRAPH_STORE", "memory")
    monkeypatch.setenv("STADTGRAPH_DATA_DIR", str(data_copy))
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert f"VERLETZUNG · wiki/konzepte/{FILE}" in err and MALFORMED in err


def world_records(update: str | None = None):
    g = rdflib.Graph().parse(WORLD, format="turtle")
    if update:
        g.update(PREFIXES + update)
    return split_records(g, Iris(Settings().base_iri), SourceRef("welt.ttl"))


def test_refusing_a_synergy_target_refuses_what_points_at_it_unless_its_old_version_stays(settings):
    gate = Gate(settings)
    assert not gate.check(world_records()).refused
    year = ('DELETE { ?k ob:veroeffentlichungsjahr ?y } INSERT { ?k ob:veroeffentlichungsjahr "2202"^^xsd:gYear } '
            'WHERE { ?k ob:veroeffentlichungsjahr ?y ; dcterms:title "Klimaanpassungskonzept"@de }')
    verdict = gate.check(world_records(year))
    refused = {str(r.record.iri).rsplit("/", 1)[-1] for r in verdict.refused}
    # its synergy target is gone, and then the Vorlage's concept
    assert refused == {"klimaanpassungskonzept", "radverkehrskonzept", "b-17-1234-01"}
    # the verdict's report names every refused record's violations, whichever round refused it
    shapes = {f.shape.split("#")[-1] for f in verdict.report.violations}
    assert shapes == {"Konzept-jahr-bereich", "Konzept-synergie", "Synergieangabe-ziel", "Vorlage-beschliesst"}

    store = open_store(settings)  # a store holding the last good version of every record
    store.replace_graphs({str(r.graph_iri): r.triples for r in world_records()})
    verdict = gate.check(world_records(year), previous=store)
    assert {str(r.record.iri).rsplit("/", 1)[-1] for r in verdict.refused} == {"klimaanpassungskonzept"}


def test_a_single_write_is_checked_against_the_store(settings):
    """The path an HTTP write takes: one record, its context read from the store."""
    store = open_store(settings)
    store.replace_graphs({str(r.graph_iri): r.triples for r in world_records()})
    gate = Gate(settings)
    record = next(r for r in world_records() if str(r.iri).endswith("konzept/radverkehrskonzept"))
    assert not gate.check([record], context=store).refused
    broken = next(r for r in world_records('DELETE WHERE { ?k ob:synergieMit ?x } ; INSERT DATA { '
                                           '<https://daten.oberhausen.de/stadtgraph/konzept/radverkehrskonzept> '
                                           'ob:synergieMit <https://daten.oberhausen.de/stadtgraph/konzept/nix> }')
                  if str(r.iri).endswith("konzept/radverkehrskonzept"))
    (refusal,) = gate.check([broken], context=store).refused
    assert [f.shape.split("#")[-1] for f in refusal.findings] == ["Konzept-synergie"]
