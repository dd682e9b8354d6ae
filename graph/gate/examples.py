"""Records to start from, one per kind a steward writes: minimal, and each passes the gate against the
shipped data (``tests/test_examples.py`` checks that, so they cannot rot). ``/validate`` offers them as
"Vorlage laden".
"""
from __future__ import annotations

from dataclasses import dataclass

WIKITEXT = "text/x-wiki"
TURTLE = "text/turtle"


@dataclass(frozen=True)
class Example:
    """One starting record: its key (for ``?vorlage=``), names, media type, page title (wikitext) and text."""

    key: str
    name_de: str
    name_en: str
    media_type: str
    text: str
    title: str = ""

    def name(self, lang: str = "de") -> str:
        return self.name_en if lang == "en" else self.name_de


KONZEPT_WIKI = """\
{{Konzeption|Räumlicher Geltungsbereich=Gesamtstadt|Zuständigkeit=Bereich 5-1 / Stadtplanung|Jahr der Veröffentlichung=2024|Art=Konzept}}
==Themenfeld(er)==
Das Konzept hat Bezug zu folgenden Themenfeldern aus dem integrierten Stadtentwicklungsprozess:
{|
![[Datei:Stadtstruktur und Stadtgestalt.png|rahmenlos|120x120px|link=Stadtstruktur & Stadtgestalt]]
|-
|}
==Kurzbeschreibung==
Ein Satz, worum es im Konzept geht.
==Analyseschwerpunkte im Konzept==
*Ein Schwerpunkt der Analyse
==Im Konzept formulierte Ziele==
*Ein Ziel des Konzepts
==Synergien zu anderen Konzepten==
-
==Bezug zu Leitzielen der Stadtentwicklung==
Das Konzept zahlt auf folgende Leitziele aus dem integrierten Stadtentwicklungsprozess ein:
{|
|[[Datei:Stadtstruktur und Stadtgestalt.png|rahmenlos|60x60px|link=Stadtstruktur & Stadtgestalt]]
|Themenfeld Stadtstruktur und Stadtgestalt:
|[[Stadtstruktur & Stadtgestalt#Erhalt der Polyzentralität|Erhalt der Polyzentralität]]
|}
==Politische Beschlusslage==
-
==Weiterführende Links & Downloads==
-
[[Category:Stadtstruktur & Stadtgestalt]]
"""

KONZEPT_TURTLE = """\
@prefix ob: <https://daten.oberhausen.de/stadtgraph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://daten.oberhausen.de/stadtgraph/konzept/beispielkonzept> a ob:Konzept ;
    dcterms:title "Beispielkonzept"@de ;
    ob:art "Konzept" ;
    ob:veroeffentlichungsjahr "2024"^^xsd:gYear ;
    ob:geltungsbereich <https://daten.oberhausen.de/stadtgraph/raum/stadt/oberhausen> ;
    ob:zustaendigeEinheit <https://daten.oberhausen.de/stadtgraph/organisation/bereich-5-1> ;
    ob:themenfeld <https://daten.oberhausen.de/stadtgraph/themenfeld/stadtstruktur-stadtgestalt> ;
    ob:leitziel <https://daten.oberhausen.de/stadtgraph/leitziel/stadtstruktur-stadtgestalt/erhalt-der-polyzentralitaet> ;
    dcterms:abstract "Ein Satz, worum es im Konzept geht."@de .
"""

THEMENFELD_WIKI = """\
[[Datei:Wohnen.png|alternativtext=Icon zum Themenfeld Wohnen|rechts|rahmenlos|200x200px|link=]]
''Wohnen'' ist ein Themenfeld des integrierten Stadtentwicklungsprozesses (iSTEP).
==Hintergrund und Ausgangslage==
Ein Absatz zur Ausgangslage im Themenfeld.
==Leitziele==
<div id="Bezahlbaren Wohnraum sichern">'''Bezahlbaren Wohnraum sichern'''</div>
Ein Satz, der das Leitziel erklärt.
<br />
==Konzepte mit Bezug zum Themenfeld==
{{#ask:[[Kategorie:Wohnen]]|format=ul}}
"""

VORLAGE_TURTLE = """\
@prefix ob: <https://daten.oberhausen.de/stadtgraph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://daten.oberhausen.de/stadtgraph/vorlage/b-17-9999-01> a ob:Vorlage ;
    ob:drucksache "B/17/9999-01" ;
    ob:volfdnr 99999 ;
    ob:ratsinfoSeite <https://ratsinfo.oberhausen.de/vo020?VOLFDNR=99999> ;
    dcterms:title "Beispielvorlage: Beschluss eines Konzepts"@de ;
    dcterms:date "2024-03-18"^^xsd:date ;
    ob:gremium "Rat der Stadt" .
"""

EXAMPLES: tuple[Example, ...] = (
    Example("konzept-wiki", "Konzept (Wikitext)", "Concept (wikitext)", WIKITEXT, KONZEPT_WIKI,
            title="Beispielkonzept"),
    Example("konzept-turtle", "Konzept (Turtle)", "Concept (Turtle)", TURTLE, KONZEPT_TURTLE),
    Example("themenfeld-wiki", "Themenfeld (Wikitext)", "Thematic field (wikitext)", WIKITEXT, THEMENFELD_WIKI,
            title="Wohnen"),
    Example("ratsvorlage-turtle", "Ratsvorlage (Turtle)", "Council paper (Turtle)", TURTLE, VORLAGE_TURTLE),
)


def example(key: str) -> Example | None:
    """The example of that key, or None."""
    return next((e for e in EXAMPLES if e.key == key), None)
