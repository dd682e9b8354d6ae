"""The ``stadtgraph`` console script, run as a user runs it: in a subprocess, against a temporary on-disk
store, asserting exit codes and what appears on the terminal.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.conftest import FIXTURES

SCRIPT = Path(sys.executable).with_name("stadtgraph")
LABELS = "SELECT ?l WHERE { ?t a <https://daten.oberhausen.de/stadtgraph/ontology#Glossarbegriff> ; " \
         "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(LANG(?l) = 'de') } ORDER BY ?l"


def run(*args: str, store: Path, data: Path | None = None, extra_env: dict | None = None,
        check: int | None = 0) -> subprocess.CompletedProcess:
    """Run ``stadtgraph ARGS`` with only our own settings in the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STADTGRAPH_")}
    env["STADTGRAPH_STORE_PATH"] = str(store)
    env["STADTGRAPH_DUMP_DIR"] = str(Path(store).parent / "dumps")  # a build writes dumps: not into the project
    if data:
        env["STADTGRAPH_DATA_DIR"] = str(data)
    env.update(extra_env or {})
    done = subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120, check=False)
    if check is not None:
        assert done.returncode == check, done.stderr
    assert "Traceback" not in done.stderr  # a user never sees a stack trace
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """An on-disk store built by ``stadtgraph build`` from the small fixture data."""
    root = tmp_path_factory.mktemp("cli")
    shutil.copytree(FIXTURES / "data_small", root / "data")
    done = run("build", store=root / "store", data=root / "data")
    assert "Aufbau fertig: 1 Datensätze, 0 abgewiesen" in done.stdout
    assert "lese glossar.ttl" in done.stderr  # progress goes to stderr, the summary to stdout
    return root / "store"


def test_script_is_installed():
    assert SCRIPT.is_file(), "pip install -e . installs the stadtgraph console script"


def test_query_from_argument_as_csv(built):
    done = run("query", LABELS, store=built)
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows == [["l"], ["Sozialquartier"], ["Sozialraum"]]


def test_query_from_file_as_json(built, tmp_path):
    query = tmp_path / "labels.rq"
    query.write_text(LABELS, "utf-8")
    done = run("query", "-f", str(query), "--format", "json", store=built)
    body = json.loads(done.stdout)
    assert body["head"]["vars"] == ["l"]
    assert [b["l"]["value"] for b in body["results"]["bindings"]] == ["Sozialquartier", "Sozialraum"]
    assert body["results"]["bindings"][0]["l"]["xml:lang"] == "de"


def test_query_ask_and_construct(built):
    assert json.loads(run("query", "--format", "json", "ASK { ?s ?p ?o }", store=built).stdout)["boolean"] is True
    done = run("query", "--format", "ntriples",
               "CONSTRUCT { ?t <http://example.org/label> ?l } WHERE { "
               "?t a <https://daten.oberhausen.de/stadtgraph/ontology#Glossarbegriff> ; "
               "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(LANG(?l) = 'en') }", store=built)
    assert len(done.stdout.strip().splitlines()) == 2 and '"social area"@en' in done.stdout


def test_dataset_switch(built):
    asserted = run("query", "--dataset", "asserted", LABELS, store=built)
    assert len(asserted.stdout.strip().splitlines()) == 3
    inferred = run("query", "--dataset", "inferred", LABELS, store=built)
    assert inferred.stdout.strip().splitlines() == ["l"]  # the header, and no asserted labels


def test_bad_query_is_a_clear_error(built):
    done = run("query", "SELEKT ?x WHERE { ?x ?y ?z }", store=built, check=2)
    assert "SPARQL-Syntaxfehler / SPARQL syntax error" in done.stderr
    assert done.stdout == ""


def test_query_without_text_says_what_is_missing(built):
    done = run("query", store=built, check=2)
    assert "Anfrage" in done.stderr


def test_missing_store_is_a_clear_error(tmp_path):
    done = run("query", "ASK {}", store=tmp_path / "gibt-es-nicht", check=3)
    assert "Datenspeicher nicht erreichbar / store unavailable" in done.stderr


def test_unknown_setting_in_the_environment_fails_clearly(built):
    done = run("query", "ASK {}", store=built, extra_env={"STADTGRAPH_STOER": "x"}, check=3)
    assert "STADTGRAPH_STOER" in done.stderr


def test_export_writes_nquads_with_every_named_graph(built, tmp_path):
    out = tmp_path / "dump.nq"
    done = run("export", "-o", str(out), store=built)
    assert "Quads nach" in done.stderr
    assert not Path(str(out) + ".tmp").exists()
    check = ox.Store()
    check.bulk_load(path=str(out), format=ox.RdfFormat.N_QUADS)
    graphs = {g.value for g in check.named_graphs()}
    assert "https://daten.oberhausen.de/stadtgraph/graph/quelle/glossar-ttl" in graphs
    assert "https://daten.oberhausen.de/stadtgraph/graph/provenienz" in graphs
    # the same dump to stdout
    assert run("export", store=built).stdout.count("\n") == len(check)


def test_failed_export_leaves_an_existing_file_alone(tmp_path):
    out = tmp_path / "dump.nq"
    out.write_text("alter Abzug\n", "utf-8")
    run("export", "-o", str(out), store=tmp_path / "gibt-es-nicht", check=3)
    assert out.read_text("utf-8") == "alter Abzug\n"
    assert list(tmp_path.iterdir()) == [out]


def test_import_round_trip(built, tmp_path):
    dump = tmp_path / "dump.nq"
    run("export", "-o", str(dump), store=built)
    restored = tmp_path / "restored"
    done = run("import", str(dump), store=restored)
    assert "Quads im Speicher" in done.stderr
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    assert run("query", count, store=restored).stdout == run("query", count, store=built).stdout
    assert run("query", graphs, store=restored).stdout == run("query", graphs, store=built).stdout
    # importing again with --replace does not double anything
    run("import", "--replace", str(dump), store=restored)
    assert run("query", count, store=restored).stdout == run("query", count, store=built).stdout


def test_import_of_a_corrupt_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "kaputt.nq"
    bad.write_text('<http://example.org/a> <http://example.org/b> "ok" .\nkeine Quads hier\n', "utf-8")
    done = run("import", str(bad), store=tmp_path / "store", check=2)
    assert "Eingabe nicht lesbar / input could not be parsed" in done.stderr
    assert "line 2" in done.stderr


def test_settings_lists_every_setting(tmp_path):
    from graph.settings import Settings

    out = run("settings", store=tmp_path).stdout
    for name in Settings.names():
        assert f"STADTGRAPH_{name.upper()}" in out
    assert "Base IRI" in out


def test_help_lists_the_commands(tmp_path):
    out = run("--help", store=tmp_path).stdout
    for command in ("build", "serve", "query", "export", "import", "settings"):
        assert command in out
