"""``/validate`` (check an upload against the graph, store nothing) and ``/datenqualitaet`` (the current
findings of the graph, per record and per shape). Thin views over :mod:`graph.gate.quality` and :mod:`graph.gate.reports`.
"""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from graph.errors import NotFound, StadtgraphError, UnsupportedMediaType
from graph.formats import best_media_type
from graph.gate import examples, quality, reports, unreadable
from graph.gate.validation import Validator
from graph.rdfparse import MEDIA_TYPES
from web import i18n
from web.context import settings, store
from web.security import large_body

bp = Blueprint("validation", __name__)

UPLOAD_TYPES: tuple[tuple[str, str], ...] = (
    ("text/turtle", "Turtle"),
    ("application/ld+json", "JSON-LD"),
    ("application/rdf+xml", "RDF/XML"),
    ("application/n-triples", "N-Triples"),
    (quality.WIKITEXT, "Wikitext (MediaWiki)"),
)
_EXTENSIONS = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".json": "application/ld+json",
               ".rdf": "application/rdf+xml", ".owl": "application/rdf+xml", ".xml": "application/rdf+xml",
               ".nt": "application/n-triples", ".wiki": quality.WIKITEXT, ".txt": quality.WIKITEXT}
ANSWERS = ("application/json", "text/turtle", "text/html")
_FORMAT_PARAM = {"json": "application/json", "turtle": "text/turtle", "ttl": "text/turtle", "html": "text/html"}

i18n.TEXT.update({
    "val.title": ("Datensatz prüfen", "Validate a record"),
    "val.intro": (("Einen Datensatz als RDF (Turtle, JSON-LD, RDF/XML, N-Triples) oder eine Wiki-Seite als Wikitext "
                   "gegen die Prüfregeln prüfen, im Zusammenhang mit dem Graphen, dem er beiträte. Gespeichert wird "
                   "nichts."),
                  ("Check a record as RDF (Turtle, JSON-LD, RDF/XML, N-Triples) or a wiki page as wikitext against the "
                   "shapes, in the context of the graph it would join. Nothing is stored.")),
    "val.content": ("Inhalt", "Content"),
    "val.file": ("oder Datei", "or file"),
    "val.format": ("Format", "Format"),
    "val.page_title": ("Seitentitel (nur für Wikitext)", "Page title (wikitext only)"),
    "val.submit": ("Prüfen", "Validate"),
    "val.result": ("Ergebnis", "Result"),
    "val.conforms": ("Keine Verletzungen: der Datensatz würde angenommen.", "No violations: the record would be accepted."),
    "val.violates": ("Verletzungen: der Datensatz würde abgewiesen.", "Violations: the record would be refused."),
    "val.violations": ("Verletzungen", "violations"),
    "val.warnings": ("Warnungen", "warnings"),
    "val.severity": ("Schwere", "Severity"),
    "val.field": ("Feld", "Field"),
    "val.node": ("an", "on"),
    "val.value": ("Wert", "Value"),
    "val.message": ("Meldung", "Message"),
    "val.hint": ("Hinweis", "How to fix"),
    "val.source": ("Quelle", "Source"),
    "val.page": ("Seite", "page"),
    "val.revision": ("Revision", "revision"),
    "val.other": ("Weitere Befunde", "Other findings"),
    "val.as": ("Bericht als", "Report as"),
    "val.example": ("Vorlage laden", "Load a template"),
    "val.example_intro": (("Mit einem gültigen Beispiel beginnen: es füllt das Formular und besteht die Prüfung."),
                          ("Start from a valid example: it fills the form and passes the check.")),
    "val.example_loaded": ("Vorlage geladen:", "Template loaded:"),
    "val.refused": ("Der Inhalt wurde nicht geprüft.", "The content was not checked."),
    "val.line": ("Zeile", "line"),
    "val.column": ("Spalte", "column"),
    "val.technical": ("Meldung des Parsers (technisch, englisch)", "The parser's message"),
    "val.wiki_page": ("Wiki-Seite", "wiki page"),
    "val.wiki_view": ("ansehen", "view"),
    "val.wiki_edit": ("bearbeiten", "edit"),
    "dq.title": ("Datenqualität", "Data quality"),
    "dq.intro": (("Die Befunde der Prüfregeln über den Graphen, wie er jetzt im Speicher steht: Verletzungen und "
                  "Warnungen je Datensatz und je Regel."),
                 ("The findings of the shapes over the graph as the store holds it now: violations and warnings per "
                  "record and per rule.")),
    "dq.none": ("Keine Befunde.", "No findings."),
    "dq.by_record": ("Je Datensatz", "Per record"),
    "dq.by_rule": ("Je Regel", "Per rule"),
    "dq.rule": ("Regel", "Rule"),
    "dq.count": ("Anzahl", "Count"),
    "dq.records": ("Datensätze", "Records"),
    "dq.check": ("Einen Datensatz vor dem Einspielen prüfen", "Check a record before loading it"),
    "dq.refused": ("Abgewiesene Wiki-Fassungen", "Refused wiki revisions"),
    "dq.refused_intro": (("Diese Fassungen von Wiki-Seiten hat die Ernte nicht übernommen, weil sie Regeln verletzen; "
                          "der Graph zeigt weiter die letzte gute Fassung."),
                         ("The harvest did not take these revisions of wiki pages because they violate rules; the "
                          "graph still shows the last good revision.")),
    "dq.diff": ("Änderung im Wiki", "change in the wiki"),
    "dq.refused_one": (("Eine neuere Fassung der Wiki-Seite wurde nicht übernommen; hier steht die letzte gute "
                        "Fassung."),
                       "A newer revision of the wiki page was not taken; this is the last good revision."),
    "dq.all": ("Alle Befunde auf der Seite Datenqualität", "All findings on the data-quality page"),
    "dq.conflicts": ("Wiki und Ratsinformationssystem nennen Vorlagen verschieden",
                     "Wiki and council system name papers differently"),
    "dq.conflicts_intro": (("Es gilt der Titel des Ratsinformationssystems; der Linktext bleibt als das, was die "
                            "Konzeptseite sagt (Warnung, keine Abweisung)."),
                           ("The council system's title wins; the link text stays as what the concept page says "
                            "(a warning, not a refusal).")),
    "dq.wiki_says": ("Wiki", "wiki"),
    "dq.council_says": ("Ratsinformationssystem", "council system"),
})


