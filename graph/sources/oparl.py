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
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from rdflib import Literal, URIRef

from graph.errors import LoaderError, NestingTooDeep
from graph.iris import Iris
from graph.namespaces import DCAT, DCTERMS, OB, RDF, RDFS, XSD
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
        b.add(OB.volfdnr, Literal(volfdnr, datatype=XSD.integer), feld="volfdnr")
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


# ---- harvested papers (stadtgraph harvest oparl) --------------------------------------------------------
RATSINFO_PAGE = re.compile(r"^https?://ratsinfo\.oberhausen\.de/vo020\?VOLFDNR=[1-9][0-9]*$")
OVERLAY_FIELDS = tuple(PREFIX + name for name in ("volfdnr", "allrisWeb", "gremium", "beschlussdatum", "beschliesst",
                                                  "kurztitel", "konfidenz", "quellen", "hinweis", "abgeleitet"))


def overlay_file(path: Path) -> dict[str, dict[str, Any]]:
    """What the hand-made file adds to the council's papers (the adopted concepts, confidence, sources,
    notes), by Drucksache number: ``{reference: {"stadtgraph:…": …, "name": …}}``. A missing or unreadable
    file adds nothing (the build reports it)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    papers = doc.get("data") if isinstance(doc, dict) else doc
    out: dict[str, dict[str, Any]] = {}
    for obj in papers if isinstance(papers, list) else []:
        if isinstance(obj, dict) and isinstance(obj.get("reference"), str):
            out[obj["reference"].strip()] = {k: v for k, v in obj.items() if k in OVERLAY_FIELDS or k == "name"}
    return out


def _warn(warnings: list[str], obj_id: str, fld: str, value: Any, why: str) -> None:
    warnings.append(f"{obj_id}: Feld {fld} = {value!r} {why}; der Rest des Objekts wird geladen / field {fld} "
                    f"skipped, the rest of the object loads")


def _day(value: Any) -> str | None:
    """The calendar date of an OParl date or date-time, or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            date.fromisoformat(text)
            return text
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None


def harvested_paper_record(paper: dict[str, Any], iris: Iris, *, meetings: dict[str, dict[str, Any]],
                           organizations: dict[str, dict[str, Any]], overlay: dict[str, dict[str, Any]],
                           key=lambda s: s) -> tuple[Record | None, list[str]]:
    """One OParl ``Paper`` as an ``ob:Vorlage`` record, and the warnings about it. The council is the
    authority for the title, date and type; the hand-made file (``overlay``) adds what OParl has no field
    for. A malformed field is a warning naming the object and the field, and the rest loads; a paper
    without a usable Drucksache number is only a warning (None: no record)."""
    warnings: list[str] = []
    pid = str(paper.get("id", "?"))
    ref = paper.get("reference")
    if not isinstance(ref, str) or not ref.strip():
        _warn(warnings, pid, "reference", ref, "fehlt / is missing")
        return None, warnings
    ref = ref.strip()
    extra = overlay.get(ref, {})
    obj: dict[str, Any] = {"type": PAPER_TYPE, "reference": ref}
    name = paper.get("name")
    if isinstance(name, str) and name.strip():
        obj["name"] = name.strip()
        if isinstance(extra.get("name"), str) and extra["name"].strip() != obj["name"]:
            warnings.append(f"{pid}: Titel im Ratsinformationssystem „{obj['name']}“, in data/rat/ "
                            f"„{extra['name']}“; es gilt das Ratsinformationssystem / the council system's title wins")
    else:
        _warn(warnings, pid, "name", name, "fehlt / is missing")
        obj["name"] = extra.get("name") or f"Vorlage {ref}"
    day = _day(paper.get("date"))
    if day:
        obj["date"] = day
    elif paper.get("date") is not None:
        _warn(warnings, pid, "date", paper.get("date"), "ist kein Datum (JJJJ-MM-TT) / is not a date")
    if isinstance(paper.get("paperType"), str):
        obj["paperType"] = paper["paperType"]
    web = paper.get("web")
    if isinstance(web, str) and RATSINFO_PAGE.match(web):
        obj["web"] = web
    elif web is not None:
        _warn(warnings, pid, "web", web, "ist keine ratsinfo-Vorlagenseite / is not a ratsinfo paper page")
    obj.update({k: v for k, v in extra.items() if k != "name"})
    if "web" in obj and PREFIX + "volfdnr" not in obj:
        obj[PREFIX + "volfdnr"] = int(obj["web"].rsplit("=", 1)[1])
    obj.setdefault(PREFIX + "konfidenz", "beobachtet")
    obj.setdefault(PREFIX + "quellen", [pid])
    try:
        record = paper_record(obj, iris, "oparl")
    except EntryError as exc:
        warnings.append(f"{pid}: {exc}")
        return None, warnings
    g, v = record.triples, record.iri
    if isinstance(paper.get("id"), str) and paper["id"].startswith(("http://", "https://")):
        g.add((v, OB.oparlObjekt, URIRef(paper["id"])))
    modified = paper.get("modified")
    if isinstance(modified, str) and _day(modified):
        g.add((v, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    _main_file(g, v, paper.get("mainFile"), pid, warnings)
    for n, consultation in enumerate(c for c in paper.get("consultation") or [] if isinstance(c, dict)):
        _consultation(g, URIRef(f"{v}#beratung-{n + 1}"), v, consultation, meetings, organizations, key)
    return record, warnings


def _main_file(g, v: URIRef, main: Any, pid: str, warnings: list[str]) -> None:
    if not isinstance(main, dict):
        return
    url = main.get("accessUrl") or main.get("downloadUrl")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        _warn(warnings, pid, "mainFile.accessUrl", url, "ist keine Adresse / is not a URL")
        return
    node = URIRef(f"{v}#hauptdokument")
    g.add((v, OB.hauptdokument, node))
    g.add((node, DCAT.accessURL, URIRef(url)))
    for fld in ("name", "fileName"):
        if isinstance(main.get(fld), str) and main[fld].strip():
            g.add((node, DCTERMS.title, Literal(main[fld].strip(), lang="de")))
            break


def _consultation(g, node: URIRef, v: URIRef, c: dict[str, Any], meetings, organizations, key) -> None:
    g.add((v, OB.beratung, node))
    g.add((node, RDF.type, OB.Beratung))
    orgs = c.get("organization") or []
    for org in orgs if isinstance(orgs, list) else [orgs]:
        found = organizations.get(key(org)) if isinstance(org, str) else None
        if found and isinstance(found.get("name"), str):
            g.add((node, OB.beratendesGremium, Literal(found["name"])))
    meeting = meetings.get(key(c["meeting"])) if isinstance(c.get("meeting"), str) else None
    if meeting:
        if isinstance(meeting.get("name"), str):
            g.add((node, OB.sitzung, Literal(meeting["name"])))
        day = _day(meeting.get("start"))
        if day:
            g.add((node, DCTERMS.date, Literal(day, datatype=XSD.date)))
    if isinstance(c.get("role"), str) and c["role"].strip():
        g.add((node, OB.rolle, Literal(c["role"].strip(), lang="de")))
    if isinstance(c.get("authoritative"), bool):
        g.add((node, OB.federfuehrend, Literal(c["authoritative"])))
