"""``POST /validate`` (every upload format, JSON grouped by record with labels and hints, Turtle by content
negotiation, a page with an upload form for browsers, 400 naming the line, nothing stored) and the
data-quality page."""
from __future__ import annotations

import io
import json
import re

import rdflib

from graph.namespaces import SH
from tests.fixtures.stewards import FOREIGN_LEITZIEL, MALFORMED, TITLE, broken_text

YEAR_2202 = """@prefix ob: <https://daten.oberhausen.de/stadtgraph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://daten.oberhausen.de/stadtgraph/konzept/mobilitaetsstrategie> a ob:Konzept ;
    dcterms:title "Mobilitätsstrategie"@de ; ob:art "Konzept" ;
    ob:veroeffentlichungsjahr "2202"^^xsd:gYear ;
    ob:geltungsbereich <https://daten.oberhausen.de/stadtgraph/raum/stadt/oberhausen> ;
    ob:zustaendigeEinheit <https://daten.oberhausen.de/stadtgraph/organisation/bereich-5-6> ;
    ob:themenfeld <https://daten.oberhausen.de/stadtgraph/themenfeld/mobilitaet> .
"""


def post_page(client, lang: str = "de", **kw):
    return client.post("/validate", query_string={"title": TITLE, "lang": lang}, content_type="text/x-wiki",
                       data=broken_text().encode("utf-8"), **kw)


def test_a_wiki_page_gives_two_findings_grouped_under_the_concept_title(client, built_store):
    before = built_store.count()
    response = post_page(client)
    assert response.status_code == 200 and response.mimetype == "application/json"
    doc = response.get_json()
    assert doc["conforms"] is False and doc["violations"] == 2
    (group,) = doc["records"]
    assert group["record"] == TITLE and group["kind"] == "Konzept"
    by_field = {f["field"]: f for f in group["findings"]}
    assert set(by_field) == {"Drucksachennummer", "Leitziel"}
    assert by_field["Drucksachennummer"]["value"] == MALFORMED
    assert by_field["Drucksachennummer"]["node"] == f"Ratsvorlage {MALFORMED}"
    assert by_field["Leitziel"]["value"] == FOREIGN_LEITZIEL  # a label, not the Leitziel's IRI
    assert by_field["Leitziel"]["message"].startswith("Das Leitziel gehört zu einem Themenfeld")
    assert all(f["hint"] for f in group["findings"])
    assert "_:" not in response.get_data(as_text=True)
    assert built_store.count() == before  # nothing stored


def test_turtle_report_by_content_negotiation(client):
    response = post_page(client, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    g = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
    (report,) = g.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert g.value(report, SH.conforms).toPython() is False
    assert len(list(g.objects(report, SH.result))) == 2


def test_english_report(client):
    doc = post_page(client, lang="en").get_json()
    assert {f["field"] for f in doc["records"][0]["findings"]} == {"paper number", "guiding goal"}


def test_rdf_uploads_in_every_format(client):
    g = rdflib.Graph().parse(data=YEAR_2202, format="turtle")
    for media_type, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                            ("application/rdf+xml", "xml"), ("application/n-triples", "nt")):
        response = client.post("/validate", data=g.serialize(format=fmt), content_type=media_type)
        assert response.status_code == 200, (media_type, response.get_data(as_text=True))
        doc = response.get_json()
        (group,) = doc["records"]
        assert group["record"] == "Mobilitätsstrategie", media_type
        (finding,) = group["findings"]
        assert finding["field"] == "Jahr der Veröffentlichung" and finding["value"] == "2202"


def test_unparsable_input_is_a_400_naming_the_line(client):
    response = client.post("/validate", data=b"@prefix ex: <http://example.org/> .\n\nex:a ex:b .\n",
                           content_type="text/turtle")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.get_json()["line"] == 3


def test_wikitext_needs_a_title_and_other_types_are_refused(client):
    response = client.post("/validate", data=broken_text().encode("utf-8"), content_type="text/x-wiki")
    assert response.status_code == 400 and "title" in response.get_json()["detail"]
    assert client.post("/validate", data=b"x", content_type="application/pdf").status_code == 415