_validators: dict[int, Validator] = {}


def validator() -> Validator:
    """One validator per settings object: shapes and ontology parsed once per worker."""
    s = settings()
    if id(s) not in _validators:
        _validators[id(s)] = Validator(s)
    return _validators[id(s)]


def _answer_type() -> str:
    asked = request.args.get("format") or request.form.get("answer") or ""
    if asked.lower() in _FORMAT_PARAM:
        return _FORMAT_PARAM[asked.lower()]
    return best_media_type(request.accept_mimetypes, ANSWERS, default="application/json") or "application/json"


def _upload() -> tuple[bytes, str, str | None]:
    """Body, media type and page title, from a form (browser) or the raw request body (machines)."""
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        title = request.form.get("title") or None
        media_type = request.form.get("format", "")
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            body = upload.read()
            if not media_type:
                suffix = "." + upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
                media_type = _EXTENSIONS.get(suffix, upload.mimetype or "")
        else:
            body = request.form.get("content", "").encode("utf-8")
        return body, media_type or "text/turtle", title
    return request.get_data(cache=False), request.mimetype, request.args.get("title") or None


def _page(**kw) -> str:
    return render_template("validate.html", upload_types=UPLOAD_TYPES, examples=examples.EXAMPLES,
                           **{"report": None, "refusal": None, "loaded": None, "form": {}, **kw})


@bp.get("/validate")
def form() -> str:
    key = request.args.get("vorlage")
    if not key:
        return _page()
    chosen = examples.example(key)
    if chosen is None:
        raise NotFound(f"Keine Vorlage „{key}“ / no template \"{key}\"")
    return _page(loaded=chosen.name(i18n.lang()),
                 form={"format": chosen.media_type, "title": chosen.title, "content": chosen.text})


@bp.post("/validate")
@large_body
def validate() -> Response | tuple[str, int] | str:
    body, media_type, title = _upload()
    answer = _answer_type()
    lang = i18n.lang()
    try:
        if media_type != quality.WIKITEXT and media_type not in MEDIA_TYPES:
            accepted = ", ".join(t for t, _ in UPLOAD_TYPES)
            raise UnsupportedMediaType(
                f"Medientyp „{media_type or '(keiner)'}“ wird nicht geprüft; möglich: {accepted} / media type "
                f"\"{media_type or '(none)'}\" is not validated; accepted: {accepted}", value=media_type or None)
        report = quality.validate_upload(settings(), store(), body, media_type, title=title, validator=validator())
    except StadtgraphError as exc:
        if answer != "text/html" or exc.status >= 500:
            raise  # machines get the problem document from the one error handler
        # a person gets the form back, with the text as sent and the wrong line marked
        text = body.decode("utf-8", "replace")
        return _page(refusal=unreadable.describe(exc, text, lang),
                     form={"format": media_type, "title": title or "", "content": text}), exc.status
    if answer == "text/turtle":
        return Response(reports.turtle(report), mimetype="text/turtle")
    if answer == "text/html":
        shown = {"format": media_type, "title": title or "",
                 "content": body.decode("utf-8", "replace") if not request.files.get("file") else ""}
        doc = reports.as_json(report, lang)
        for group in doc["records"]:  # a new record has no page yet: link only those the graph holds
            group["linked"] = bool(group.get("graph")) and store().has_graph(group["graph"])
        return _page(report=doc, form=shown)
    response = Response(reports.json_text(report, lang), mimetype="application/json")
    response.vary.add("Accept")
    return response


@bp.get("/datenqualitaet")
def data_quality() -> Response | str:
    current = quality.validate_store(settings(), store(), validator=validator())
    lang = i18n.lang()
    doc = reports.as_json(current.report, lang)
    rules = reports.by_shape(current.report, current.by_shape, lang)
    if _answer_type() == "application/json" and request.args.get("format") == "json":
        return Response(reports.json_text(current.report, lang), mimetype="application/json")
    from graph.iris import Iris
    from graph.pipeline.council import title_conflicts
    from graph.pipeline.harvest import refusals

    return render_template("quality.html", report=doc, rules=rules, refused=refusals(store(), settings()),
                           conflicts=title_conflicts(store(), Iris(settings().base_iri)))
