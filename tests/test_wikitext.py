"""The wiki loader: concept and Themenfeld pages in wikitext and MediaWiki XML exports, every documented quirk,
and the shipped wiki data (the 12 concepts of facts.yaml, the 8 Themenfeld pages)."""
from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from graph.errors import LoaderError
from graph.iris import Iris
from graph.loaders import load_paths, loader_for
from graph.namespaces import DCTERMS, OB, PROV, RDF, RDFS, SKOS, XSD
from graph.settings import PROJECT_ROOT
from graph.sources.wiki.pages import find_index, title_from_filename
from graph.sources.wiki.records import page_url, records_from_wikitext

IRIS = Iris("https://example.org/sg/")
DATA = PROJECT_ROOT / "data"
WIKI = DATA / "wiki"
GEN2 = ("{{Konzeption|Räumlicher Geltungsbereich=Gesamtstadt|Art=Konzept|Jahr der Veröffentlichung=2021"
        "|Zuständigkeit=Bereich 5-1 / Stadtplanung}}\n")


def concept(text: str, title: str = "Testkonzept") -> tuple[rdflib.Graph, URIRef]:
    result = records_from_wikitext(text, IRIS, title=title)
    assert not result.errors, result.errors
    assert len(result.records) == 1
    return result.records[0].triples, IRIS.konzept(title)


def values(g: rdflib.Graph, s: URIRef, p: URIRef) -> set:
    return set(g.objects(s, p))


def texts(g: rdflib.Graph, s: URIRef, p: URIRef) -> set[str]:
    return {str(o) for o in g.objects(s, p)}


# ---- infobox --------------------------------------------------------------------------------------------
def test_generation_2_infobox_gives_place_unit_year_and_kind():
    g, s = concept(GEN2)
    assert (s, RDF.type, OB.Konzept) in g
    assert (s, DCTERMS.title, Literal("Testkonzept", lang="de")) in g
    assert (s, OB.art, Literal("Konzept")) in g
    assert (s, OB.geltungsbereich, IRIS.raum("stadt", "Oberhausen")) in g
    assert (s, OB.geltungsbereichText, Literal("Gesamtstadt")) in g
    assert (s, OB.zustaendigeEinheit, IRIS.einheit("Bereich", "5-1")) in g
    assert (s, OB.zustaendigkeitText, Literal("Bereich 5-1 / Stadtplanung")) in g
    assert (s, OB.veroeffentlichungsjahr, Literal("2021", datatype=XSD.gYear)) in g


def test_parameter_order_does_not_matter():
    reordered = ("{{Konzeption|Zuständigkeit=Bereich 5-1 / Stadtplanung|Art=Konzept"
                 "|Räumlicher Geltungsbereich=Gesamtstadt|Jahr der Veröffentlichung=2021}}\n")
    assert isomorphic(concept(GEN2)[0], concept(reordered)[0])


def test_empty_infobox_values_give_no_statements_but_the_page_loads():
    g, s = concept("{{Konzeption|Räumlicher Geltungsbereich=Gesamtstadt|Art=|Jahr der Veröffentlichung="
                   "|Zuständigkeit=}}\n==Kurzbeschreibung==\nText.")
    assert not values(g, s, OB.art)
    assert not values(g, s, OB.veroeffentlichungsjahr)
    assert not values(g, s, OB.zustaendigeEinheit) and not values(g, s, OB.zustaendigkeitText)
    assert (s, OB.geltungsbereich, IRIS.raum("stadt", "Oberhausen")) in g


def test_year_that_is_no_year_becomes_a_note_not_a_literal():
    g, s = concept("{{Konzeption|Jahr der Veröffentlichung=2019/2020}}")
    assert not values(g, s, OB.veroeffentlichungsjahr)
    assert any("2019/2020" in t for t in texts(g, s, OB.hinweis))


def test_template_below_an_intro_paragraph_is_found():
    g, s = concept("Einleitender Text über dem Kasten.\n\n" + GEN2 + "==Kurzbeschreibung==\nKurz.")
    assert (s, OB.art, Literal("Konzept")) in g
    assert (s, DCTERMS.description, Literal("Einleitender Text über dem Kasten.", lang="de")) in g
    assert (s, DCTERMS.abstract, Literal("Kurz.", lang="de")) in g


def test_generation_1_legacy_parameters():
    g, s = concept("{{Konzeption\n|Fachbereich=Bereich Umwelt\n|Ansprechpartner=Keiner\n|Erstelldatum=2021/11/01"
                   "\n|Aktualisierungsdatum=2023/04/01\n|Übergeordnetes Handlungsfeld=Umwelt, Freiraum, Klima}}\n")
    assert (s, OB.zustaendigkeitText, Literal("Bereich Umwelt")) in g
    assert (s, OB.zustaendigeEinheit, IRIS.einheit("Bereich", None, "Umwelt")) in g
    assert (s, OB.ansprechpartner, Literal("Keiner")) in g
    assert (s, OB.erstelldatum, Literal("2021-11-01", datatype=XSD.date)) in g
    assert (s, OB.aktualisierungsdatum, Literal("2023-04-01", datatype=XSD.date)) in g
    assert (s, OB.uebergeordnetesHandlungsfeld, Literal("Umwelt, Freiraum, Klima")) in g


def test_image_after_the_closing_braces_does_not_spill_into_the_last_value():
    g, s = concept("{{Konzeption\n|Art=Konzept\n|Übergeordnetes Handlungsfeld=Integriertes Stadtentwicklungskonzept}}"
                   "[[Datei:Smart_city_4c.jpg|rand|rahmenlos]]\n==Kurzbeschreibung==\nText.")
    assert texts(g, s, OB.uebergeordnetesHandlungsfeld) == {"Integriertes Stadtentwicklungskonzept"}
    assert texts(g, s, DCTERMS.abstract) == {"Text."}


