"""Validation reports as people and programs read them: German (or English) text, JSON grouped by record
with labels and fix hints, and the W3C ``sh:ValidationReport`` in Turtle (https://www.w3.org/TR/shacl/#validation-report).
"""
from __future__ import annotations

import json
from typing import Any

import rdflib
from rdflib import BNode, Literal, URIRef

from graph.gate.engine import Finding
from graph.gate.validation import Refusal, Report
from graph.namespaces import OB, RDF, SH, XSD
from graph.records import Record

SEVERITY: dict[str, dict[URIRef, str]] = {
    "de": {SH.Violation: "Verletzung", SH.Warning: "Warnung", SH.Info: "Hinweis"},
    "en": {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"},
}
WORDS: dict[str, dict[str, str]] = {
    "de": {"field": "Feld", "value": "Wert", "page": "Seite", "revision": "Revision", "hint": "Hinweis",
           "at": "an", "source": "Quelle", "unreadable": "Nicht lesbar", "other": "Weitere Befunde",
           "ok": "in Ordnung", "not_ok": "nicht in Ordnung", "result": "Ergebnis", "report": "Prüfbericht",
           "violations": "Verletzungen", "warnings": "Warnungen", "records": "Datensätze"},
    "en": {"field": "field", "value": "value", "page": "page", "revision": "revision", "hint": "hint",
           "at": "on", "source": "source", "unreadable": "Unreadable", "other": "Other findings",
           "ok": "conforms", "not_ok": "does not conform", "result": "Result", "report": "Validation report",
           "violations": "violations", "warnings": "warnings", "records": "records"},
}


def _w(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["de"])


def _q(text: str, lang: str) -> str:
    return f"„{text}“" if lang == "de" else f"\"{text}\""


def severity_word(f: Finding, lang: str = "de") -> str:
    return SEVERITY.get(lang, SEVERITY["de"]).get(f.severity, str(f.severity))


def field_name(report: Report, f: Finding, lang: str = "de") -> str:
    info = report.shapes.info.get(f.shape)
    if info and info.name:
        return info.text("name", lang)
    path = f.path or f.shape
    return str(path).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def hint(report: Report, f: Finding, lang: str = "de") -> str:
    info = report.shapes.info.get(f.shape)
    return info.text("hint", lang) if info and info.hint else ""


def node_kind(report: Report, f: Finding, lang: str = "de") -> str:
    """What kind of node the finding is about, from the shape that holds the rule ("Ratsvorlage" …)."""
    info = report.shapes.info.get(f.shape)
    for node_shape in info.node_shapes if info else ():
        holder = report.shapes.info.get(node_shape)
        if holder and holder.name:
            return holder.text("name", lang)
    return ""


def record_kind(report: Report, record: Record, lang: str = "de") -> str:
    """The name of the record's class as the shapes name it (\"Konzept\", \"Ratsvorlage\" …)."""
    for cls in record.triples.objects(record.iri, RDF.type):
        for shape in report.shapes.graph.subjects(SH.targetClass, cls):
            info = report.shapes.info.get(shape)  # type: ignore[arg-type]
            if info and info.name:
                return info.text("name", lang)
    return "Datensatz" if lang == "de" else "record"


def record_title(report: Report, record: Record, lang: str = "de") -> str:
    names = report.labels.get(record.iri)
    if names:
        return report.label(record.iri, lang)
    return record.label or record.source.page or str(record.iri)


def source_text(record: Record, lang: str = "de") -> str:
    w = _w(lang)
    parts = [record.source.file]
    if record.source.page:
        parts.append(f"{w['page']} {_q(record.source.page, lang)}")
    if record.source.revision:
        parts.append(f"{w['revision']} {record.source.revision}")
    return " · ".join(parts)


def finding_text(report: Report, f: Finding, record: Record | None, lang: str = "de") -> str:
    """Field, node (when it is not the record itself), offending value and message, in one line."""
    w = _w(lang)
    out = f"{w['field']} {_q(field_name(report, f, lang), lang)}"
    if record is None or f.focus != record.iri:
        out += f" {w['at']} {node_kind(report, f, lang)} {_q(report.label(f.focus, lang), lang)}".replace("  ", " ")
    if f.value is not None:
        out += f", {w['value']} {_q(report.label(f.value, lang), lang)}"
    return f"{out}: {f.message(lang)}"


def finding_line(report: Report | None, f: Finding, record: Record, lang: str = "de") -> str:
    """The one line a build prints for a refused record: source, page, revision, field, value, message."""
    if report is None:
        return f"{severity_word(f, lang).upper()} · {source_text(record, lang)} · {f.message(lang)}"
    return f"{severity_word(f, lang).upper()} · {source_text(record, lang)} · {finding_text(report, f, record, lang)}"


def distinct(findings: list[Finding]) -> list[Finding]:
    """One finding per rule, node, field, value and severity: a rule that fails two ways (``sh:class`` and
    ``sh:node`` of one property shape) is one thing to fix, said once."""
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.focus, f.path, f.value, f.shape, f.severity)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def wiki_links(record: Record) -> dict[str, str] | None:
    """The record's page in the wiki and its edit view, from its ``ob:wikiSeite``; None for other sources."""
    page = next((str(o) for o in record.triples.objects(record.iri, OB.wikiSeite)), None)
    if page is None:
        return None
    head = page.partition("#")[0]
    return {"page": page, "edit": head + ("&" if "?" in head else "?") + "action=edit"}


