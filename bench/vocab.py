"""Word tables for the synthetic planning graphs of :mod:`bench.synthetic`: Themenfelder with Leitziele,
the unit hierarchy, place names and concept-title parts, shaped after ``domain/facts.yaml``.
"""
from __future__ import annotations

from graph.sources.names import THEMENFELDER

# The eight real iSTEP Themenfelder (canonical page titles) and, per Themenfeld, Leitziel titles: the
# observed ones first, then invented ones in the same style. A city uses the first two to five of them.
THEMENFELD_TITLES: tuple[str, ...] = tuple(THEMENFELDER)

LEITZIELE: dict[str, tuple[str, ...]] = {
    "Arbeit, Wirtschaft und Tourismus": (
        "Stärkung des Wirtschaftsstandorts", "Sicherung und Mobilisierung von Gewerbeflächen",
        "Qualifizierung und Fachkräftesicherung", "Profilierung als touristisches Ziel",
        "Förderung von Gründungen und Innovation",
    ),
    "Stadtstruktur & Stadtgestalt": (
        "Stärkung der Zentren", "Qualitätsvolle Gestaltung öffentlicher Räume",
        "Innenentwicklung vor Außenentwicklung", "Erhalt des baukulturellen Erbes",
        "Nutzungsgemischte Quartiere",
    ),
    "Mobilität": (
        "Stadtverträgliche Mobilität für alle", "Förderung des Umweltverbunds",
        "Sichere Wege für Fuß- und Radverkehr", "Leistungsfähiger öffentlicher Nahverkehr",
        "Vernetzte und digitale Mobilitätsangebote",
    ),
    "Wohnen": (
        "Bedarfsgerechter und bezahlbarer Wohnraum", "Qualitätvolle Wohnquartiere",
        "Generationengerechtes Wohnen", "Energetische Erneuerung des Wohnungsbestands",
    ),
    "Gesellschaftliche Teilhabe und Chancengleichheit": (
        "Chancengleichheit von Anfang an", "Teilhabe für alle Menschen",
        "Integration als Querschnittsaufgabe", "Stärkung des sozialen Zusammenhalts in den Quartieren",
        "Armut vorbeugen und Folgen mildern",
    ),
    "Bildung & Kultur": (
        "Lebenslanges Lernen ermöglichen", "Bildungsgerechtigkeit im Quartier",
        "Kulturelle Vielfalt sichtbar machen", "Kulturelle Bildung für alle",
    ),
    "Umwelt, Freiraum, Klima": (
        "Klimaschutz und CO2-Minderung", "Blau-grüne Infrastruktur ausbauen",
        "Boden als Ressource schützen", "Gesunde Lebensverhältnisse sichern",
        "Anpassung an den Klimawandel",
    ),
    "Gesundheit, Sport und Bewegung": (
        "Querschnittsbezogene Verankerung des Themas „Gesundheit“ in der Verwaltung",
        "Förderung gesundheitlicher Chancengleichheit", "Bewegungsfreundliche Stadt",
        "Sport für alle Generationen",
    ),
}

# The unit hierarchy (17 units as in facts.yaml): (type, code, name, parent code or None for the city).
UNITS: tuple[tuple[str, str, str, str | None], ...] = (
    ("Dezernat", "0", "Strategische Planung und Stadtentwicklung", None),
    ("Dezernat", "2", "Soziales, Gesundheit, Wohnen, Recht", None),
    ("Dezernat", "3", "Familie, Bildung, Soziales", None),
    ("Dezernat", "4", "Personal, Digitalisierung und Stadtentwicklung", None),
    ("Dezernat", "5", "Stadtplanung, Bauen, Mobilität, Umwelt", None),
    ("Bereich", "0-1", "Stadtkanzlei", "0"),
    ("Bereich", "2-5", "Sport", "2"),
    ("Bereich", "2-6", "Kommunales Integrationszentrum", "2"),
    ("Bereich", "3-2", "Soziales", "3"),
    ("Bereich", "4-4", "IT / Smart City", "4"),
    ("Bereich", "4-5", "Integrierte Stadtentwicklung und Statistik", "4"),
    ("Bereich", "5-1", "Stadtplanung", "5"),
    ("Bereich", "5-6", "Verkehr", "5"),
    ("Fachbereich", "3-2-10", "Finanzen/Controlling/Planung", "3-2"),
    ("Fachbereich", "4-5-40", "Wahlen und Statistik", "4-5"),
    ("Fachbereich", "5-1-10", "Bauleitplanung", "5-1"),
    ("Fachbereich", "5-1-30", "Stadterneuerung", "5-1"),
)