def test_unknown_place_and_unit_keep_the_raw_text_and_note_it():
    g, s = concept("{{Konzeption|Räumlicher Geltungsbereich=Marktplatz|Zuständigkeit=Frau Muster}}")
    assert texts(g, s, OB.geltungsbereichText) == {"Marktplatz"} and not values(g, s, OB.geltungsbereich)
    assert texts(g, s, OB.zustaendigkeitText) == {"Frau Muster"} and not values(g, s, OB.zustaendigeEinheit)
    assert len(texts(g, s, OB.hinweis)) == 4  # two notes, German and English


def test_sozialraeume_scope_names_all_six():
    g, s = concept("{{Konzeption|Räumlicher Geltungsbereich=Sozialräume}}")
    assert len(values(g, s, OB.geltungsbereich)) == 6


# ---- sections -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("heading", [
    "==Analyseschwerpunkte im Konzept==", "== Analyseschwerpunkte im Konzept ==",
    "==Analyseschwerpunkte im Konzept ==", "==Analyseschwerpunkte==", "= Analyseschwerpunkte im Konzept =",
])
def test_heading_variants_are_the_same_section(heading):
    g, s = concept(GEN2 + heading + "\n*Bestandsnetz\n")
    assert texts(g, s, OB.analyseschwerpunkt) == {"Bestandsnetz"}


def test_level_1_kurzbeschreibung_with_level_3_subheading():
    g, s = concept(GEN2 + "= Kurzbeschreibung =\nErster Absatz.\n=== Teil ===\nZweiter Absatz.\n"
                   "==Analyseschwerpunkte im Konzept==\n*Wind\n")
    assert texts(g, s, DCTERMS.abstract) == {"Erster Absatz.\nTeil\nZweiter Absatz."}
    assert texts(g, s, OB.analyseschwerpunkt) == {"Wind"}


def test_unknown_section_is_noted():
    g, s = concept(GEN2 + "==Sonstiges==\nText\n")
    assert any("Sonstiges" in t for t in texts(g, s, OB.hinweis))


def test_bullets_nested_items_and_intro_line():
    g, s = concept(GEN2 + "==Analyseschwerpunkte im Konzept==\nIm Konzept werden folgende Felder analysiert:\n"
                   "*Bestandsnetz\n**Lückenanalyse\n*Wohnugnsbaupotenziale\n")
    # the typo stays as the wiki writes it
    assert texts(g, s, OB.analyseschwerpunkt) == {"Bestandsnetz", "Bestandsnetz – Lückenanalyse",
                                                  "Wohnugnsbaupotenziale"}


def test_ziele_group_labels_prefix_their_items():
    g, s = concept(GEN2 + "==Im Konzept formulierte Ziele==\nNetzausbau:\n*Lücken schließen\n*Netz verdichten\n"
                   "Aufwertung der öffentlichen Räume:\n\nOberhausen sichert die Teilnahme für alle Nutzergruppen:\n"
                   "*Barrieren abbauen\n")
    assert texts(g, s, OB.ziel) == {
        "Netzausbau: Lücken schließen", "Netzausbau: Netz verdichten",
        "Aufwertung der öffentlichen Räume",  # a label without items is a goal itself
        "Oberhausen sichert die Teilnahme für alle Nutzergruppen: Barrieren abbauen",
    }
    assert all(o.language == "de" for o in values(g, s, OB.ziel))


# ---- Themenfelder ---------------------------------------------------------------------------------------
TABLE_BY_LINK = """==Themenfeld(er)==
Das Konzept hat Bezug zu folgenden Themenfeldern aus dem integrierten Stadtentwicklungsprozess (iSTEP):
{|
![[Datei:Umwelt, Klima und Freiraum.png|rahmenlos|120x120px|link=Umwelt, Freiraum, Klima]]
![[Datei:Stadtstruktur und Stadtgestalt.png|rahmenlos|120x120px|link=Stadtstruktur & Stadtgestalt]]
|-
|}
"""
TABLE_LEGACY = """==Themenfeld(er)==
{|
![[Datei:Gesundheit, Sport und Bewegung.jpg|rahmenlos|119x119px]]!![[Datei:Arbeit, Wirtschaft & Tourismus.jpg|rahmenlos|119x119px]]
|-
!''<small>[[Gesundheit, Sport und Bewegung|Zum Themenfeld]]</small>''!!''<small>[[Arbeit, Wirtschaft und Tourismus|Zum Themenfeld]]</small>''
|}
"""


def test_themenfelder_from_icon_links_not_file_names():
    g, s = concept(GEN2 + TABLE_BY_LINK)
    assert values(g, s, OB.themenfeld) == {IRIS.themenfeld("Umwelt, Freiraum, Klima"),
                                           IRIS.themenfeld("Stadtstruktur & Stadtgestalt")}


def test_themenfelder_from_legacy_zum_themenfeld_links_in_double_bang_cells():
    g, s = concept(GEN2 + TABLE_LEGACY)
    assert values(g, s, OB.themenfeld) == {IRIS.themenfeld("Gesundheit, Sport und Bewegung"),
                                           IRIS.themenfeld("Arbeit, Wirtschaft und Tourismus")}