# ---- text --------------------------------------------------------------------------------------------
def text(report: Report, lang: str = "de") -> str:
    """The readable report: per record its source, then one line per finding and its fix hint."""
    w = _w(lang)
    shown = distinct(report.findings)
    violations = sum(f.is_violation for f in shown)
    lines = [(f"{w['report']}: {violations} {w['violations']}, {len(shown) - violations} {w['warnings']}, "
              f"{len(report.records)} {w['records']}")]
    for record, findings in report.groups():
        findings = distinct(findings)
        lines.append("")
        if record is None:
            lines.append(w["other"])
        else:
            lines.append(f"{record_kind(report, record, lang)} {_q(record_title(report, record, lang), lang)}")
            lines.append(f"  {w['source']}: {source_text(record, lang)}")
        for f in findings:
            lines.append(f"  {severity_word(f, lang).upper():<11} {finding_text(report, f, record, lang)}")
            if hint(report, f, lang):
                lines.append(f"  {'':<11} {w['hint']}: {hint(report, f, lang)}")
    for err in report.unreadable:
        lines.append("")
        lines.append(f"{w['unreadable']}: {err.detail}")
    lines.append("")
    verdict = w["ok"] if report.conforms and not report.unreadable else w["not_ok"]
    lines.append(f"{w['result']}: {verdict}")
    return "\n".join(lines) + "\n"


# ---- JSON --------------------------------------------------------------------------------------------
def as_json(report: Report, lang: str = "de") -> dict[str, Any]:
    """Grouped by record, with labels instead of IRIs or blank nodes, and a hint how to fix each finding."""
    groups = []
    for record, findings in report.groups():
        group: dict[str, Any] = {"findings": [_finding_json(report, f, record, lang) for f in distinct(findings)]}
        if record is not None:
            group = {
                "record": record_title(report, record, lang),
                "kind": record_kind(report, record, lang),
                "iri": str(record.iri) if isinstance(record.iri, URIRef) else None,
                "graph": str(record.graph_iri),
                "source": {"file": record.source.file, "page": record.source.page,
                           "revision": record.source.revision},
                **group,
            }
            wiki = wiki_links(record)
            if wiki:
                group["wiki"] = wiki
        groups.append(group)
    shown = distinct(report.findings)
    return {
        "conforms": report.conforms,
        "violations": sum(f.is_violation for f in shown),
        "warnings": sum(not f.is_violation for f in shown),
        "lang": lang,
        "records": groups,
        "unreadable": [err.detail for err in report.unreadable],
    }


def _finding_json(report: Report, f: Finding, record: Record | None, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "severity": severity_word(f, lang),
        "field": field_name(report, f, lang),
        "message": f.message(lang),
        "hint": hint(report, f, lang),
        "rule": str(f.shape),
    }
    if record is None or f.focus != record.iri:
        out["node"] = f"{node_kind(report, f, lang)} {report.label(f.focus, lang)}".strip()
    if f.value is not None:
        out["value"] = report.label(f.value, lang)
    return out


def json_text(report: Report, lang: str = "de") -> str:
    return json.dumps(as_json(report, lang), ensure_ascii=False, indent=2) + "\n"


# ---- Turtle ------------------------------------------------------------------------------------------
def report_graph(report: Report) -> rdflib.Graph:
    """The findings as a W3C ``sh:ValidationReport`` (messages in German and English)."""
    g = rdflib.Graph()
    g.bind("sh", SH)
    g.bind("ob", OB)
    g.bind("obsh", "https://daten.oberhausen.de/stadtgraph/shapes#")
    root = BNode()
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, Literal(report.conforms, datatype=XSD.boolean)))
    for f in report.findings:
        r = BNode()
        g.add((root, SH.result, r))
        g.add((r, RDF.type, SH.ValidationResult))
        g.add((r, SH.focusNode, f.focus))
        if f.path is not None:
            g.add((r, SH.resultPath, f.path))
        if f.value is not None:
            g.add((r, SH.value, f.value))
        g.add((r, SH.resultSeverity, f.severity))
        g.add((r, SH.sourceShape, f.shape))
        g.add((r, SH.sourceConstraintComponent, f.component))
        for lang, message in f.messages:
            g.add((r, SH.resultMessage, Literal(message, lang=lang or None)))
    return g


def turtle(report: Report) -> str:
    return report_graph(report).serialize(format="turtle")


def render(report: Report, fmt: str = "text", lang: str = "de") -> str:
    if fmt == "json":
        return json_text(report, lang)
    if fmt == "turtle":
        return turtle(report)
    return text(report, lang)


def by_shape(report: Report, groups: list[tuple[URIRef, list[Finding]]], lang: str = "de") -> list[dict[str, Any]]:
    """Findings per rule: its field, message and severity, how often, and which records."""
    out = []
    for shape, findings in groups:
        findings = distinct(findings)
        first = findings[0]
        records: dict[str, str] = {}
        for f in findings:
            for r in report.owners.get(f, []):
                records.setdefault(str(r.iri), record_title(report, r, lang))
        out.append({"rule": str(shape), "field": field_name(report, first, lang), "message": first.message(lang),
                    "severity": severity_word(first, lang), "violation": first.is_violation,
                    "count": len(findings), "records": [{"iri": k, "label": v} for k, v in records.items()]})
    return out


def describe_refusal(refusal: Refusal, lang: str = "de") -> str:
    """One readable line per violation of a refused record: source file, wiki page, revision, field, value,
    message."""
    return "\n".join(finding_line(refusal.report, f, refusal.record, lang)
                     for f in distinct(refusal.findings) if f.is_violation)
