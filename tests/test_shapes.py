"""Every shape of shapes/, one rule at a time: a fixture that conforms and one that violates it, with the
exact focus node, path, severity and message in German and English of each finding.

The conforming world is tests/fixtures/validation/welt.ttl; each case breaks it with a SPARQL Update and
(where a boundary matters) shows a variant that must still conform.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
import rdflib
from rdflib import BNode, Literal, URIRef

from graph.gate.validation import Validator
from graph.namespaces import DCTERMS, OB, ORG, RDFS, SCHEMA, SH, SKOS, XSD
from tests.conftest import FIXTURES

WORLD = FIXTURES / "validation" / "welt.ttl"
SG = "https://daten.oberhausen.de/stadtgraph/"
OBSH = "https://daten.oberhausen.de/stadtgraph/shapes#"
PREFIXES = f"""PREFIX ob: <{OB}> PREFIX skos: <{SKOS}> PREFIX dcterms: <{DCTERMS}> PREFIX org: <{ORG}>
PREFIX rdfs: <{RDFS}> PREFIX xsd: <{XSD}> PREFIX schema: <{SCHEMA}>
"""
ANY = object()  # the value is not checked


def n(path: str) -> str:
    """An entity of the world, in SPARQL syntax."""
    return f"<{SG}{path}>"


def u(path: str) -> URIRef:
    return URIRef(SG + path)


K, K2, V = "konzept/radverkehrskonzept", "konzept/klimaanpassungskonzept", "vorlage/b-17-1234-01"
STMT = "konzept/radverkehrskonzept/synergie/klimaanpassungskonzept"
E, Q, FB = "expertendialog/osterfeld-1", "raum/sozialquartier/klosterhardt", "organisation/fachbereich-5-1-30"
CITY_ORG = "organisation/stadt-oberhausen"


@dataclass
class Case:
    shape: str                      # local name of the shape under test
    update: str                     # SPARQL Update that breaks the world
    focus: str                      # expected focus node (path below the base)
    path: URIRef | None
    severity: URIRef = SH.Violation
    value: object = ANY
    count: int = 1                  # findings of this shape
    also: tuple[str, ...] = ()      # other shapes the same break unavoidably trips
    ok: str | None = None           # an update near the boundary that must still conform
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or self.shape


def replace(s: str, p: str, new: str) -> str:
    return f"DELETE {{ {n(s)} {p} ?o }} INSERT {{ {n(s)} {p} {new} }} WHERE {{ {n(s)} {p} ?o }}"


def delete(s: str, p: str) -> str:
    return f"DELETE WHERE {{ {n(s)} {p} ?o }}"


def add(turtle: str) -> str:
    return f"INSERT DATA {{ {turtle} }}"


THIS_YEAR = datetime.date.today().year

MESSAGES = {
    "Bereich-kuerzel": ('Das Kürzel eines Bereichs hat die Form 5-1.',
        "A division's code looks like 5-1."),
    "Dezernat-kuerzel": ('Das Kürzel eines Dezernats ist eine Zahl, z. B. 5.',
        "A department's code is a number, e.g. 5."),
    "Expertendialog-datum": ('Ein Expert*innendialog hat höchstens ein Datum, als Kalenderdatum (JJJJ-MM-TT).',
        'An expert dialogue has at most one date, as a calendar date (YYYY-MM-DD).'),
    "Expertendialog-datum-fehlt": ('Das Datum des Expert*innendialogs ist nicht bekannt.',
        'The date of the expert dialogue is not known.'),
    "Expertendialog-organisation": ('Die organisierende Stelle muss eine Organisationseinheit der Referenzdaten sein.',
        'The organising office must be an organisational unit of the reference data.'),
    "Expertendialog-sozialraum": ('Ein Expert*innendialog gehört zu einem Sozialraum der Referenzdaten.',
        'An expert dialogue belongs to a social area of the reference data.'),
    "Expertendialog-stelle": ('Eine mitwirkende Stelle muss ein nicht leerer Text sein.',
        'A participating office must be a non-empty text.'),
    "Fachbereich-kuerzel": ('Das Kürzel eines Fachbereichs hat die Form 5-1-30.',
        "A section's code looks like 5-1-30."),
    "Glossarbegriff-definition": ('Die Erklärung muss ein nicht leerer Text mit Sprachangabe sein, höchstens einer je Sprache.',
        'The definition must be a non-empty text with a language tag, at most one per language.'),
    "Glossarbegriff-definition-fehlt": ('Der Glossarbegriff ist noch nicht erklärt.',
        'The glossary term is not explained yet.'),
    "Glossarbegriff-name": ('Jeder Glossarbegriff braucht genau eine deutsche Bezeichnung.',
        'Every glossary term needs exactly one German label.'),
    "Glossarbegriff-schema": ('Der Glossarbegriff gehört zu keinem Begriffsschema.',
        'The glossary term belongs to no concept scheme.'),
    "Indikator-index": ('Die Index-Komponente muss ein nicht leerer Text sein.',
        'The index component must be a non-empty text.'),
    "Indikator-name": ('Jeder Indikator braucht genau einen deutschen Namen.',
        'Every indicator needs exactly one German name.'),
    "Indikator-schema": ('Der Indikator gehört zu keinem Begriffsschema.',
        'The indicator belongs to no concept scheme.'),
    "Kommune-name": ('Die Kommune braucht einen deutschen Namen.',
        'The municipality needs a German name.'),
    "Konfidenz-wert": ('Die Konfidenz ist eine von: beobachtet, Sekundärquelle, abgeleitet.',
        'The confidence is one of: observed, secondary, inferred.'),
    "Konzept-analyseschwerpunkt": ('Ein Analyseschwerpunkt muss ein nicht leerer Text mit Sprachangabe sein.',
        'An analysis focus must be a non-empty text with a language tag.'),
    "Konzept-art": ('Die Art muss ein einzelner, nicht leerer Text sein.',
        'The kind must be a single, non-empty text.'),
    "Konzept-art-fehlt": ('Die Art des Konzepts ist nicht angegeben.',
        'The kind of the concept is not given.'),
    "Konzept-beschluss": ('Der Beschluss verweist auf keine Ratsvorlage mit Drucksachennummer.',
        'The resolution does not point at a council paper with a paper number.'),
    "Konzept-geltungsbereich": ('Der räumliche Geltungsbereich muss ein Raum der Referenzdaten sein (Stadt, Stadtbezirk, Sozialraum oder Sozialquartier).',
        'The spatial scope must be a place of the reference data (city, borough, social area or social quarter).'),
    "Konzept-geltungsbereich-fehlt": ('Der räumliche Geltungsbereich fehlt oder ist keinem bekannten Raum zuzuordnen.',
        'The spatial scope is missing or does not name a known place.'),
    "Konzept-jahr": ('Das Jahr der Veröffentlichung muss eine einzige vierstellige Jahreszahl sein.',
        'The year of publication must be a single four-digit year.'),
    "Konzept-jahr-bereich": ('Das Jahr der Veröffentlichung muss zwischen 1950 und dem laufenden Jahr liegen.',
        'The year of publication must lie between 1950 and the current year.'),
    "Konzept-jahr-fehlt": ('Das Jahr der Veröffentlichung fehlt.',
        'The year of publication is missing.'),
    "Konzept-kategorie": ('Die Wiki-Kategorien stimmen nicht mit den Themenfeldern des Konzepts überein.',
        "The wiki categories do not agree with the concept's thematic fields."),
    "Konzept-leitziel": ('Ein genanntes Leitziel ist keines der Leitziele des iSTEP.',
        "A guiding goal named is not one of the iSTEP's guiding goals."),
    "Konzept-leitziel-themenfeld": ('Das Leitziel gehört zu einem Themenfeld, das dem Konzept nicht zugeordnet ist.',
        'The guiding goal belongs to a thematic field the concept does not have.'),
    "Konzept-link": ('Ein weiterführender Link muss eine http(s)-Adresse sein.',
        'A further link must be an http(s) address.'),
    "Konzept-revision": ('Die Wiki-Revision muss eine einzige positive ganze Zahl (oldid) sein.',
        'The wiki revision must be a single positive whole number (oldid).'),
    "Konzept-synergie": ('Die Synergie verweist auf ein Konzept, das es im Graphen nicht gibt.',
        'The synergy points at a concept that does not exist in the graph.'),
    "Konzept-synergie-selbst": ('Ein Konzept kann keine Synergie mit sich selbst haben.',
        'A concept cannot have a synergy with itself.'),
    "Konzept-synergieangabe": ('Eine Synergieangabe muss als solche ausgewiesen sein (ob:Synergieangabe).',
        'A synergy statement must be typed as such (ob:Synergieangabe).'),
    "Konzept-themenfeld": ('Ein Themenfeld des Konzepts ist keines der Themenfelder des iSTEP.',
        "A thematic field of the concept is not one of the iSTEP's thematic fields."),
    "Konzept-themenfeld-fehlt": ('Dem Konzept ist kein Themenfeld zugeordnet.',
        'The concept has no thematic field.'),
    "Konzept-titel": ('Jedes Konzept braucht genau einen deutschen Titel.',
        'Every concept needs exactly one German title.'),
    "Konzept-wikiseite": ('Die Wiki-Seite muss eine einzige http(s)-Adresse sein.',
        'The wiki page must be a single http(s) address.'),
    "Konzept-ziel": ('Ein formuliertes Ziel muss ein nicht leerer Text mit Sprachangabe sein.',
        'A formulated goal must be a non-empty text with a language tag.'),
    "Konzept-zustaendigkeit": ('Die Zuständigkeit muss genau eine Organisationseinheit der Referenzdaten sein.',
        'The responsible unit must be exactly one organisational unit of the reference data.'),
    "Konzept-zustaendigkeit-fehlt": ('Die Zuständigkeit fehlt oder nennt keine bekannte Organisationseinheit.',
        'The responsible unit is missing or does not name a known organisational unit.'),
    "Konzept-zustaendigkeit-stadt": ('Die zuständige Einheit gehört nicht (über ihre übergeordneten Einheiten) zur Stadt.',
        'The responsible unit does not belong to the city (through its parent units).'),
    "Leitziel-name": ('Jedes Leitziel braucht genau einen deutschen Titel.',
        'Every guiding goal needs exactly one German title.'),
    "Leitziel-schema": ('Das Leitziel gehört zu keinem Begriffsschema.',
        'The guiding goal belongs to no concept scheme.'),
    "Leitziel-themenfeld": ('Jedes Leitziel gehört zu genau einem Themenfeld.',
        'Every guiding goal belongs to exactly one thematic field.'),
    "Organisationseinheit-kuerzel": ('Das Kürzel muss die Form 5, 5-1 oder 5-1-30 haben, und es gibt nur eines.',
        'The code must look like 5, 5-1 or 5-1-30, and there is only one.'),
    "Organisationseinheit-kuerzel-fehlt": ('Die Organisationseinheit hat kein Kürzel.',
        'The organisational unit has no code.'),
    "Organisationseinheit-kuerzel-passt": ('Das Kürzel passt nicht zum Kürzel der übergeordneten Einheit.',
        "The code does not fit the parent unit's code."),
    "Organisationseinheit-name": ('Jede Organisationseinheit braucht genau einen deutschen Namen.',
        'Every organisational unit needs exactly one German name.'),
    "Organisationseinheit-stadt": ('Die Organisationseinheit gehört (über ihre übergeordneten Einheiten) nicht zur Stadt.',
        'The organisational unit does not belong to the city (through its parent units).'),
    "Organisationseinheit-uebergeordnet": ('Eine Organisationseinheit hat höchstens eine übergeordnete Einheit.',
        'An organisational unit has at most one parent unit.'),
    "Raum-einwohner": ('Die Einwohnerzahl muss eine einzige nicht negative ganze Zahl sein.',
        'The population must be a single non-negative whole number.'),
    "Raum-flaeche": ('Die Fläche muss eine einzige positive Dezimalzahl (km²) sein.',
        'The area must be a single positive decimal number (km²).'),
    "Raum-liegtIn": ('Ein Raum kann nur in einem anderen Raum der Referenzdaten liegen.',
        'A place can only lie in another place of the reference data.'),
    "Raum-name": ('Jeder Raum braucht genau einen deutschen Namen.',
        'Every place needs exactly one German name.'),
    "Sozialquartier-sozialraum": ('Ein Sozialquartier liegt in genau einem Sozialraum.',
        'A social quarter lies in exactly one social area.'),
    "Sozialraum-lage": ('Ein Sozialraum muss in der Stadt oder einem Stadtbezirk liegen.',
        'A social area must lie in the city or a borough.'),
    "Stadt-gemeindeschluessel": ('Die Stadt braucht genau einen achtstelligen Amtlichen Gemeindeschlüssel.',
        'The city needs exactly one eight-digit municipality key.'),
    "Stadtbezirk-stadt": ('Ein Stadtbezirk liegt in genau einer Stadt.',
        'A borough lies in exactly one city.'),
    "Synergieangabe-ziel": ('Eine Synergieangabe braucht genau ein Zielkonzept, das es im Graphen gibt.',
        'A synergy statement needs exactly one target concept that exists in the graph.'),
    "Themenfeld-icon": ('Die Icon-Datei muss ein Bilddateiname sein (.png, .jpg, .svg, .gif).',
        'The icon file must be an image file name (.png, .jpg, .svg, .gif).'),
    "Themenfeld-name": ('Jedes Themenfeld braucht genau einen deutschen Namen.',
        'Every thematic field needs exactly one German name.'),
    "Themenfeld-schema": ('Das Themenfeld gehört zu keinem Begriffsschema.',
        'The thematic field belongs to no concept scheme.'),
    "Vorlage-allris": ('Die ALLRIS-Adresse muss die Form http://allris.oberhausen.de/bi/vo020.asp?VOLFDNR=<Nummer> haben.',
        'The ALLRIS address must have the form http://allris.oberhausen.de/bi/vo020.asp?VOLFDNR=<number>.'),
    "Vorlage-allris-nummer": ('Die VOLFDNR in der ALLRIS-Adresse stimmt nicht mit der VOLFDNR der Vorlage oder ihrer anderen Adresse überein.',
        "The VOLFDNR in the ALLRIS address does not match the paper's VOLFDNR or its other address."),
    "Vorlage-beschliesst": ('Die Vorlage verweist auf ein Konzept, das es im Graphen nicht gibt.',
        'The paper points at a concept that does not exist in the graph.'),
    "Vorlage-datum": ('Die Vorlage hat höchstens ein Datum, als Kalenderdatum (JJJJ-MM-TT).',
        'The paper has at most one date, as a calendar date (YYYY-MM-DD).'),
    "Vorlage-drucksache": ('Die Drucksachennummer fehlt oder hat nicht die Form B/16/5505-01 (B, A oder M / Wahlperiode / Nummer / Fassung).',
        'The paper number is missing or not of the form B/16/5505-01 (B, A or M / election period / number / version).'),
    "Vorlage-zitiert": ('Das Wiki zitiert die Vorlage mit einem anderen Titel als das Ratsinformationssystem (Wert: Wiki ≠ Rat); die Seite bleibt geladen.',
                        'The wiki cites the paper by another title than the council information system (value: wiki ≠ council); the page stays loaded.'),
    "Vorlage-gremium": ('Das Gremium muss ein nicht leerer Text sein.',
        'The body must be a non-empty text.'),
    "Vorlage-ratsinfo": ('Die ratsinfo-Adresse muss die Form http://ratsinfo.oberhausen.de/vo020?VOLFDNR=<Nummer> haben.',
        'The ratsinfo address must have the form http://ratsinfo.oberhausen.de/vo020?VOLFDNR=<number>.'),
    "Vorlage-ratsinfo-nummer": ('Die VOLFDNR in der ratsinfo-Adresse stimmt nicht mit der VOLFDNR der Vorlage oder ihrer anderen Adresse überein.',
        "The VOLFDNR in the ratsinfo address does not match the paper's VOLFDNR or its other address."),
    "Vorlage-titel": ('Der Titel der Vorlage muss ein nicht leerer Text sein, höchstens einer je Sprache.',
        "The paper's title must be a non-empty text, at most one per language."),
    "Vorlage-volfdnr": ('Die VOLFDNR muss eine einzige positive ganze Zahl sein.',
        'The VOLFDNR must be a single positive whole number.'),
}

CASES: list[Case] = [
    # ---- Konzept -------------------------------------------------------------------------------------
    Case("Konzept-titel", replace(K, "dcterms:title", '"Cycling concept"@en'), K, DCTERMS.title, value=None,
         ok=add(f'{n(K)} dcterms:title "Cycling concept"@en .')),
    Case("Konzept-art-fehlt", delete(K, "ob:art"), K, OB.art, SH.Warning, value=None),
    Case("Konzept-art", replace(K, "ob:art", '""'), K, OB.art, value=Literal("")),
    Case("Konzept-geltungsbereich-fehlt", delete(K, "ob:geltungsbereich"), K, OB.geltungsbereich, SH.Warning, value=None),
    Case("Konzept-geltungsbereich", replace(K, "ob:geltungsbereich", n("organisation/bereich-5-1")), K,
         OB.geltungsbereich, value=u("organisation/bereich-5-1"),
         ok=add(f"{n(K)} ob:geltungsbereich {n(Q)} .")),
    Case("Konzept-zustaendigkeit-fehlt", delete(K, "ob:zustaendigeEinheit"), K, OB.zustaendigeEinheit, SH.Warning,
         value=None),
    Case("Konzept-zustaendigkeit", add(f"{n(K)} ob:zustaendigeEinheit {n(FB)} ."), K, OB.zustaendigeEinheit, value=None),
    Case("Konzept-zustaendigkeit-stadt",
         replace(K, "ob:zustaendigeEinheit", n("organisation/bereich-9-9")) + " ;\n" + add(
             f'{n("organisation/bereich-9-9")} a ob:Bereich ; skos:prefLabel "Verein"@de ; skos:notation "9-9" ; '
             f'org:unitOf <https://example.org/verein> . <https://example.org/verein> a org:FormalOrganization .'),
         K, OB.zustaendigeEinheit, value=u("organisation/bereich-9-9"), also=("Organisationseinheit-stadt",),
         ok=replace(K, "ob:zustaendigeEinheit", n("organisation/dezernat-5"))),
    Case("Konzept-jahr-fehlt", delete(K, "ob:veroeffentlichungsjahr"), K, OB.veroeffentlichungsjahr, SH.Warning,
         value=None),
    Case("Konzept-jahr", replace(K, "ob:veroeffentlichungsjahr", '"2021"'), K, OB.veroeffentlichungsjahr,
         value=Literal("2021")),
    Case("Konzept-jahr-bereich", replace(K, "ob:veroeffentlichungsjahr", '"2202"^^xsd:gYear'), K,
         OB.veroeffentlichungsjahr, value=Literal("2202", datatype=XSD.gYear),
         ok=replace(K, "ob:veroeffentlichungsjahr", f'"{THIS_YEAR}"^^xsd:gYear')),
    Case("Konzept-jahr-bereich", replace(K, "ob:veroeffentlichungsjahr", '"1949"^^xsd:gYear'), K,
         OB.veroeffentlichungsjahr, value=Literal("1949", datatype=XSD.gYear), id="Konzept-jahr-bereich-1949",
         ok=replace(K, "ob:veroeffentlichungsjahr", '"1950"^^xsd:gYear')),
    Case("Konzept-jahr-bereich", replace(K, "ob:veroeffentlichungsjahr", f'"{THIS_YEAR + 1}"^^xsd:gYear'), K,
         OB.veroeffentlichungsjahr, value=Literal(str(THIS_YEAR + 1), datatype=XSD.gYear), id="Konzept-jahr-naechstes"),
    Case("Konzept-themenfeld-fehlt",
         f"{delete(K, 'ob:themenfeld')} ;\n{delete(K, 'ob:leitziel')} ;\n{delete(K, 'ob:wikiKategorie')}",
         K, OB.themenfeld, SH.Warning, value=None),
    Case("Konzept-themenfeld", add(f"{n(K)} ob:themenfeld {n('themenfeld/ohne-seite')} ."), K, OB.themenfeld,
         value=u("themenfeld/ohne-seite"), count=2, also=("Konzept-kategorie",)),
    Case("Konzept-leitziel", add(f"{n(K)} ob:leitziel {n('leitziel/mobilitaet/gibt-es-nicht')} ."), K, OB.leitziel,
         value=u("leitziel/mobilitaet/gibt-es-nicht"), count=2),
    Case("Konzept-leitziel-themenfeld", add(f"{n(K)} ob:leitziel {n('leitziel/umwelt-freiraum-klima/klimaanpassung')} ."),
         K, OB.leitziel, value=u("leitziel/umwelt-freiraum-klima/klimaanpassung"),
         ok=add(f"{n(K)} ob:leitziel {n('leitziel/umwelt-freiraum-klima/klimaanpassung')} ; "
                f"ob:themenfeld {n('themenfeld/umwelt-freiraum-klima')} ; ob:wikiKategorie \"Umwelt, Freiraum, Klima\" .")),
    Case("Konzept-kategorie", add(f'{n(K)} ob:wikiKategorie "Wohnen" .'), K, OB.wikiKategorie, SH.Warning,
         value=Literal("Wohnen"),
         ok=add(f'{n(K)} ob:themenfeld {n("themenfeld/umwelt-freiraum-klima")} ; '
                f'ob:wikiKategorie "Umwelt. Freiraum & Klima" .')),
    Case("Konzept-kategorie", add(f"{n(K)} ob:themenfeld {n('themenfeld/umwelt-freiraum-klima')} ."), K,
         OB.wikiKategorie, SH.Warning, value=u("themenfeld/umwelt-freiraum-klima"), id="Konzept-kategorie-fehlt"),
    Case("Konzept-synergie", replace(K, "ob:synergieMit", n("konzept/gibt-es-nicht")), K, OB.synergieMit,
         value=u("konzept/gibt-es-nicht")),
    Case("Konzept-synergie-selbst", add(f"{n(K)} ob:synergieMit {n(K)} ."), K, OB.synergieMit, value=u(K)),
    Case("Konzept-synergie-selbst", replace(STMT, "ob:zielkonzept", n(K)), K, OB.synergieMit, value=u(K),
         id="Konzept-synergie-selbst-angabe"),
    Case("Konzept-synergieangabe", f"DELETE DATA {{ {n(STMT)} a ob:Synergieangabe }}", K, OB.synergieangabe,
         value=u(STMT)),
    Case("Synergieangabe-ziel", delete(STMT, "ob:zielkonzept"), STMT, OB.zielkonzept, value=None),
    Case("Konzept-beschluss", add(f"{n(K)} ob:beschlossenDurch {n('vorlage/ohne-nummer')} ."), K, OB.beschlossenDurch,
         value=u("vorlage/ohne-nummer")),
    Case("Konzept-wikiseite", replace(K, "ob:wikiSeite", '"Radverkehrskonzept Osterfeld"'), K, OB.wikiSeite,
         value=Literal("Radverkehrskonzept Osterfeld"), count=2),
    Case("Konzept-revision", replace(K, "ob:wikiRevision", '"1421"'), K, OB.wikiRevision, value=Literal("1421")),
    Case("Konzept-link", replace(K, "ob:weiterfuehrenderLink", "<ftp://example.org/plan.pdf>"), K,
         OB.weiterfuehrenderLink, value=URIRef("ftp://example.org/plan.pdf")),
    Case("Konzept-link", replace(K, "ob:weiterfuehrenderLink", '[ rdfs:label "Download"@de ]'), K,
         OB.weiterfuehrenderLink, value=BNode, count=2, id="Konzept-link-leerer-knoten"),
    Case("Konzept-analyseschwerpunkt", replace(K, "ob:analyseschwerpunkt", '"Bestandsnetz"'), K, OB.analyseschwerpunkt,
         value=Literal("Bestandsnetz")),
    Case("Konzept-ziel", replace(K, "ob:ziel", '""@de'), K, OB.ziel, value=Literal("", lang="de")),
    Case("Konfidenz-wert", replace(K, "ob:konfidenz", "ob:Sicher"), K, OB.konfidenz, value=OB.Sicher),
    # ---- Themenfeld, Leitziel, Indikator, Glossarbegriff ------------------------------------------------
    Case("Themenfeld-name", add(f'{n("themenfeld/mobilitaet")} skos:prefLabel "Verkehr"@de .'), "themenfeld/mobilitaet",
         SKOS.prefLabel, value=None, count=2),
    Case("Themenfeld-schema", add(f'{n("themenfeld/wohnen")} a ob:Themenfeld ; skos:prefLabel "Wohnen"@de .'),
         "themenfeld/wohnen", SKOS.inScheme, value=None),
    Case("Themenfeld-icon", replace("themenfeld/mobilitaet", "ob:iconDatei", '"Mobilität"'), "themenfeld/mobilitaet",
         OB.iconDatei, value=Literal("Mobilität"),
         ok=replace("themenfeld/mobilitaet", "ob:iconDatei", '"Mobilität.JPG"')),
    Case("Leitziel-name", add(f'{n("leitziel/mobilitaet/umweltverbund")} skos:prefLabel "Umweltverbund"@de .'),
         "leitziel/mobilitaet/umweltverbund", SKOS.prefLabel, value=None, count=2),
    Case("Leitziel-themenfeld", add(f'{n("leitziel/x/neu")} a ob:Leitziel ; skos:prefLabel "Neu"@de ; '
                                    f'skos:inScheme {n("schema/leitziele")} .'),
         "leitziel/x/neu", OB.gehoertZuThemenfeld, value=None),
    Case("Leitziel-schema", add(f'{n("leitziel/mobilitaet/neu")} a ob:Leitziel ; skos:prefLabel "Neu"@de ; '
                                f'ob:gehoertZuThemenfeld {n("themenfeld/mobilitaet")} .'),
         "leitziel/mobilitaet/neu", SKOS.inScheme, value=None),
    Case("Indikator-name", f'DELETE DATA {{ {n("indikator/kinderarmut")} skos:prefLabel "Kinderarmut"@de }}',
         "indikator/kinderarmut", SKOS.prefLabel, value=None),
    Case("Indikator-schema", delete("indikator/kinderarmut", "skos:inScheme"), "indikator/kinderarmut",
         SKOS.inScheme, value=None),
    Case("Indikator-index", replace("indikator/kinderarmut", "ob:indexKomponente", '""'), "indikator/kinderarmut",
         OB.indexKomponente, value=Literal("")),
    Case("Glossarbegriff-name", delete("glossar/sozialquartier", "skos:prefLabel"), "glossar/sozialquartier",
         SKOS.prefLabel, value=None),
    Case("Glossarbegriff-definition-fehlt", delete("glossar/sozialquartier", "skos:definition"),
         "glossar/sozialquartier", SKOS.definition, SH.Warning, value=None),
    Case("Glossarbegriff-definition", add(f'{n("glossar/sozialquartier")} skos:definition "Ein Quartier."@de .'),
         "glossar/sozialquartier", SKOS.definition, value=None,
         ok=add(f'{n("glossar/sozialquartier")} skos:definition "A quarter."@en .')),
    Case("Glossarbegriff-schema", delete("glossar/sozialquartier", "skos:inScheme"), "glossar/sozialquartier",
         SKOS.inScheme, value=None),
    # ---- Organisation -------------------------------------------------------------------------------------
    Case("Kommune-name", delete(CITY_ORG, "rdfs:label"), CITY_ORG, RDFS.label, value=None),
    Case("Organisationseinheit-name", delete(FB, "skos:prefLabel"), FB, SKOS.prefLabel, value=None),
    Case("Organisationseinheit-kuerzel-fehlt", delete(FB, "skos:notation"), FB, SKOS.notation, SH.Warning, value=None),
    Case("Organisationseinheit-kuerzel", add(f'{n(FB)} skos:notation "5-1-31" .'), FB, SKOS.notation, value=None),
    Case("Organisationseinheit-uebergeordnet", add(f'{n(FB)} org:unitOf {n("organisation/dezernat-5")} .'), FB,
         ORG.unitOf, value=None),
    Case("Organisationseinheit-stadt", add(f'{n("organisation/bereich-9-9")} a ob:Bereich ; '
                                           f'skos:prefLabel "Ohne Stadt"@de ; skos:notation "9-9" .'),
         "organisation/bereich-9-9", ORG.unitOf, value=None,
         ok=add(f'{n("organisation/bereich-9-9")} a ob:Bereich ; skos:prefLabel "Direkt"@de ; '
                f'skos:notation "9-9" ; org:unitOf {n(CITY_ORG)} .')),
    Case("Organisationseinheit-kuerzel-passt",
         replace(FB, "org:unitOf", n("organisation/bereich-6-1")) + " ;\n" + add(
             f'{n("organisation/bereich-6-1")} a ob:Bereich ; skos:prefLabel "Sechs"@de ; skos:notation "6-1" ; '
             f'org:unitOf {n(CITY_ORG)} .'),
         FB, ORG.unitOf, SH.Warning, value=u("organisation/bereich-6-1")),
    Case("Dezernat-kuerzel", add(f'{n("organisation/dezernat-9")} a ob:Dezernat ; skos:prefLabel "Neun"@de ; '
                                 f'skos:notation "9-1" ; org:unitOf {n(CITY_ORG)} .'),
         "organisation/dezernat-9", SKOS.notation, value=Literal("9-1")),
    Case("Bereich-kuerzel", add(f'{n("organisation/bereich-9")} a ob:Bereich ; skos:prefLabel "Neun"@de ; '
                                f'skos:notation "9" ; org:unitOf {n(CITY_ORG)} .'),
         "organisation/bereich-9", SKOS.notation, value=Literal("9")),
    Case("Fachbereich-kuerzel", add(f'{n("organisation/fachbereich-9")} a ob:Fachbereich ; skos:prefLabel "Neun"@de ; '
                                    f'skos:notation "9-1" ; org:unitOf {n(CITY_ORG)} .'),
         "organisation/fachbereich-9", SKOS.notation, value=Literal("9-1")),
    # ---- Räume ----------------------------------------------------------------------------------------------
    Case("Raum-name", delete(Q, "rdfs:label"), Q, RDFS.label, value=None),
    Case("Raum-liegtIn", add(f'{n(Q)} ob:liegtIn {n("organisation/dezernat-5")} .'), Q, OB.liegtIn,
         value=u("organisation/dezernat-5")),
    Case("Raum-einwohner", replace("raum/stadt/oberhausen", "ob:einwohnerzahl", "-5"), "raum/stadt/oberhausen",
         OB.einwohnerzahl, value=Literal(-5)),
    Case("Raum-flaeche", replace("raum/stadt/oberhausen", "ob:flaecheKm2", '"-1.5"^^xsd:decimal'),
         "raum/stadt/oberhausen", OB.flaecheKm2, value=Literal("-1.5", datatype=XSD.decimal)),
    Case("Stadt-gemeindeschluessel", replace("raum/stadt/oberhausen", "ob:gemeindeschluessel", '"05 1 19 000"'),
         "raum/stadt/oberhausen", OB.gemeindeschluessel, value=Literal("05 1 19 000")),
    Case("Stadtbezirk-stadt", delete("raum/stadtbezirk/osterfeld", "ob:liegtIn"), "raum/stadtbezirk/osterfeld",
         OB.liegtIn, value=None),
    Case("Sozialraum-lage", delete("raum/sozialraum/osterfeld", "ob:liegtIn"), "raum/sozialraum/osterfeld",
         OB.liegtIn, value=None),
    Case("Sozialquartier-sozialraum", delete(Q, "ob:liegtIn"), Q, OB.liegtIn, value=None,
         ok=add(f'{n(Q)} ob:liegtIn {n("raum/stadtbezirk/osterfeld")} , {n("raum/stadt/oberhausen")} .')),
    Case("Sozialquartier-sozialraum", add(
        f'{n("raum/sozialraum/sterkrade-nord")} a ob:Sozialraum ; rdfs:label "Sterkrade-Nord"@de ; '
        f'ob:liegtIn {n("raum/stadt/oberhausen")} . {n(Q)} ob:liegtIn {n("raum/sozialraum/sterkrade-nord")} .'),
         Q, OB.liegtIn, count=2, id="Sozialquartier-zwei-sozialraeume"),
    # ---- Vorlage -------------------------------------------------------------------------------------------
    Case("Vorlage-drucksache", replace(V, "ob:drucksache", '"B/16/21900-1"'), V, OB.drucksache,
         value=Literal("B/16/21900-1"), ok=replace(V, "ob:drucksache", '"A/17/7122"')),
    Case("Vorlage-drucksache", add(f'{n(K)} ob:beschlossenDurch {n("vorlage/b-6-1")} . '
                                   f'{n("vorlage/b-6-1")} ob:drucksache "B/6/5505-01" .'),
         "vorlage/b-6-1", OB.drucksache, value=Literal("B/6/5505-01"), id="Vorlage-drucksache-zitiert"),
    Case("Vorlage-volfdnr", replace(V, "ob:volfdnr", '"4711"'), V, OB.volfdnr, value=Literal("4711"),
         ok=replace(V, "ob:volfdnr", '"4711"^^xsd:integer')),
    Case("Vorlage-allris", replace(V, "ob:allrisSeite", "<http://allris.example.org/bi/vo020.asp?VOLFDNR=4711>"), V,
         OB.allrisSeite, value=URIRef("http://allris.example.org/bi/vo020.asp?VOLFDNR=4711"),
         ok=replace(V, "ob:allrisSeite", "<https://allris.oberhausen.de/bi/vo020.asp?VOLFDNR=4711>")),
    Case("Vorlage-ratsinfo", replace(V, "ob:ratsinfoSeite", "<http://ratsinfo.oberhausen.de/vo0200?VOLFDNR=4711>"), V,
         OB.ratsinfoSeite, value=URIRef("http://ratsinfo.oberhausen.de/vo0200?VOLFDNR=4711"),
         ok=replace(V, "ob:ratsinfoSeite", "<https://ratsinfo.oberhausen.de/vo020?VOLFDNR=4711>")),
    Case("Vorlage-allris-nummer", replace(V, "ob:allrisSeite", "<http://allris.oberhausen.de/bi/vo020.asp?VOLFDNR=4712>")
         + " ;\n" + delete(V, "ob:ratsinfoSeite"), V, OB.allrisSeite,
         value=URIRef("http://allris.oberhausen.de/bi/vo020.asp?VOLFDNR=4712")),
    Case("Vorlage-ratsinfo-nummer", replace(V, "ob:ratsinfoSeite", "<http://ratsinfo.oberhausen.de/vo020?VOLFDNR=4712>")
         + " ;\n" + delete(V, "ob:allrisSeite"), V, OB.ratsinfoSeite,
         value=URIRef("http://ratsinfo.oberhausen.de/vo020?VOLFDNR=4712")),
    Case("Vorlage-ratsinfo-nummer", replace(V, "ob:ratsinfoSeite", "<http://ratsinfo.oberhausen.de/vo020?VOLFDNR=4712>")
         + " ;\n" + delete(V, "ob:volfdnr"), V, OB.ratsinfoSeite, also=("Vorlage-allris-nummer",),
         value=URIRef("http://ratsinfo.oberhausen.de/vo020?VOLFDNR=4712"), id="Vorlage-links-untereinander"),
    Case("Vorlage-titel", add(f'{n(V)} dcterms:title "Zweiter Titel"@de .'), V, DCTERMS.title, value=None,
         ok=add(f'{n(V)} dcterms:title "Cycling concept Osterfeld"@en .')),
    Case("Vorlage-datum", replace(V, "dcterms:date", '"14.06.2021"'), V, DCTERMS.date, value=Literal("14.06.2021")),
    Case("Vorlage-zitiert", add(f'{n(V)} ob:zitiertAls "Ein anderer Titel"@de .'), V, OB.zitiertAls, SH.Warning,
         ok=add(f'{n(V)} ob:zitiertAls "Ein anderer Titel"@en .')),
    Case("Vorlage-gremium", replace(V, "ob:gremium", '""'), V, OB.gremium, value=Literal("")),
    Case("Vorlage-beschliesst", add(f'{n(V)} ob:beschliesst {n("konzept/gibt-es-nicht")} .'), V, OB.beschliesst,
         value=u("konzept/gibt-es-nicht")),
    # ---- Expert*innendialog ------------------------------------------------------------------------------
    Case("Expertendialog-datum-fehlt", delete(E, "schema:startDate"), E, SCHEMA.startDate, SH.Warning, value=None),
    Case("Expertendialog-datum", replace(E, "schema:startDate", '"Februar 2020"'), E, SCHEMA.startDate,
         value=Literal("Februar 2020")),
    Case("Expertendialog-sozialraum", replace(E, "dcterms:spatial", n("raum/stadtbezirk/osterfeld")), E,
         DCTERMS.spatial, value=u("raum/stadtbezirk/osterfeld")),
    Case("Expertendialog-organisation", add(f'{n(E)} schema:organizer {n("raum/stadt/oberhausen")} .'), E,
         SCHEMA.organizer, value=u("raum/stadt/oberhausen")),
    Case("Expertendialog-stelle", add(f'{n(E)} ob:mitwirkendeStelle "" .'), E, OB.mitwirkendeStelle, value=Literal("")),
]


@pytest.fixture(scope="module")
def validator(settings) -> Validator:
    return Validator(settings)


@pytest.fixture(scope="module")
def world() -> rdflib.Graph:
    return rdflib.Graph().parse(WORLD, format="turtle")


def findings_of(validator: Validator, world: rdflib.Graph, update: str | None = None):
    g = rdflib.Graph()
    for t in world:
        g.add(t)
    if update:
        g.update(PREFIXES + update)
    return validator.validate([], list(g)).findings


def test_the_world_conforms_to_every_shape(validator, world):
    assert findings_of(validator, world) == []


def test_every_property_shape_has_a_case(validator):
    covered = {c.shape for c in CASES}
    shapes = {str(i).removeprefix(OBSH) for i, info in validator.shapes.info.items() if info.path is not None}
    assert shapes - covered == set()
    assert set(MESSAGES) == shapes


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_violating_fixture(validator, world, case: Case):
    found = findings_of(validator, world, case.update)
    mine = [f for f in found if f.shape == URIRef(OBSH + case.shape)]
    others = {str(f.shape).removeprefix(OBSH) for f in found} - {case.shape}
    assert others == set(case.also), [(f.shape, f.focus, f.value) for f in found]
    assert len(mine) == case.count, [(f.component, f.value) for f in mine]
    de, en = MESSAGES[case.shape]
    for f in mine:
        assert f.focus == u(case.focus)
        assert f.path == case.path
        assert f.severity == case.severity
        assert f.message("de") == de
        assert f.message("en") == en
        if case.value is BNode:
            assert isinstance(f.value, BNode)
        elif case.value is not ANY:
            assert f.value == case.value


@pytest.mark.parametrize("case", [c for c in CASES if c.ok], ids=lambda c: c.id)
def test_conforming_fixture_near_the_boundary(validator, world, case: Case):
    assert findings_of(validator, world, case.ok) == []