def test_themenfelder_fall_back_to_categories_and_ask_queries_are_no_categories():
    g, s = concept(GEN2 + "==Themenfeld(er)==\nText ohne Tabelle\n[[Category:Wohnen]]\n[[Kategorie:Mobilität]]\n"
                   "[[:Kategorie:Bildung & Kultur]]\n{{#ask:[[Kategorie:Arbeit, Wirtschaft und Tourismus]]|format=ul}}\n")
    assert values(g, s, OB.themenfeld) == {IRIS.themenfeld("Wohnen"), IRIS.themenfeld("Mobilität")}
    assert texts(g, s, OB.wikiKategorie) == {"Wohnen", "Mobilität"}


def test_synonym_spellings_map_to_one_themenfeld_and_unknown_ones_are_kept_for_the_gate():
    """An unknown name is not dropped: the record points at it as a Turtle author would, named as written,
    and the gate refuses it (tests/test_web_validation.py)."""
    g, s = concept(GEN2 + "==Themenfeld(er)==\n{|\n![[Datei:x.png|link=Gesundheit, Sport & Bewegung]]\n"
                   "![[Datei:y.png|link=Stadtgestalt und Stadtstruktur]]\n![[Datei:z.png|link=Raumfahrt]]\n|}\n")
    assert values(g, s, OB.themenfeld) == {IRIS.themenfeld("Gesundheit, Sport und Bewegung"),
                                           IRIS.themenfeld("Stadtstruktur & Stadtgestalt"),
                                           IRIS.themenfeld("Raumfahrt")}
    assert str(g.value(IRIS.themenfeld("Raumfahrt"), RDFS.label)) == "Raumfahrt"


def test_categories_disagreeing_with_the_table_are_noted():
    g, s = concept(GEN2 + TABLE_BY_LINK + "[[Category:Wohnen]]\n")
    assert any("Kategorien" in t for t in texts(g, s, OB.hinweis))


def test_old_leitziele_aus_dem_istek_section_gives_the_themenfelder():
    g, s = concept(GEN2 + "==Kurzbeschreibung==\nText\n==Leitziele aus dem iSTEK==\n"
                   "Themenfeld Arbeit, Wirtschaft und Tourismus:\n\nThemenfeld Umwelt, Freiraum, Klima:\n")
    assert values(g, s, OB.themenfeld) == {IRIS.themenfeld("Arbeit, Wirtschaft und Tourismus"),
                                           IRIS.themenfeld("Umwelt, Freiraum, Klima")}
    assert not values(g, s, OB.leitziel)


# ---- Leitziele ------------------------------------------------------------------------------------------
def test_leitziel_anchor_links_in_the_leitziel_table():
    g, s = concept(GEN2 + TABLE_BY_LINK + """==Bezug zu Leitzielen der Stadtentwicklung ==
Das Konzept zahlt auf folgende Leitziele aus dem integrierten Stadtentwicklungsprozess (iSTEP) ein:
{|
|[[Datei:Stadtstruktur und Stadtgestalt.png|rahmenlos|60x60px|link=Stadtstruktur & Stadtgestalt]]
|Themenfeld Stadtstruktur und Stadtgestalt:
|[[Stadtstruktur & Stadtgestalt#Erhalt der Polyzentralität|Polyzentralität]]||[[Stadtstruktur_&_Stadtgestalt#Innen-_vor_Au.C3.9Fenentwicklung|Innen vor außen]]
|-
|[[Datei:Umwelt, Klima und Freiraum.png|rahmenlos|60x60px|link=Umwelt, Freiraum, Klima]]
|Themenfeld Umwelt, Freiraum, Klima:
|Klimaschutz
|
|}
""")
    assert values(g, s, OB.leitziel) == {
        IRIS.leitziel("Stadtstruktur & Stadtgestalt", "Erhalt der Polyzentralität"),
        IRIS.leitziel("Stadtstruktur & Stadtgestalt", "Innen- vor Außenentwicklung"),
        IRIS.leitziel("Umwelt, Freiraum, Klima", "Klimaschutz"),  # plain text in a cell, as a fallback
    }


def test_empty_leitziel_cells_give_no_leitziele():
    g, s = concept(GEN2 + TABLE_BY_LINK + "==Bezug zu Leitzielen der Stadtentwicklung==\n{|\n"
                   "|[[Datei:Umwelt, Klima und Freiraum.png|link=Umwelt, Freiraum, Klima]]\n"
                   "|Themenfeld Umwelt, Freiraum, Klima:\n| ||||\n|}\n")
    assert not values(g, s, OB.leitziel)


# ---- Synergien ------------------------------------------------------------------------------------------
def test_bold_synergy_resolves_to_the_concept_by_title():
    g, s = concept(GEN2 + "==Synergien zu anderen Konzepten==\n"
                   "*'''Integriertes Handlungskonzept (IHK) Osterfeld''' (2022): Das FEK ist eine Teilmaßnahme.\n")
    target = IRIS.konzept("Integriertes Handlungskonzept (IHK) Osterfeld")
    assert values(g, s, OB.synergieMit) == {target}
    (statement,) = values(g, s, OB.synergieangabe)
    assert (statement, RDF.type, OB.Synergieangabe) in g
    assert (statement, OB.zielkonzept, target) in g
    assert (statement, OB.zielkonzeptJahr, Literal("2022", datatype=XSD.gYear)) in g
    assert texts(g, statement, DCTERMS.description) == {"Das FEK ist eine Teilmaßnahme."}
    assert isinstance(statement, URIRef)  # linkable, never a blank node


@pytest.mark.parametrize("body", ["-\n", "\n", " – \n"])
def test_synergy_placeholder_or_empty_section_means_none(body):
    g, s = concept(GEN2 + "==Synergien zu anderen Konzepten==\n" + body + "==Politische Beschlusslage==\n-\n")
    assert not values(g, s, OB.synergieMit) and not values(g, s, OB.synergieangabe)
    assert not values(g, s, OB.hinweis)


