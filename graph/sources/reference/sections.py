"""The sections a reference file may hold, each with the shape of its entries and the function that
turns one entry into a record: organisation, places, concepts off the wiki, and social planning.

Names of places, Themenfelder and units are checked against :mod:`graph.sources.names`, so IRIs agree with the
ones the wiki loader mints.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rdflib import Literal, URIRef

from graph.iris import Iris
from graph.namespaces import DCTERMS, FOAF, OB, ORG, RDF, RDFS, SCHEMA, SKOS, XSD
from graph.records import Record
from graph.sources import names
from graph.sources.reference.entries import Entry, EntryError, Field, RecordBuilder, drucksache, field

_CODE = {"Dezernat": re.compile(r"^\d+$"), "Bereich": re.compile(r"^\d+-\d+$"),
         "Fachbereich": re.compile(r"^\d+-\d+-\d+$")}
INDEX_KOMPONENTEN = ("Statusindex", "Dynamikindex")
RAUM_KINDS = ("stadt", "stadtbezirk", "sozialraum", "sozialquartier")


@dataclass
class Context:
    """What a builder may need beyond its entry: IRIs, the file name and the whole file (for
    references between entries of the same file)."""

    iris: Iris
    file: str
    raw: dict[str, Any]

    def builder(self, entity: URIRef, entry: Entry) -> RecordBuilder:
        return RecordBuilder(self.iris, entity, entry, self.file)

    def section_values(self, section: str, key: str) -> set[str]:
        return {str(e.get(key)) for e in _entries(self.raw, section) if e.get(key) is not None}


@dataclass(frozen=True)
class Section:
    shape: dict[str, Field]
    build: Callable[[Entry, Context], Record]
    name_of: Callable[[dict], str]  # how an error names the entry


# ---- shared resolution -------------------------------------------------------------------------------
def unit_iri(iris: Iris, label: str, feld: str) -> URIRef:
    parsed = names.parse_unit(label)
    if not parsed:
        raise EntryError(f"Feld {feld}: {label!r} ist keine Einheit wie 'Bereich 5-1' / not a unit label")
    typ, code, name = parsed
    return iris.einheit(typ, code, None if code else name)


def themenfeld_iri(iris: Iris, spelling: str) -> URIRef:
    title = names.themenfeld_title(spelling)
    if not title:
        raise EntryError(f"Feld themenfelder: unbekanntes Themenfeld / unknown thematic field {spelling!r}")
    return iris.themenfeld(title)


def place_iri(iris: Iris, kind: str, name: str, feld: str) -> URIRef:
    known = {"stadt": (names.CITY,), "stadtbezirk": names.STADTBEZIRKE, "sozialraum": tuple(names.SOZIALRAEUME)}
    if kind in known and name not in known[kind]:
        raise EntryError(f"Feld {feld}: {name!r} ist kein kanonischer Name für {kind} "
                         f"(graph/sources/names.py: {', '.join(known[kind])}) / not a canonical place name")
    return iris.raum(kind, name)


def _label(b: RecordBuilder, text: str, en: str | None = None) -> None:
    b.add(RDFS.label, Literal(text, lang="de"))
    if en:
        b.add(RDFS.label, Literal(en, lang="en"))


# ---- organisation ------------------------------------------------------------------------------------
def build_kommune(e: Entry, ctx: Context) -> Record:
    if e.get("raum") != names.CITY:
        raise EntryError(f"Feld raum: erwartet {names.CITY!r} / expected the city")
    b = ctx.builder(ctx.iris.stadt(), e)
    b.add(RDF.type, OB.Kommune)
    b.add(RDF.type, ORG.FormalOrganization)
    b.add(SKOS.prefLabel, Literal(e.get("name"), lang="de"))
    _label(b, e.get("name"))
    b.add(DCTERMS.spatial, place_iri(ctx.iris, "stadt", names.CITY, "raum"), feld="raum")
    if e.get("leitung"):
        b.add(OB.leitung, Literal(e.get("leitung")), feld="leitung")
    return b.finish(e.get("name"))


def _unit_key(typ: str, code: str | None, name: str | None) -> str:
    return f"{typ} {code}" if code else f"{typ} {name}"


def build_einheit(e: Entry, ctx: Context) -> Record:
    typ, code, name = e.choice("typ", names.UNIT_TYPES), e.get("kuerzel"), e.get("name")
    if code is not None and not _CODE[typ].match(code):
        raise EntryError(f"Feld kuerzel: {code!r} passt nicht zum Typ {typ} / code does not fit the unit type")
    if code is None and name is None:
        raise EntryError("Eine Einheit braucht kuerzel oder name / a unit needs a code or a name")
    wiki = e.get("wiki_bezeichnung")
    if wiki and (names.parse_unit(wiki) or (None, None))[:2] != (typ, code):
        raise EntryError(f"Feld wiki_bezeichnung: {wiki!r} nennt nicht {typ} {code or ''} / names another unit")
    b = ctx.builder(ctx.iris.einheit(typ, code, name), e)
    b.add(RDF.type, getattr(OB, typ))
    b.add(RDF.type, ORG.OrganizationalUnit)
    b.add(SKOS.prefLabel, Literal(name or f"{typ} {code}", lang="de"))
    _label(b, f"{typ} {code} / {name}" if code and name else _unit_key(typ, code, name))
    if code:
        b.add(SKOS.notation, Literal(code))
    if wiki:
        b.add(OB.wikiBezeichnung, Literal(wiki), feld="wiki_bezeichnung")
    for old in e.texts("frueherer_name"):
        b.add(SKOS.altLabel, Literal(old, lang="de"), feld="frueherer_name")
    if e.get("leitung"):
        b.add(OB.leitung, Literal(e.get("leitung")), feld="leitung")
    parent = e.get("uebergeordnet")
    if parent:
        known = {_unit_key(x.get("typ"), x.get("kuerzel"), x.get("name"))
                 for x in _entries(ctx.raw, "organisationseinheiten")}
        if parent not in known:
            raise EntryError(f"Feld uebergeordnet: {parent!r} ist in dieser Datei nicht verzeichnet / unknown unit")
        b.add(ORG.subOrganizationOf, unit_iri(ctx.iris, parent, "uebergeordnet"), feld="uebergeordnet")
    b.add(ORG.unitOf, ctx.iris.stadt())
    if e.get("gruendungsjahr") is not None:
        b.add(SCHEMA.foundingDate, e.year("gruendungsjahr"), feld="gruendungsjahr")
    if e.get("anschrift"):
        b.add(SCHEMA.address, Literal(e.get("anschrift")), feld="anschrift")
    if e.get("webseite"):
        b.add(FOAF.homepage, URIRef(e.url(e.get("webseite"), "webseite")), feld="webseite")
    for task in e.texts("aufgaben"):
        b.add(ORG.purpose, Literal(task, lang="de"), feld="aufgaben")
    return b.finish(_unit_key(typ, code, name))


def _entries(raw: dict[str, Any], section: str) -> list[dict]:
    value = raw.get(section)
    items = value.get("eintraege", []) if isinstance(value, dict) else value or []
    return [x for x in items if isinstance(x, dict)]


# ---- places ------------------------------------------------------------------------------------------
def _place(e: Entry, ctx: Context, kind: str, cls: URIRef) -> RecordBuilder:
    name = e.get("name")
    b = ctx.builder(place_iri(ctx.iris, kind, name, "name"), e)
    b.add(RDF.type, cls)
    b.add(SKOS.prefLabel, Literal(name, lang="de"))
    _label(b, name)
    if e.get("einwohnerzahl") is not None:
        b.add(OB.einwohnerzahl, Literal(e.get("einwohnerzahl"), datatype=XSD.integer), feld="einwohnerzahl")
    return b


def build_stadt(e: Entry, ctx: Context) -> Record:
    b = _place(e, ctx, "stadt", OB.Stadt)
    ags = e.get("gemeindeschluessel")
    if ags is not None:
        if not re.fullmatch(r"\d{8}", ags):
            raise EntryError("Feld gemeindeschluessel: acht Ziffern erwartet / expected eight digits")
        b.add(OB.gemeindeschluessel, Literal(ags), feld="gemeindeschluessel")
    if e.get("flaeche_km2") is not None:
        b.add(OB.flaecheKm2, e.decimal("flaeche_km2"), feld="flaeche_km2")
    return b.finish(e.get("name"))


def build_stadtbezirk(e: Entry, ctx: Context) -> Record:
    b = _place(e, ctx, "stadtbezirk", OB.Stadtbezirk)
    b.add(OB.liegtIn, ctx.iris.raum("stadt", names.CITY))
    return b.finish(e.get("name"))


def build_sozialraum(e: Entry, ctx: Context) -> Record:
    b = _place(e, ctx, "sozialraum", OB.Sozialraum)
    bezirk = e.get("stadtbezirk")
    if names.SOZIALRAEUME[e.get("name")] != bezirk:
        raise EntryError(f"Feld stadtbezirk: {bezirk!r} widerspricht graph/sources/names.py "
                         f"({names.SOZIALRAEUME[e.get('name')]}) / contradicts the canonical names")
    b.add(OB.liegtIn, ctx.iris.raum("stadt", names.CITY))
    b.add(OB.liegtIn, place_iri(ctx.iris, "stadtbezirk", bezirk, "stadtbezirk"), feld="stadtbezirk")
    return b.finish(e.get("name"))


def build_sozialquartier(e: Entry, ctx: Context) -> Record:
    b = _place(e, ctx, "sozialquartier", OB.Sozialquartier)
    b.add(OB.liegtIn, place_iri(ctx.iris, "sozialraum", e.get("sozialraum"), "sozialraum"), feld="sozialraum")
    return b.finish(e.get("name"))


# ---- concepts without a wiki page ------------------------------------------------------------------
def build_konzept(e: Entry, ctx: Context) -> Record:
    title = e.get("titel")
    b = ctx.builder(ctx.iris.konzept(title), e)
    b.add(RDF.type, OB.Konzept)
    b.add(DCTERMS.title, Literal(title, lang="de"))
    _label(b, title)
    for short in e.texts("kurzname"):
        b.add(SKOS.altLabel, Literal(short, lang="de"))
    b.add_all(DCTERMS.description, e.lang("beschreibung"), feld="beschreibung")
    for tf in e.texts("themenfelder"):
        b.add(OB.themenfeld, themenfeld_iri(ctx.iris, tf), feld="themenfelder")
    for place in e.get("raeume", []):
        if not (isinstance(place, dict) and len(place) == 1 and next(iter(place)) in RAUM_KINDS):
            raise EntryError(f"Feld raeume: erwartet z. B. {{sozialraum: Osterfeld}} / expected kind: name, "
                             f"got {place!r}")
        (kind, name), = place.items()
        b.add(OB.geltungsbereich, place_iri(ctx.iris, kind, str(name), "raeume"), feld="raeume")
    if e.get("zustaendigkeit"):
        b.add(OB.zustaendigeEinheit, unit_iri(ctx.iris, e.get("zustaendigkeit"), "zustaendigkeit"),
              feld="zustaendigkeit")
    if e.get("jahr") is not None:
        b.add(OB.veroeffentlichungsjahr, e.year("jahr"), feld="jahr")
    for ds in e.texts("vorlagen"):
        b.add(OB.beschlossenDurch, ctx.iris.vorlage(drucksache(ds, "vorlagen")), feld="vorlagen")
    for goal in e.texts("ziele"):
        b.add(OB.ziel, Literal(goal, lang="de"), feld="ziele")
    if e.get("programm"):
        b.add(OB.programm, Literal(e.get("programm")), feld="programm")
    if e.get("wiki_seite"):
        b.add(OB.wikiSeite, URIRef(e.url(e.get("wiki_seite"), "wiki_seite")))
    return b.finish(title)


# ---- social planning ---------------------------------------------------------------------------------
def build_schema(e: Entry, ctx: Context) -> Record:
    b = ctx.builder(ctx.iris.scheme(e.get("name")), e)
    b.add(RDF.type, SKOS.ConceptScheme)
    titles = e.lang("titel")
    b.add_all(SKOS.prefLabel, titles)
    b.add_all(DCTERMS.title, titles)
    b.add_all(RDFS.label, titles)
    b.add_all(DCTERMS.description, e.lang("beschreibung"))
    return b.finish(str(titles[0]))


def _in_scheme(b: RecordBuilder, ctx: Context, scheme: str) -> None:
    b.add(SKOS.inScheme, ctx.iris.scheme(scheme))
    b.add(SKOS.topConceptOf, ctx.iris.scheme(scheme))


def _scheme_concept(b: RecordBuilder, ctx: Context, cls, scheme: str, name: str, name_en: str | None) -> None:
    """A SKOS concept of class ``cls`` in ``scheme`` with its German (and English) preferred label."""
    b.add(RDF.type, cls)
    b.add(RDF.type, SKOS.Concept)
    b.add(SKOS.prefLabel, Literal(name, lang="de"))
    if name_en:
        b.add(SKOS.prefLabel, Literal(name_en, lang="en"))
    _label(b, name, name_en)
    _in_scheme(b, ctx, scheme)


def build_indikator(e: Entry, ctx: Context) -> Record:
    name = e.get("name")
    b = ctx.builder(ctx.iris.indikator(name), e)
    _scheme_concept(b, ctx, OB.Indikator, "indikatoren", name, e.get("name_en"))
    for alt in e.texts("alternativ"):
        b.add(SKOS.altLabel, Literal(alt, lang="de"))
    for part in e.texts("index_komponenten"):
        if part not in INDEX_KOMPONENTEN:
            raise EntryError(f"Feld index_komponenten: {part!r} ist keine von / is none of: "
                             f"{', '.join(INDEX_KOMPONENTEN)}")
        b.add(OB.indexKomponente, Literal(part), feld="index_komponenten")
    return b.finish(name)


def build_expertendialog(e: Entry, ctx: Context) -> Record:
    raum, nummer = e.get("sozialraum"), e.get("nummer")
    if nummer < 1:
        raise EntryError("Feld nummer: erwartet 1, 2, … / expected a positive ordinal")
    b = ctx.builder(ctx.iris.expertendialog(raum, str(nummer)), e)
    b.add(RDF.type, OB.Expertendialog)
    _label(b, f"{nummer}. Expert*innendialog im Sozialraum {raum}",
           f"Expert dialogue no. {nummer} in the social area {raum}")
    place = place_iri(ctx.iris, "sozialraum", raum, "sozialraum")
    b.add(SCHEMA.location, place)
    b.add(DCTERMS.spatial, place)  # the shapes look for the Sozialraum here
    if e.get("datum") is not None:
        b.add(SCHEMA.startDate, e.date("datum"), feld="datum")
    for feld in ("veranstalter", "veranstalter_gedeutet"):
        for unit in e.texts(feld):
            b.add(SCHEMA.organizer, unit_iri(ctx.iris, unit, feld), feld=feld)
    for office in e.texts("mitwirkende_stellen"):
        b.add(OB.mitwirkendeStelle, Literal(office), feld="mitwirkende_stellen")
    if e.get("programm"):
        b.add(OB.programm, Literal(e.get("programm")), feld="programm")
    return b.finish(f"Expert*innendialog {raum} {nummer}")


def build_glossarbegriff(e: Entry, ctx: Context) -> Record:
    term = e.get("begriff")
    b = ctx.builder(ctx.iris.glossar(term), e)
    _scheme_concept(b, ctx, OB.Glossarbegriff, "glossar", term, e.get("begriff_en"))
    b.add_all(SKOS.definition, e.lang("definition"), feld="definition")
    terms = ctx.section_values("glossar", "begriff")
    for other in e.texts("verwandt"):
        if other not in terms:
            raise EntryError(f"Feld verwandt: {other!r} steht nicht im Glossar / not a glossary term")
        b.add(SKOS.related, ctx.iris.glossar(other), feld="verwandt")
    if e.get("indikator"):
        indicator = e.get("indikator")
        if ctx.raw.get("indikatoren") is not None and indicator not in ctx.section_values("indikatoren", "name"):
            raise EntryError(f"Feld indikator: {indicator!r} ist kein Indikator dieser Datei / unknown indicator")
        b.add(SKOS.related, ctx.iris.indikator(indicator), feld="indikator")
    return b.finish(term)


def _name(*keys: str) -> Callable[[dict], str]:
    def name_of(data: dict) -> str:
        return " ".join(str(data[k]) for k in keys if isinstance(data, dict) and data.get(k) is not None)
    return name_of


SECTIONS: dict[str, Section] = {
    "kommune": Section({"name": field(str, required=True), "raum": field(str, required=True),
                        "leitung": field(str)}, build_kommune, _name("name")),
    "organisationseinheiten": Section({
        "typ": field(str, required=True), "kuerzel": field(str), "name": field(str),
        "wiki_bezeichnung": field(str), "leitung": field(str), "uebergeordnet": field(str),
        "frueherer_name": field(str, list, item=str), "gruendungsjahr": field(int), "anschrift": field(str),
        "webseite": field(str), "aufgaben": field(list, item=str),
    }, build_einheit, _name("typ", "kuerzel", "name")),
    "stadt": Section({"name": field(str, required=True), "gemeindeschluessel": field(str),
                      "einwohnerzahl": field(int), "flaeche_km2": field(float)}, build_stadt, _name("name")),
    "stadtbezirke": Section({"name": field(str, required=True), "einwohnerzahl": field(int)},
                            build_stadtbezirk, _name("name")),
    "sozialraeume": Section({"name": field(str, required=True), "stadtbezirk": field(str, required=True),
                             "einwohnerzahl": field(int)}, build_sozialraum, _name("name")),
    "sozialquartiere": Section({"name": field(str, required=True), "sozialraum": field(str, required=True),
                                "einwohnerzahl": field(int)}, build_sozialquartier, _name("name")),
    "konzepte": Section({
        "titel": field(str, required=True), "kurzname": field(list, item=str),
        "beschreibung": field(str, dict), "themenfelder": field(list, item=str), "raeume": field(list, item=dict),
        "zustaendigkeit": field(str), "jahr": field(int), "vorlagen": field(list, item=str),
        "ziele": field(list, item=str), "programm": field(str), "wiki_seite": field(str),
    }, build_konzept, _name("titel")),
    "begriffsschemata": Section({"name": field(str, required=True), "titel": field(str, dict, required=True),
                                 "beschreibung": field(str, dict)}, build_schema, _name("name")),
    "indikatoren": Section({"name": field(str, required=True), "name_en": field(str),
                            "alternativ": field(list, item=str), "index_komponenten": field(list, item=str)},
                           build_indikator, _name("name")),
    "expertendialoge": Section({
        "sozialraum": field(str, required=True), "nummer": field(int, required=True), "datum": field(str, dt.date),
        "veranstalter": field(list, item=str), "veranstalter_gedeutet": field(list, item=str),
        "mitwirkende_stellen": field(list, item=str), "programm": field(str),
    }, build_expertendialog, _name("sozialraum", "nummer")),
    "glossar": Section({
        "begriff": field(str, required=True), "begriff_en": field(str), "definition": field(str, dict, required=True),
        "verwandt": field(list, item=str), "indikator": field(str),
    }, build_glossarbegriff, _name("begriff")),
}
