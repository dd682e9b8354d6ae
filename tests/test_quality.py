"""``stadtgraph validate``: sources checked without a store, in the context of the shipped data; readable
German reports (English on request), JSON and a Turtle sh:ValidationReport; exit codes 0, 1 and 2."""
from __future__ import annotations

import json

import pytest
import rdflib

from cli import main
from graph.namespaces import SH
from tests.conftest import DATA
from tests.fixtures.stewards import FOREIGN_LEITZIEL, MALFORMED, TITLE, broken_page


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("STADTGRAPH_STORE", "oxigraph")
    monkeypatch.setenv("STADTGRAPH_STORE_PATH", str(tmp_path / "store"))
    monkeypatch.setenv("STADTGRAPH_DATA_DIR", str(DATA))
    return tmp_path


def test_shipped_data_conforms_and_shows_its_warnings(env, capsys):
    assert main(["validate", str(DATA)]) == 0
    out = capsys.readouterr().out
    assert "Prüfbericht: 0 Verletzungen" in out
    assert "WARNUNG" in out and "Hinweis:" in out  # empty fields of the wiki are reported, not hidden
    assert out.rstrip().endswith("Ergebnis: in Ordnung")
    assert not (env / "store").exists()  # no store was touched


def test_a_broken_page_copy_gives_a_readable_german_report(env, capsys):
    page = broken_page(env)
    assert main(["validate", str(page)]) == 1
    out = capsys.readouterr().out
    assert f"Konzept „{TITLE}“" in out
    assert f"Quelle: {page}" in out and f"Seite „{TITLE}“" in out
    violations = [line for line in out.splitlines() if line.strip().startswith("VERLETZUNG")]
    assert len(violations) == 2, out
    assert any(f"Feld „Drucksachennummer“ an Ratsvorlage „{MALFORMED}“, Wert „{MALFORMED}“: Die "
               "Drucksachennummer fehlt oder hat nicht die Form B/16/5505-01" in line for line in violations)
    assert any(f"Feld „Leitziel“, Wert „{FOREIGN_LEITZIEL}“: Das Leitziel gehört zu einem Themenfeld, das dem "
               "Konzept nicht zugeordnet ist." in line for line in violations)
    assert "Hinweis: Entweder das Themenfeld des Leitziels" in out
    assert out.rstrip().endswith("Ergebnis: nicht in Ordnung")


def test_english_json_and_turtle_reports(env, capsys):
    page = broken_page(env)
    assert main(["validate", "--lang", "en", str(page)]) == 1
    out = capsys.readouterr().out
    assert "The guiding goal belongs to a thematic field the concept does not have." in out
    assert out.rstrip().endswith("Result: does not conform")

    assert main(["validate", "--format", "json", str(page)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["conforms"] is False and doc["violations"] == 2
    (group,) = doc["records"]
    assert group["record"] == TITLE and group["kind"] == "Konzept"
    assert {f["field"] for f in group["findings"]} == {"Drucksachennummer", "Leitziel"}
    assert all(f["hint"] for f in group["findings"])

    assert main(["validate", "--format", "turtle", str(page)]) == 1
    g = rdflib.Graph().parse(data=capsys.readouterr().out, format="turtle")
    (report,) = g.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert g.value(report, SH.conforms).toPython() is False
    results = list(g.objects(report, SH.result))
    assert len(results) == 2
    assert all({m.language for m in g.objects(r, SH.resultMessage)} == {"de", "en"} for r in results)


def test_unreadable_input_exits_2(env, capsys):
    assert main(["validate", str(env / "gibt-es-nicht.wiki")]) == 2
    assert "nicht gefunden" in capsys.readouterr().out
    empty = env / "Leere_Seite.wiki"
    empty.write_text("", encoding="utf-8")
    assert main(["validate", str(empty)]) == 2
    assert "Leere Seite" in capsys.readouterr().out