def test_synergy_line_without_bold_name_is_noted_not_guessed():
    g, s = concept(GEN2 + "==Synergien zu anderen Konzepten==\n*irgendein Konzept (2020): Satz\n")
    assert not values(g, s, OB.synergieMit)
    assert any("Synergie" in t for t in texts(g, s, OB.hinweis))


# ---- Beschlusslage --------------------------------------------------------------------------------------
OLD_ALLRIS = ("'''[http://allris.oberhausen.de/bi/vo020.asp?VOLFDNR=13572 Vorlage - B/16/5505-01]''' (Allris): "
              "\"''Fortschreibung des Handlungskonzeptes zum Umgang mit geflohenen Menschen in Oberhausen''\"")
NEW_RATSINFO = ("[http://ratsinfo.oberhausen.de/vo020?VOLFDNR=13572 Vorlage - B/16/5505-01] (Allris): "
                "\"''Fortschreibung des Handlungskonzeptes zum Umgang mit geflohenen Menschen in Oberhausen''\"")


@pytest.mark.parametrize("line,prop,url", [
    (OLD_ALLRIS, OB.allrisSeite, "http://allris.oberhausen.de/bi/vo020.asp?VOLFDNR=13572"),
    (NEW_RATSINFO, OB.ratsinfoSeite, "http://ratsinfo.oberhausen.de/vo020?VOLFDNR=13572"),
])
def test_beschlusslage_old_and_new_form_cite_the_vorlage(line, prop, url):
    g, s = concept(GEN2 + "==Politische Beschlusslage==\n" + line + "\n")
    v = IRIS.vorlage("B/16/5505-01")
    assert (s, OB.beschlossenDurch, v) in g
    assert (v, OB.drucksache, Literal("B/16/5505-01")) in g
    assert (v, OB.volfdnr, Literal(13572, datatype=XSD.integer)) in g
    assert values(g, v, prop) == {URIRef(url)}
    assert texts(g, v, OB.zitiertAls) == {
        "Fortschreibung des Handlungskonzeptes zum Umgang mit geflohenen Menschen in Oberhausen"}


def test_several_vorlagen_and_an_unlinked_line():
    g, s = concept(GEN2 + "== Politische Beschlusslage ==\n"
                   "[http://ratsinfo.oberhausen.de/vo020?VOLFDNR=20001 Vorlage - B/17/3936-01] (Allris): \"''A''\"\n"
                   "Vorlage - B/16/2190-01 (Allris)\n")
    assert values(g, s, OB.beschlossenDurch) == {IRIS.vorlage("B/17/3936-01"), IRIS.vorlage("B/16/2190-01")}
    unlinked = IRIS.vorlage("B/16/2190-01")
    assert not values(g, unlinked, OB.volfdnr) and not values(g, unlinked, OB.zitiertAls)


def test_beschlusslage_line_without_drucksache_is_an_error_naming_the_page():
    result = records_from_wikitext(GEN2 + "==Politische Beschlusslage==\nDer Rat hat zugestimmt.\n", IRIS,
                                   title="Kaputtes Konzept")
    assert not result.records
    (error,) = result.errors
    assert isinstance(error, LoaderError)
    assert error.page == "Kaputtes Konzept" and "Drucksache" in error.detail


# ---- links, categories, provenance ----------------------------------------------------------------------
def test_links_with_labels_placeholder_and_label_without_address():
    g, s = concept(GEN2 + "==Weiterführende Links & Downloads==\n"
                   "*[https://www.oberhausen.de/a.pdf Konzept (Download)]\n"
                   "[https://example.org/seite Website]\n-\n*Broschüre ohne Link\n")
    assert values(g, s, OB.weiterfuehrenderLink) == {URIRef("https://www.oberhausen.de/a.pdf"),
                                                     URIRef("https://example.org/seite")}
    assert (URIRef("https://www.oberhausen.de/a.pdf"), RDFS.label, Literal("Konzept (Download)", lang="de")) in g
    assert any("Broschüre ohne Link" in t for t in texts(g, s, OB.hinweis))


def test_odd_urls_are_encoded_for_the_store_or_refused_with_a_note():
    from graph.store import to_ox

    g, s = concept(GEN2 + "==Weiterführende Links & Downloads==\n[http://x.de/a%zz|b Eins]\n"
                   "[https://x.de/ä?ö=1#x#y Zwei]\n[javascript:alert(1) Drei]\n[ftp://x.de/y Vier]\n")
    assert values(g, s, OB.weiterfuehrenderLink) == {URIRef("http://x.de/a%25zz%7Cb"),
                                                     URIRef("https://x.de/ä?ö=1#x%23y")}
    for triple in g:
        for term in triple:
            to_ox(term)  # the embedded store accepts every term
    notes = " ".join(texts(g, s, OB.hinweis))
    assert "Drei" in notes and "Vier" in notes


def test_wiki_page_revision_and_source_urls():
    from graph.records import SourceRef

    url = "https://istek.oberhausen.de/index.php?oldid=1421&title=X"
    result = records_from_wikitext(GEN2, IRIS, title="Integriertes Handlungskonzept (IHK) Brückenschlag",
                                   revision=1421, source=SourceRef("a.wiki", urls=(url,), kind="wiki"))
    g, s = result.records[0].triples, result.records[0].iri
    assert values(g, s, OB.wikiSeite) == {URIRef(
        "https://istek.oberhausen.de/index.php?title=Integriertes_Handlungskonzept_%28IHK%29_Br%C3%BCckenschlag")}
    assert (s, OB.wikiRevision, Literal(1421, datatype=XSD.integer)) in g
    assert values(g, s, PROV.wasDerivedFrom) == {URIRef(url)}
    assert result.records[0].graph_iri == IRIS.record_graph(s)


