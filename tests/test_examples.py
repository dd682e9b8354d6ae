"""The records ``/validate`` offers under "Vorlage laden": each passes the gate against the shipped data
(so an example cannot rot when a shape or the reference data changes), and the form loads it."""
from __future__ import annotations

import pytest
from markupsafe import escape

from graph.gate.examples import EXAMPLES, example
from graph.gate.quality import upload_records
from graph.gate.validation import Gate


@pytest.mark.parametrize("ex", EXAMPLES, ids=lambda e: e.key)
def test_each_example_passes_the_gate(ex, settings, built_store):
    records = upload_records(settings, ex.text.encode("utf-8"), ex.media_type, title=ex.title or None)
    assert records
    verdict = Gate(settings).check(records, context=built_store)
    assert not verdict.refused, [str(f) for r in verdict.refused for f in r.findings]
    assert len(verdict.accepted) == len(records)
    assert verdict.report is not None and not verdict.report.findings  # no warnings either: a clean start


@pytest.mark.parametrize("ex", EXAMPLES, ids=lambda e: e.key)
def test_the_form_loads_each_example_and_the_report_says_it_conforms(ex, client):
    page = client.get("/validate", query_string={"vorlage": ex.key}, headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'<option value="{ex.media_type}" selected>' in html
    first_line = ex.text.splitlines()[0]
    assert str(escape(first_line)) in html
    response = client.post("/validate", headers={"Accept": "text/html"}, data={
        "format": ex.media_type, "title": ex.title, "content": ex.text, "answer": "html"})
    assert response.status_code == 200
    assert "Keine Verletzungen: der Datensatz würde angenommen." in response.get_data(as_text=True)


def test_the_form_offers_every_example(client):
    html = client.get("/validate", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Vorlage laden" in html
    for ex in EXAMPLES:
        assert f'<option value="{ex.key}"' in html and ex.name_de in html


def test_an_unknown_example_is_a_404_in_german(client):
    response = client.get("/validate?vorlage=gibt-es-nicht", headers={"Accept": "text/html"})
    assert response.status_code == 404 and "gibt-es-nicht" in response.get_data(as_text=True)
    assert example("gibt-es-nicht") is None
