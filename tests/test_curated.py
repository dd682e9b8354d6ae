"""The curated queries: at least ten, each with a German and English header and typed parameters,
checked at start-up (a broken one fails the boot), served as REST endpoints with an OpenAPI 3 document,
parameters bound as RDF terms (a hostile value stays a value)."""
from __future__ import annotations

import pytest

from graph.errors import ConfigurationError
from graph.query.curated import load_catalog
from graph.settings import Settings

CATALOG = load_catalog()


def test_at_least_ten_questions_with_bilingual_headers():
    assert len(CATALOG) >= 10
    for q in CATALOG.values():
        assert q.title_de and q.title_en and q.description_de and q.description_en, q.name
        assert q.title_de != q.title_en, q.name
        for p in q.params:
            assert p.description_de and p.description_en, (q.name, p.name)


@pytest.mark.parametrize("text,complaint", [
    ("#+ title: x\n#+ description: y\nSELECT * WHERE { ?s ?p }", "Zeile 3"),
    ("#+ title: x\n#+ description: y\nSELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
    ("#+ title: x\n#+ description: y\n#+ params: {k: {type: iri}}\nSELECT ?s WHERE { ?s ?p ?o }", "?k"),
    ("#+ title: x\n#+ description: y\n#+ params: {o: {type: colour}}\nSELECT ?o WHERE { ?s ?p ?o }", "colour"),
    ("#+ title: x\nSELECT * WHERE { ?s ?p ?o }", "description"),
    ("#+ title: x\n#+ description: y\n#+ params: {o: {type: iri}}\nSELECT ?s WHERE { ?s ?p ?o }", "bindbar"),
])
def test_a_broken_query_fails_the_boot(tmp_path, text, complaint):
    (tmp_path / "kaputt.rq").write_text(text, "utf-8")
    from server import create_app

    settings = Settings.from_mapping({"store": "memory", "queries_dir": str(tmp_path)})
    with pytest.raises(ConfigurationError) as err:
        create_app(settings)
    assert "kaputt" in err.value.detail and complaint in err.value.detail


def test_list_of_queries(live_server):
    listed = live_server.get("/api/queries").json()
    assert {q["name"] for q in listed} == set(CATALOG)
    assert all(q["url"].startswith(live_server.url + "/api/queries/") for q in listed)


# Questions the shipped data answers with rows; the others at least run.
ANSWERED = {
    "konzepte-je-themenfeld": {}, "konzepte-ohne-ratsbeschluss": {}, "zustaendigkeiten": {},
    "ratsbeschluesse-zeitlich": {}, "themenfelder-und-leitziele": {}, "synergien-eines-konzepts": {},
    "raeume-und-sozialquartiere": {"art": "ob:Sozialraum"}, "expertendialoge": {},
    "konzepte-im-raum": {"raum": "https://daten.oberhausen.de/stadtgraph/raum/sozialraum/osterfeld"},
}


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_query_runs_with_its_examples(live_server, name):
    query = CATALOG[name]
    params = {p.name: p.example for p in query.params if p.example is not None}
    params.update(ANSWERED.get(name, {}))
    r = live_server.get(f"/api/queries/{name}", params=params)
    assert r.status_code == 200, r.text
    rows = r.json()["results"]["bindings"]
    if name in ANSWERED:
        assert rows, f"{name} answers nothing on the shipped data"


def test_parameters_select_what_they_name(live_server):
    r = live_server.get("/api/queries/raeume-und-sozialquartiere", params={"art": "ob:Sozialraum", "format": "csv"})
    assert r.headers["Content-Type"].startswith("text/csv")
    lines = r.text.strip().splitlines()
    assert len(lines) == 1 + 6 and all("/raum/sozialraum/" in line for line in lines[1:])


def test_hostile_values_stay_values(live_server):
    hostile = '" ) } ; DROP ALL ; SELECT * { ?s ?p ?o } #'
    r = live_server.get("/api/queries/suche-konzepte", params={"stichwort": hostile})
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    r = live_server.get("/api/queries/suche-konzepte", params={"stichwort": "klima"})
    assert r.json()["results"]["bindings"], "a keyword that is there is found"


@pytest.mark.parametrize("params,status", [
    ({}, 400),  # required parameter missing
    ({"stichwort": "a", "unbekannt": "b"}, 400),
    ({"stichwort": ["a", "b"]}, 400),
])
def test_parameter_errors_are_400(live_server, params, status):
    r = live_server.get("/api/queries/suche-konzepte", params=params)
    assert r.status_code == status and r.headers["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("name,params", [
    ("konzepte-im-raum", {"raum": "kein iri mit leerzeichen"}),
    ("konzepte-nach-jahr", {"von": "zweitausend"}),
    ("ungenutzte-synergien", {"mindestProzent": "1.5"}),
])
def test_ill_typed_parameters_are_400_naming_the_parameter(live_server, name, params):
    r = live_server.get(f"/api/queries/{name}", params=params)
    assert r.status_code == 400 and r.json()["parameter"] == next(iter(params))


def test_unknown_query_is_404(live_server):
    assert live_server.get("/api/queries/gibt-es-nicht").status_code == 404


def test_openapi_describes_every_query_and_its_parameters(live_server):
    doc = live_server.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for name, query in CATALOG.items():
        operation = doc["paths"][f"/api/queries/{name}"]["get"]
        described = {p["name"]: p for p in operation["parameters"]}
        for p in query.params:
            assert described[p.name]["required"] == p.required
        assert "200" in operation["responses"] and "400" in operation["responses"]
    assert {"get", "post"} <= set(doc["paths"]["/sparql"])


def test_every_curated_query_is_named_in_the_readme():
    from graph.settings import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    missing = [name for name in CATALOG if f"`{name}`" not in readme]
    assert not missing, f"README lists no {missing}"


# Regression: with the embedded store's substitution a parameter is a constant, and `!BOUND(?param) || …`
# was always true, so optional parameters filtered nothing.
@pytest.mark.parametrize("name,params,column,check", [
    ("konzepte-nach-jahr", {"von": "2021"}, "jahr", lambda v: int(v) >= 2021),
    ("konzepte-nach-jahr", {"bis": "2019"}, "jahr", lambda v: int(v) <= 2019),
    ("ratsbeschluesse-zeitlich", {"abJahr": "2020"}, "datum", lambda v: int(v[:4]) >= 2020),
])
def test_optional_parameters_really_filter(live_server, name, params, column, check):
    unfiltered = live_server.get(f"/api/queries/{name}").json()["results"]["bindings"]
    filtered = live_server.get(f"/api/queries/{name}", params=params).json()["results"]["bindings"]
    assert filtered and len(filtered) < len(unfiltered)
    assert all(column in row and check(row[column]["value"]) for row in filtered)