def test_page_url_encodes_titles_as_the_wiki_does():
    assert page_url('Endbericht "Themenjahr Wohnen"') == \
        "https://istek.oberhausen.de/index.php?title=Endbericht_%22Themenjahr_Wohnen%22"
    assert page_url("Gesundheit, Sport und Bewegung").endswith("title=Gesundheit%2C_Sport_und_Bewegung")
    assert page_url("Konzept:ISTEK").endswith("title=Konzept%3AISTEK")


def test_page_that_is_neither_concept_nor_themenfeld_is_an_error():
    result = records_from_wikitext("Nur Text über das Themenjahr.", IRIS, title='Themenjahr "Wohnen"')
    assert not result.records and result.errors[0].page == 'Themenjahr "Wohnen"'
    assert "Konzeption" in result.errors[0].detail


# ---- Themenfeld pages -----------------------------------------------------------------------------------
THEMENFELD_PAGE = """{{Themenfeld}}
[[Datei:Umwelt, Klima und Freiraum.png|alternativtext=Icon zum Themenfeld Arbeit, Wirtschaft und Tourismus|rechts|rahmenlos|200x200px|link=]]
''Umwelt. Freiraum & Klima'' ist ein Themenfeld des intergrierten Stadtentwicklungsprozesses (iSTEP).
== Hintergrund und Ausgangslage ==
Hintergrundtext.
==Leitziele==
<div id="Blau-grüne Infrastruktur">'''Blau-grüne Infrastruktur'''</div>
Wasser und Grün gemeinsam planen.
<br />
<div id="Boden schonen">'''Boden schonen'''
Brachen vor Freiflächen nutzen.</div>
<br />
Ein Absatz ohne Titel ist kein Leitziel.
==Konzepte mit Bezug zum Themenfeld==
{{#ask:[[Kategorie:Umwelt, Freiraum, Klima]]|format=ul}}
"""


def test_themenfeld_page_gives_a_skos_concept_and_its_leitziele():
    result = records_from_wikitext(THEMENFELD_PAGE, IRIS, title="Umwelt, Freiraum, Klima")
    assert not result.errors
    tf = IRIS.themenfeld("Umwelt, Freiraum, Klima")
    by_iri = {r.iri: r.triples for r in result.records}
    g = by_iri[tf]
    assert (tf, RDF.type, OB.Themenfeld) in g
    assert (tf, SKOS.prefLabel, Literal("Umwelt, Freiraum, Klima", lang="de")) in g
    assert (tf, SKOS.altLabel, Literal("Umwelt. Freiraum & Klima", lang="de")) in g
    assert (tf, SKOS.inScheme, IRIS.scheme("themenfelder")) in g
    assert texts(g, tf, OB.iconDatei) == {"Umwelt, Klima und Freiraum.png"}  # not the copied alt text
    assert texts(g, tf, DCTERMS.description) == {
        "Umwelt. Freiraum & Klima ist ein Themenfeld des intergrierten Stadtentwicklungsprozesses (iSTEP)."}
    assert set(by_iri) == {tf, IRIS.leitziel("Umwelt, Freiraum, Klima", "Blau-grüne Infrastruktur"),
                           IRIS.leitziel("Umwelt, Freiraum, Klima", "Boden schonen")}
    goal = IRIS.leitziel("Umwelt, Freiraum, Klima", "Boden schonen")
    lg = by_iri[goal]
    assert (goal, OB.gehoertZuThemenfeld, tf) in lg
    assert (goal, SKOS.inScheme, IRIS.scheme("leitziele")) in lg
    assert texts(lg, goal, SKOS.definition) == {"Brachen vor Freiflächen nutzen."}  # misplaced </div>
    assert texts(lg, goal, OB.wikiSeite) == {
        "https://istek.oberhausen.de/index.php?title=Umwelt%2C_Freiraum%2C_Klima#Boden_schonen"}


def test_themenfeld_page_without_title_divs_has_no_leitziele():
    result = records_from_wikitext("''Mobilität'' ist ein Themenfeld.\n==Leitziele==\nAbsatz eins.\n<br />\n"
                                   "Absatz zwei.\n", IRIS, title="Mobilität")
    assert [r.iri for r in result.records] == [IRIS.themenfeld("Mobilität")]


# ---- files, index, export -------------------------------------------------------------------------------
EXPORT = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11">
  <page><title>Testkonzept</title><ns>0</ns>
    <revision><id>30</id><text xml:space="preserve">{{Konzeption|Jahr der Veröffentlichung=2023}}</text></revision>
    <revision><id>10</id><text xml:space="preserve">{{Konzeption|Jahr der Veröffentlichung=2010}}</text></revision>
    <revision><id>20</id><text xml:space="preserve">{{Konzeption|Jahr der Veröffentlichung=2020}}</text></revision>
  </page>
  <page><title>Ohne Nummern</title><ns>0</ns>
    <revision><text>{{Konzeption|Art=alt}}</text></revision>
    <revision><text>{{Konzeption|Art=neu}}</text></revision>
  </page>
  <page><title>Kaputt</title><ns>0</ns>
    <revision><id>5</id><text>{{Konzeption}}
==Politische Beschlusslage==
keine Drucksache hier, aber Text</text></revision>
  </page>
  <page><title>Kategorie:Wohnen</title><ns>14</ns><revision><id>7</id><text>Kategorie</text></revision></page>