def test_browsers_get_a_page_with_an_upload_form(client):
    page = client.get("/validate", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<form class="upload"' in html and 'type="file"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script

    response = client.post("/validate", headers={"Accept": "text/html"}, data={
        "format": "text/x-wiki", "title": TITLE,
        "file": (io.BytesIO(broken_text().encode("utf-8")), "seite.wiki")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "2 Verletzungen" in html and MALFORMED in html and FOREIGN_LEITZIEL in html
    assert 'href="/konzept/integriertes-handlungskonzept-ihk-brueckenschlag"' in html


def test_data_quality_page_lists_findings_per_record_and_per_rule(client, built_store):
    response = client.get("/datenqualitaet", headers={"Accept": "text/html"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "0 Verletzungen" in html and "Je Regel" in html and "Je Datensatz" in html
    # a real warning of the shipped data, linked to the record's page
    assert 'href="/organisation/bereich-umwelt"' in html and "Die Organisationseinheit hat kein Kürzel." in html
    doc = json.loads(client.get("/datenqualitaet?format=json").get_data(as_text=True))
    assert doc["violations"] == 0 and doc["warnings"] == built_store.build_report.warnings


# ---- the steward's form: refusals in the form, unknown references, links, findings once ------------------
def post_form(client, content: str, media_type: str = "text/turtle", title: str = ""):
    return client.post("/validate", headers={"Accept": "text/html"}, data={
        "format": media_type, "title": title, "content": content, "answer": "html"})


def test_a_turtle_syntax_error_keeps_the_form_and_marks_the_line_and_the_value(client):
    text = ('@prefix ob: <https://daten.oberhausen.de/stadtgraph/ontology#> .\n\n'
            'ob:x a ob:Konzept ;\n    ob:art "Konzept" ;\n    obr:konzept/x ob:y .\n')
    response = post_form(client, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "Eingabe nicht lesbar" in html and "Nicht lesbar als Turtle (Zeile 5, Spalte 5)" in html
    assert '<span class="at-fault">Zeile 5:     <mark>obr:konzept/x</mark> ob:y .</span>' in html
    assert "Wert: <mark>obr:konzept/x</mark>" in html
    # the form is still there, with the text as sent
    assert '<form class="upload"' in html and "obr:konzept/x ob:y .\n</textarea>" in html
    assert '<option value="text/turtle" selected>' in html
    assert "not readable" not in html and "request body" not in html.lower()
    # machines still get the problem document
    api = client.post("/validate", data=text.encode(), content_type="text/turtle")
    assert api.status_code == 400 and api.mimetype == "application/problem+json" and api.get_json()["line"] == 5


def test_a_wikitext_refusal_keeps_the_form_and_names_the_line(client):
    text = ("{{Konzeption|Art=Konzept|Jahr der Veröffentlichung=2024}}\n==Kurzbeschreibung==\nText.\n"
            "==Politische Beschlusslage==\nBeschluss des Rates ohne Nummer\n")
    response = post_form(client, text, "text/x-wiki", "Beispielkonzept")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Beschlusslage-Zeile nennt keine Drucksache" in html and "Beschlusslage line" not in html
    assert '<span class="at-fault">Zeile 5: <mark>Beschluss des Rates ohne Nummer</mark></span>' in html
    assert 'value="Beispielkonzept"' in html  # the title stays too
    missing = post_form(client, text, "text/x-wiki", "")
    assert missing.status_code == 400 and "Für Wikitext fehlt der Seitentitel" in missing.get_data(as_text=True)


UNKNOWN_TF = "Verkehrswesen"


def unknown_themenfeld_page() -> str:
    from graph.gate.examples import KONZEPT_WIKI

    icon = "![[Datei:Stadtstruktur und Stadtgestalt.png|rahmenlos|120x120px|link=Stadtstruktur & Stadtgestalt]]\n"
    assert icon in KONZEPT_WIKI
    return KONZEPT_WIKI.replace(icon, icon + f"![[Datei:Verkehr.png|rahmenlos|120x120px|link={UNKNOWN_TF}]]\n")


def test_an_unknown_themenfeld_in_wikitext_is_refused_as_in_turtle_and_named_once(client):
    doc = client.post("/validate", query_string={"title": "Beispielkonzept"}, content_type="text/x-wiki",
                      data=unknown_themenfeld_page().encode("utf-8")).get_json()
    assert doc["conforms"] is False and doc["violations"] == 1  # one rule, said once (not per constraint)
    (group,) = doc["records"]
    (finding,) = [f for f in group["findings"] if f["severity"] == "Verletzung"]
    assert finding["field"] == "Themenfeld" and finding["value"] == UNKNOWN_TF
    assert finding["message"] == "Ein Themenfeld des Konzepts ist keines der Themenfelder des iSTEP."
    turtle = YEAR_2202.replace('"2202"', '"2021"').replace("themenfeld/mobilitaet", "themenfeld/verkehrswesen")
    same = client.post("/validate", data=turtle.encode(), content_type="text/turtle").get_json()
    assert [f["message"] for g in same["records"] for f in g["findings"]] == [finding["message"]]


def test_an_unknown_leitziel_page_in_wikitext_is_refused_with_the_link_as_written(client):
    from graph.gate.examples import KONZEPT_WIKI

    good = "[[Stadtstruktur & Stadtgestalt#Erhalt der Polyzentralität|"
    assert good in KONZEPT_WIKI
    text = KONZEPT_WIKI.replace(good, "[[Stadtstrukturen#Erhalt der Polyzentralität|")
    doc = client.post("/validate", query_string={"title": "Beispielkonzept"}, content_type="text/x-wiki",
                      data=text.encode("utf-8")).get_json()
    values = {f["value"] for g in doc["records"] for f in g["findings"] if f["field"] == "Leitziel"}
    assert doc["conforms"] is False and values == {"Stadtstrukturen#Erhalt der Polyzentralität"}


def test_the_report_links_a_new_record_nowhere_and_shows_its_value(client):
    html = post_form(client, unknown_themenfeld_page(), "text/x-wiki", "Beispielkonzept").get_data(as_text=True)
    assert "<h3>Konzept Beispielkonzept</h3>" in html  # no page for it yet: no link to a 404
    assert 'href="/konzept/beispielkonzept"' not in html
    assert html.count(f"<code>{UNKNOWN_TF}</code>") == 2  # the violation and the category warning, once each
    assert client.get("/konzept/beispielkonzept", headers={"Accept": "text/html"}).status_code == 404


def test_data_quality_links_the_wiki_page_and_its_edit_view(client):
    html = client.get("/datenqualitaet", headers={"Accept": "text/html"}).get_data(as_text=True)
    page = "https://istek.oberhausen.de/index.php?title=Mobilit%C3%A4tsstrategie"
    assert (f'Wiki-Seite „Mobilitätsstrategie“: <a href="{page}" rel="external">ansehen</a> · '
            f'<a href="{page}&amp;action=edit" rel="external">bearbeiten</a>') in html
    assert "wiki/konzepte/Mobilit" not in html  # the page, not the file, is named
    assert "Quelle: referenz/organisation.yaml" in html  # records from files still name their file
