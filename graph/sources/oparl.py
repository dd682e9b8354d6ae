"""Council papers (Vorlagen) from OParl 1.1 JSON, the format of the city's ratsinfo endpoint
(https://ratsinfo.oberhausen.de/oparl/system), read into one ``ob:Vorlage`` record per ``Paper``.

OParl 1.1 Paper: https://oparl.org/spezifikation/online-ansicht/#entity-paper. What OParl has no field
for travels in vendor extension properties with the prefix ``stadtgraph:`` (spec, "Herstellerspezifische
Erweiterungen"): ``volfdnr``, ``allrisWeb`` (the legacy ALLRIS page), ``gremium``, ``beschlussdatum``,
``beschliesst`` (titles of the concepts the paper adopts), ``kurztitel``, ``konfidenz``, ``quellen``,
``hinweis``, ``abgeleitet``. Other vendors' extensions are ignored; deleted papers are skipped.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from rdflib import Literal, URIRef

from graph.errors import LoaderError, NestingTooDeep
from graph.iris import Iris
from graph.namespaces import DCTERMS, OB, RDF, RDFS, XSD
from graph.nesting import check_depth
from graph.records import LoadResult, Record
from graph.sources.reference.entries import Entry, EntryError, RecordBuilder, check_shape, drucksache, field

PAPER_TYPE = "https://schema.oparl.org/1.1/Paper"
PREFIX = "stadtgraph:"
# OParl Paper properties this loader does not turn into triples (the graph links papers to concepts,
# not to files, meetings or people)
IGNORED = ("id", "type", "body", "relatedPaper", "superordinatedPaper", "subordinatedPaper", "mainFile",
           "auxiliaryFile", "location", "originatorPerson", "underDirectionOf", "originatorOrganization",
           "consultation", "license", "keyword", "created", "modified", "deleted")
SHAPE = {
    **{name: field(str, list, dict, bool) for name in IGNORED},
    "reference": field(str, required=True),
    "name": field(str, required=True),
    "paperType": field(str),
    "date": field(str),
    "web": field(str),
    "volfdnr": field(int),
    "allrisWeb": field(str),
    "gremium": field(str),
    "beschlussdatum": field(str),
    "beschliesst": field(list, item=str),
    "kurztitel": field(bool),
}
SHORT_TITLE = {"de": "Titel sinngemäß verkürzt; der amtliche Titel der Vorlage lag nicht vor.",
               "en": "Title shortened in sense; the paper's official title was not available."}


def load_oparl_file(path: Path, iris: Iris, rel: str) -> LoadResult:
    """Every ``Paper`` of an OParl object list (``{"data": […]}``) or a plain JSON array."""
    result = LoadResult()
    try:
        text = Path(path).read_text(encoding="utf-8")
        check_depth(text, "json", what="JSON", source=rel)
        doc = json.loads(text)
    except NestingTooDeep as exc:
        result.errors.append(exc)
        return result
    except json.JSONDecodeError as exc:
        result.errors.append(LoaderError(f"JSON nicht lesbar / unreadable JSON (Zeile {exc.lineno}): {exc.msg}",
                                         source=rel, line=exc.lineno))
        return result
    papers = doc.get("data") if isinstance(doc, dict) else doc
    if not isinstance(papers, list):
        result.errors.append(LoaderError("erwartet eine OParl-Objektliste {\"data\": […]} / expected an OParl "
                                         "object list", source=rel))
        return result
    seen: set[str] = set()
    for number, obj in enumerate(papers, start=1):
        ref = obj.get("reference") if isinstance(obj, dict) else None
        where = f"data[{number}] {ref or ''}".strip()
        if isinstance(obj, dict) and obj.get("deleted") is True:
            continue
        try:
            record = paper_record(obj, iris, rel)
        except EntryError as exc:
            result.errors.append(LoaderError(str(exc), source=rel, page=where))
            continue
        if str(record.iri) in seen:
            result.errors.append(LoaderError("doppelte Drucksachennummer / duplicate paper number",
                                             source=rel, page=where))
            continue
        seen.add(str(record.iri))
        result.records.append(record)
    return result


def _normalise(obj: Any) -> dict[str, Any]:
    """Our extension properties without their prefix; other vendors' extensions dropped."""
    if not isinstance(obj, dict):
        raise EntryError("Eintrag ist kein JSON-Objekt / entry is not an object")
    if obj.get("type") != PAPER_TYPE:
        raise EntryError(f"type: {PAPER_TYPE} erwartet / expected, nicht / not {obj.get('type')!r}")
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key.startswith(PREFIX):
            out[key[len(PREFIX):]] = value
        elif ":" not in key:
            out[key] = value
    return out


def paper_record(obj: Any, iris: Iris, rel: str) -> Record:
    data = _normalise(obj)
    check_shape(data, SHAPE)
    e = Entry(data)
    ref = drucksache(data["reference"], "reference")
    b = RecordBuilder(iris, iris.vorlage(ref), e, rel, kind="oparl")
    b.add(RDF.type, OB.Vorlage)
    b.add(OB.drucksache, Literal(ref))
    b.add(RDFS.label, Literal(f"Vorlage {ref}", lang="de"))
    b.add(DCTERMS.title, Literal(data["name"], lang="de"))
    if data.get("kurztitel"):
        for lang, text in SHORT_TITLE.items():
            b.add(OB.hinweis, Literal(text, lang=lang))
    volfdnr = data.get("volfdnr")
    if volfdnr is not None:
        if volfdnr < 1:
            raise EntryError("volfdnr: positive ganze Zahl erwartet / expected a positive integer")
        b.add(OB.volfdnr, Literal(volfdnr, datatype=XSD.positiveInteger), feld="volfdnr")
    for key, prop in (("web", OB.ratsinfoSeite), ("allrisWeb", OB.allrisSeite)):
        if data.get(key):
            url = e.url(data[key], key)
            _check_volfdnr(url, volfdnr, key)
            b.add(prop, URIRef(url), feld=key)
    if data.get("paperType"):
        b.add(DCTERMS.type, Literal(data["paperType"], lang="de"), feld="paperType")
    if data.get("gremium"):
        b.add(OB.gremium, Literal(data["gremium"]), feld="gremium")
    if data.get("beschlussdatum"):
        b.add(DCTERMS.date, e.date("beschlussdatum"), feld="beschlussdatum")
    if data.get("date"):
        b.add(DCTERMS.issued, e.date("date"), feld="date")
    for title in e.texts("beschliesst"):
        b.add(OB.beschliesst, iris.konzept(title), feld="beschliesst")
    return b.finish(f"Vorlage {ref}")


def _check_volfdnr(url: str, volfdnr: int | None, key: str) -> None:
    """The VOLFDNR in a link must be the paper's: it is the join key between wiki links and papers."""
    query = {k.upper(): v for k, v in parse_qs(urlsplit(url).query).items()}
    in_url = query.get("VOLFDNR", [None])[0]
    if in_url is not None and (volfdnr is None or in_url != str(volfdnr)):
        raise EntryError(f"{key}: VOLFDNR={in_url} in der Adresse, aber volfdnr={volfdnr} "
                         "/ the link's VOLFDNR differs from the paper's")