</mediawiki>
"""


def test_export_takes_the_latest_revision_and_reports_bad_pages_by_file_and_page(tmp_path):
    (tmp_path / "export.xml").write_text(EXPORT, encoding="utf-8")
    result = load_paths([tmp_path], IRIS, root=tmp_path)
    by_title = {r.label: r for r in result.records}
    assert set(by_title) == {"Testkonzept", "Ohne Nummern"}  # the category page is no record
    first = by_title["Testkonzept"]
    assert (first.iri, OB.veroeffentlichungsjahr, Literal("2023", datatype=XSD.gYear)) in first.triples
    assert first.source.revision == 30 and first.source.kind == "wiki-export"
    assert (first.iri, OB.wikiRevision, Literal(30, datatype=XSD.integer)) in first.triples
    second = by_title["Ohne Nummern"]
    assert (second.iri, OB.art, Literal("neu")) in second.triples  # no ids: the last in the file
    (error,) = result.errors
    assert error.source == "export.xml" and error.page == "Kaputt"


@pytest.mark.parametrize("content", [
    "<mediawiki><page><title>X</title>",  # truncated
    '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY e "boom">]><mediawiki>&e;</mediawiki>',  # entities refused
    "<html></html>",
])
def test_unreadable_export_names_the_file(tmp_path, content):
    (tmp_path / "kaputt.xml").write_text(content, encoding="utf-8")
    result = load_paths([tmp_path], IRIS, root=tmp_path)
    assert not result.records
    assert result.errors and result.errors[0].source == "kaputt.xml"


def test_unreadable_page_does_not_stop_the_others(tmp_path):
    (tmp_path / "Gut.wiki").write_text(GEN2, encoding="utf-8")
    (tmp_path / "Schlecht.wiki").write_text(GEN2 + "==Politische Beschlusslage==\nbeschlossen\n", encoding="utf-8")
    (tmp_path / "Binaer.wiki").write_bytes(b"{{Konzeption}}\xff\xfe")
    result = load_paths([tmp_path], IRIS, root=tmp_path)
    assert [r.label for r in result.records] == ["Gut"]
    assert {(e.source, e.page) for e in result.errors} == {("Schlecht.wiki", "Schlecht"), ("Binaer.wiki", "Binaer")}


def test_index_gives_title_revision_sources_and_is_not_loaded_itself(tmp_path):
    (tmp_path / "a.wiki").write_text(GEN2, encoding="utf-8")
    (tmp_path / "seiten.yaml").write_text(
        "format: stadtgraph-wiki/1\nseiten:\n  - titel: Mobilitätsstrategie\n    datei: a.wiki\n"
        "    revision: 1779\n    konfidenz: beobachtet\n    quellen:\n      - https://istek.oberhausen.de/index.php?oldid=1779\n",
        encoding="utf-8")
    assert loader_for(tmp_path / "seiten.yaml") is None
    result = load_paths([tmp_path], IRIS, root=tmp_path)
    (record,) = result.records
    assert record.iri == IRIS.konzept("Mobilitätsstrategie") and record.source.revision == 1779
    assert (record.iri, OB.konfidenz, OB.Beobachtet) in record.triples
    assert (record.iri, PROV.wasDerivedFrom, URIRef("https://istek.oberhausen.de/index.php?oldid=1779")) \
        in record.triples


def test_broken_index_is_an_error_naming_it(tmp_path):
    (tmp_path / "a.wiki").write_text(GEN2, encoding="utf-8")
    (tmp_path / "seiten.yaml").write_text("format: stadtgraph-wiki/1\nseiten:\n  - datei: a.wiki\n", encoding="utf-8")
    result = load_paths([tmp_path], IRIS, root=tmp_path)
    assert not result.records and result.errors[0].source == "seiten.yaml"


def test_title_from_file_name_without_index():
    assert title_from_filename(Path("Endbericht_%22Themenjahr_Wohnen%22.wiki")) == 'Endbericht "Themenjahr Wohnen"'
    assert title_from_filename(Path("Bildung_&_Kultur.wiki")) == "Bildung & Kultur"


# ---- the shipped wiki data ------------------------------------------------------------------------------
FACTS_CONCEPTS = {
    "Handlungskonzept zum Umgang mit geflohenen Menschen in Oberhausen":
        ("Gesamtstadt", "Konzept", "Bereich 2-6 / Kommunales Integrationszentrum", "2020"),
    "Smart City Strategie": ("Gesamtstadt", "Konzept", "Bereich 4-4 IT / Smart City Oberhausen", "2023"),
    "Strategiepapiere für die Sozialräume": ("Sozialräume", "Konzept", "Bereich 3-2 / Soziales", None),
    'Endbericht "Themenjahr Wohnen"':
        ("Gesamtstadt", "Konzept", "Bereich 4-5 / Integrierte Stadtentwicklung und Statistik", "2025"),
    "Klimaanpassungskonzept": ("Oberhausen", "Konzept", "Bereich Umwelt", None),  # legacy Fachbereich
    'Sportpolitisches Handlungskonzept "Bewegung ist Bildung - Bewegte Bildung gemeinsam gestalten"':
        ("Gesamtstadt", "Konzept", "Bereich 2-5 / Sport", "2019"),
    "Freiraumentwicklungskonzept Osterfeld": ("Gesamtstadt", None, "Bereich 5-1 / Stadtplanung", "2022"),
    "Grünstrukturenentwicklungskonzept Oberhausen City":
        ("Alt-Oberhausen", "Konzept", "Bereich 5-1 / Stadtplanung", "2018"),
    "Integriertes Handlungskonzept (IHK) Sterkrade": ("Sterkrade", "Konzept", None, None),
    "Integriertes Handlungskonzept (IHK) Brückenschlag":
        ("Alt-Oberhausen", "Konzept", "Bereich 5-1 / Stadtplanung", "2023"),
    "Wirtschaftsflächen in der Stadt Oberhausen (Wirtschaftsflächenkonzept)":
        ("Gesamtstadt", "Konzept", "Dezernat 0 / Strategische Planung", "2022"),
    "Mobilitätsstrategie": ("Gesamtstadt", "Konzept", "Bereich 5-6 / Verkehr", "2023"),
}
FACTS_THEMENFELDER = {  # concept → Themenfelder as facts.yaml observed them (inferred ones left out)
    "Handlungskonzept zum Umgang mit geflohenen Menschen in Oberhausen":
        {"Gesellschaftliche Teilhabe und Chancengleichheit"},
    "Smart City Strategie": {"Arbeit, Wirtschaft und Tourismus", "Mobilität",
                             "Gesellschaftliche Teilhabe und Chancengleichheit"},
    "Strategiepapiere für die Sozialräume": set(),
    'Endbericht "Themenjahr Wohnen"': set(),
    "Klimaanpassungskonzept": {"Umwelt, Freiraum, Klima", "Gesundheit, Sport und Bewegung"},
    'Sportpolitisches Handlungskonzept "Bewegung ist Bildung - Bewegte Bildung gemeinsam gestalten"':
        {"Gesellschaftliche Teilhabe und Chancengleichheit", "Bildung & Kultur", "Gesundheit, Sport und Bewegung"},
    "Freiraumentwicklungskonzept Osterfeld": {"Umwelt, Freiraum, Klima", "Stadtstruktur & Stadtgestalt"},
    "Grünstrukturenentwicklungskonzept Oberhausen City":
        {"Stadtstruktur & Stadtgestalt", "Umwelt, Freiraum, Klima", "Gesundheit, Sport und Bewegung"},
    "Integriertes Handlungskonzept (IHK) Sterkrade":
        {"Arbeit, Wirtschaft und Tourismus", "Stadtstruktur & Stadtgestalt", "Umwelt, Freiraum, Klima",
         "Gesellschaftliche Teilhabe und Chancengleichheit", "Gesundheit, Sport und Bewegung"},
    "Integriertes Handlungskonzept (IHK) Brückenschlag":
        {"Arbeit, Wirtschaft und Tourismus", "Stadtstruktur & Stadtgestalt", "Mobilität", "Wohnen",
         "Gesellschaftliche Teilhabe und Chancengleichheit", "Bildung & Kultur"},
    "Wirtschaftsflächen in der Stadt Oberhausen (Wirtschaftsflächenkonzept)":
        {"Arbeit, Wirtschaft und Tourismus", "Stadtstruktur & Stadtgestalt"},
    "Mobilitätsstrategie": set(),
}


@pytest.fixture(scope="module")
def shipped():
    iris = Iris("https://daten.oberhausen.de/stadtgraph/")
    result = load_paths([WIKI], iris, root=DATA)
    return iris, result


def _union(result) -> rdflib.Graph:
    g = rdflib.Graph()
    for record in result.records:
        g += record.triples
    return g


def test_shipped_wiki_loads_without_errors_and_each_page_once(shipped):
    _, result = shipped
    assert result.errors == []
    pages = [(r.source.page, r.iri) for r in result.records]
    assert len(pages) == len(set(pages))
    graphs = [r.graph_iri for r in result.records]
    assert len(graphs) == len(set(graphs))


def test_shipped_wiki_has_the_12_concepts_with_their_infobox_facts(shipped):
    iris, result = shipped
    g = _union(result)
    concepts = set(g.subjects(RDF.type, OB.Konzept))
    assert concepts == {iris.konzept(t) for t in FACTS_CONCEPTS}
    for title, (scope, kind, unit, year) in FACTS_CONCEPTS.items():
        s = iris.konzept(title)
        assert texts(g, s, DCTERMS.title) == {title}
        assert texts(g, s, OB.geltungsbereichText) == {scope}, title
        assert texts(g, s, OB.art) == ({kind} if kind else set()), title
        assert texts(g, s, OB.zustaendigkeitText) == ({unit} if unit else set()), title
        assert values(g, s, OB.veroeffentlichungsjahr) == (
            {Literal(year, datatype=XSD.gYear)} if year else set()), title
        assert values(g, s, OB.themenfeld) == {iris.themenfeld(t) for t in FACTS_THEMENFELDER[title]}, title
        assert not values(g, s, OB.leitziel), title  # no concept→Leitziel link was observed
        assert values(g, s, OB.wikiSeite) == {URIRef(page_url(title))}
        assert any(str(u).startswith("https://istek.oberhausen.de/") for u in values(g, s, PROV.wasDerivedFrom))


def test_shipped_refugee_concept_as_issue_2_asks(shipped):
    _, result = shipped
    title = "Handlungskonzept zum Umgang mit geflohenen Menschen in Oberhausen"
    (record,) = [r for r in result.records if r.label == title]
    g, s = record.triples, record.iri
    assert s == URIRef("https://daten.oberhausen.de/stadtgraph/konzept/"
                       "handlungskonzept-zum-umgang-mit-geflohenen-menschen-in-oberhausen")
    assert values(g, s, OB.zustaendigeEinheit) == {URIRef("https://daten.oberhausen.de/stadtgraph/organisation/bereich-2-6")}
    assert (s, OB.veroeffentlichungsjahr, Literal("2020", datatype=XSD.gYear)) in g
    assert values(g, s, OB.themenfeld) == {URIRef(
        "https://daten.oberhausen.de/stadtgraph/themenfeld/gesellschaftliche-teilhabe-und-chancengleichheit")}
    v = URIRef("https://daten.oberhausen.de/stadtgraph/vorlage/b-16-5505-01")
    assert values(g, s, OB.beschlossenDurch) == {v}
    assert (v, OB.drucksache, Literal("B/16/5505-01")) in g
    assert (v, OB.volfdnr, Literal(13572, datatype=XSD.integer)) in g
    # the current revision of the export links ratsinfo; the older one (ALLRIS) is not loaded
    assert values(g, v, OB.ratsinfoSeite) == {URIRef("http://ratsinfo.oberhausen.de/vo020?VOLFDNR=13572")}
    assert not values(g, v, OB.allrisSeite)
    assert texts(g, v, OB.zitiertAls) == {
        "Fortschreibung des Handlungskonzeptes zum Umgang mit geflohenen Menschen in Oberhausen"}
    assert record.source.file == "wiki/export/istek-export.xml" and record.source.page == title
    assert values(g, s, PROV.wasDerivedFrom) == {URIRef(
        "https://istek.oberhausen.de/index.php?diff=prev&oldid=1767&title="
        "Handlungskonzept_zum_Umgang_mit_geflohenen_Menschen_in_Oberhausen")}
    assert (s, OB.weiterfuehrenderLink, URIRef("https://www.oberhausen.de/de/index/rathaus/verwaltung/"
                                               "familie-schule-integration-und-sport/kommunales_integrationszentrum.php")) in g


def test_shipped_quirks_read_as_the_facts_say(shipped):
    iris, result = shipped
    g = _union(result)
    fek = iris.konzept("Freiraumentwicklungskonzept Osterfeld")
    assert values(g, fek, OB.synergieMit) == {iris.konzept("Integriertes Handlungskonzept (IHK) Osterfeld")}
    kak = iris.konzept("Klimaanpassungskonzept")
    assert values(g, kak, OB.zustaendigeEinheit) == {iris.einheit("Bereich", None, "Umwelt")}
    assert (kak, OB.erstelldatum, Literal("2021-11-01", datatype=XSD.date)) in g
    smart = next(r for r in result.records if r.label == "Smart City Strategie")
    assert smart.source.revision == 2165  # the newer of the two exported revisions
    bs = iris.konzept("Integriertes Handlungskonzept (IHK) Brückenschlag")
    assert values(g, bs, OB.beschlossenDurch) == {iris.vorlage("B/17/3936-01"), iris.vorlage("B/16/2190-01")}
    wfk = iris.konzept("Wirtschaftsflächen in der Stadt Oberhausen (Wirtschaftsflächenkonzept)")
    assert texts(g, iris.vorlage("B/17/2784-01"), OB.zitiertAls) == {"Mobilisierung von Wirtschaftsflächen in Oberhausen"}
    assert values(g, wfk, OB.zustaendigeEinheit) == {iris.einheit("Dezernat", "0")}
    endbericht = iris.konzept('Endbericht "Themenjahr Wohnen"')
    assert values(g, endbericht, DCTERMS.description)  # the intro text above the infobox
    assert len(values(g, endbericht, OB.analyseschwerpunkt)) == 7


def test_shipped_themenfelder_and_leitziele(shipped):
    iris, result = shipped
    g = _union(result)
    assert len(set(g.subjects(RDF.type, OB.Themenfeld))) == 8
    leitziele = set(g.subjects(RDF.type, OB.Leitziel))
    assert leitziele == {
        iris.leitziel("Stadtstruktur & Stadtgestalt", t) for t in (
            "Erhalt der Polyzentralität", "Innen- vor Außenentwicklung",
            "Erhalt und Ausbau der kleinräumigen Funktionsmischung", "Denkmalschutz, Erhalt historischer Bausubstanz")
    } | {
        iris.leitziel("Gesundheit, Sport und Bewegung", t) for t in (
            "Querschnittsbezogene Verankerung des Themas „Gesundheit“ in der Verwaltung",
            "Förderung gesundheitlicher Chancengleichheit")
    }
    umwelt = iris.themenfeld("Umwelt, Freiraum, Klima")
    assert texts(g, umwelt, OB.iconDatei) == {"Umwelt, Klima und Freiraum.png"}
    assert (umwelt, SKOS.altLabel, Literal("Umwelt. Freiraum & Klima", lang="de")) in g


def test_shipped_index_matches_the_files():
    index = find_index(WIKI / "konzepte" / "Mobilitätsstrategie.wiki", DATA)
    files = {p.relative_to(WIKI).as_posix() for p in WIKI.rglob("*") if p.suffix in (".wiki", ".xml")}
    assert {info.file for info in index.by_title.values()} == files
    for info in index.by_title.values():
        assert info.urls and info.confidence == "beobachtet"
        if info.file.endswith(".wiki"):
            assert title_from_filename(Path(info.file)) == info.title


def test_rebuild_mints_the_same_graph():
    iris = Iris("https://daten.oberhausen.de/stadtgraph/")
    first = _union(load_paths([WIKI], iris, root=DATA))
    second = _union(load_paths([WIKI], iris, root=DATA))
    assert isomorphic(first, second)


def test_concept_schemes_follow_the_configured_base():
    iris = Iris("https://example.org/andere-basis/")
    result = load_paths([DATA / "referenz" / "schemata.ttl"], iris, root=DATA)
    g = _union(result)
    assert set(g.subjects(RDF.type, SKOS.ConceptScheme)) == {iris.scheme("themenfelder"), iris.scheme("leitziele")}