# Place names: a city has 3 boroughs, 6 social areas (two per borough) and 27 social quarters.
CITY_PREFIXES = ("Ober", "Nieder", "Alt", "Neu", "Mühl", "Bruch", "Holt", "Rhein", "Emscher", "Wald",
                 "Berg", "Stein", "Kloster", "Linden", "Hohen", "Kirch", "Sand", "Eich", "Buch", "Rosen")
CITY_SUFFIXES = ("hausen", "heim", "feld", "dorf", "berg", "stadt", "born", "rath", "beck", "kirchen",
                 "bruch", "hagen", "hofen", "ingen", "stein", "au", "furt", "wald", "brück", "horst")
BOROUGH_PARTS = ("Mitte", "Nord", "Süd", "Ost", "West")
QUARTER_NAMES = (
    "Innenstadt", "Marienviertel-Ost", "Marienviertel-West", "Brücktorviertel", "Styrum", "Dümpten",
    "Schladviertel", "Borbeck", "Bermensfeld", "Lirich-Nord", "Lirich-Süd", "City West", "Alstaden",
    "Tackenberg-West", "Buschhausen", "Biefang", "Holten/Barmingholten", "Schmachtendorf", "Königshardt",
    "Walsumermark", "Klosterhardt", "Vonderort", "Am Förderturm", "Kaisergarten", "Grafenbusch",
    "Eisenheim", "Rothebusch", "Heide", "Schwarze Heide", "Lindnerviertel", "Sankt Josef", "Marktplatz",
    "Hirschkamp", "Am Ruhrpark", "Dunkelschlag", "Weierheide",
)

# Concept titles: a kind, a topic (with the Themenfeld it mostly serves), and sometimes a place.
CONCEPT_KINDS = (
    "Handlungskonzept", "Integriertes Handlungskonzept (IHK)", "Masterplan", "Strategie", "Entwicklungskonzept",
    "Rahmenplan", "Aktionsplan", "Leitbild", "Fachplan", "Teilkonzept", "Konzept", "Studie",
)
TOPICS: tuple[tuple[str, int], ...] = (
    ("Wohnen", 3), ("Klimaanpassung", 6), ("Mobilität", 2), ("Nahmobilität", 2), ("Radverkehr", 2),
    ("Grünstrukturen", 6), ("Freiraumentwicklung", 6), ("Wirtschaftsflächen", 0), ("Einzelhandel", 0),
    ("Integration", 4), ("Sport & Bewegung", 7), ("Schulentwicklung", 5), ("Kita-Ausbau", 5),
    ("Digitalisierung", 0), ("Smart City", 0), ("Lärmminderung", 6), ("Luftreinhaltung", 6),
    ("Stadterneuerung", 1), ("Quartiersentwicklung", 1), ("Tourismus", 0), ("Kultur", 5),
    ("Gesundheitsförderung", 7), ("Soziale Teilhabe", 4), ("Armutsprävention", 4), ("Wärmeplanung", 6),
    ("Starkregenvorsorge", 6), ("Spielflächen", 7), ("Seniorenarbeit", 4), ("Jugendhilfe", 4),
    ("Inklusion", 4), ("Barrierefreiheit", 1), ("Denkmalpflege", 1), ("Innenstadtentwicklung", 1),
    ("Gewerbeflächen", 0), ("Biodiversität", 6), ("Stadtbäume", 6), ("ÖPNV", 2), ("Fußverkehr", 2),
    ("Wohnungsmarkt", 3), ("Bildungslandschaft", 5),
)
MOTTOS = ("Zusammen im Quartier", "Bewegung ist Bildung", "Grün verbindet", "Stadt für alle",
          "Wege öffnen", "Heimat & Zukunft")
ANALYSIS_TOPICS = (
    "Bevölkerungsentwicklung", "Haushaltsstruktur", "Sozialstruktur", "Wohnungsbestand", "Flächenpotenziale",
    "Verkehrsaufkommen", "Hitzebelastung", "Versorgungslage", "Beteiligungsprozess", "Bestandsaufnahme",
    "Stärken und Schwächen", "Erreichbarkeit", "Bildungsbeteiligung", "Gesundheitsdaten",
)
GOALS = (
    "Beteiligung der Bürger*innen stärken", "Barrierefreien Zugang sichern", "Quartiere klimaresilient machen",
    "Flächen sparsam nutzen", "Angebote vernetzen", "Wege verkürzen", "Zentren beleben",
    "Chancengleichheit fördern", "Grünflächen qualifizieren", "Ehrenamt unterstützen",
)
GREMIEN = ("Rat", "Haupt- und Finanzausschuss", "Planungsausschuss", "Umweltausschuss", "Sozialausschuss",
           "Bezirksvertretung", "Integrationsrat", "Schulausschuss")
VORLAGE_VERBS = ("Beschluss", "Fortschreibung", "Aufstellung", "Sachstandsbericht", "Umsetzung", "Aktualisierung")
