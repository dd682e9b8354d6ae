"""The pages' own words in German (first) and English; ``?lang=en`` switches, a cookie remembers it and
every link of an English page carries it, so a shared address keeps its language.

Data keeps its own languages: labels are picked per language by :mod:`graph.labels`.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, request

LANGS = ("de", "en")
COOKIE = "lang"

TEXT: dict[str, tuple[str, str]] = {
    "site.subtitle": ("Wissensgraph der Stadtentwicklungsplanung (iSTEP)", "Urban development planning knowledge graph (iSTEP)"),
    "nav.home": ("Start", "Home"),
    "nav.synergies": ("Synergien", "Synergies"),
    "nav.catalog": ("Katalog", "Catalog"),
    "nav.ontology": ("Ontologie", "Ontology"),
    "nav.dumps": ("Downloads", "Downloads"),
    "nav.quality": ("Datenqualität", "Data quality"),
    "nav.validate": ("Prüfen", "Validate"),
    "nav.other_lang": ("English", "Deutsch"),
    "nav.skip": ("Zum Inhalt springen", "Skip to content"),
    "nav.menu": ("Menü", "Menu"),
    "nav.main": ("Hauptnavigation", "Main navigation"),
    "nav.crumbs": ("Sie sind hier", "You are here"),
    "nav.lists": ("Verzeichnis", "Directory"),
    "legal.imprint": ("Impressum", "Imprint"),
    "legal.privacy": ("Datenschutz", "Privacy"),
    "legal.accessibility": ("Barrierefreiheit", "Accessibility"),
    "legal.missing": ("Adresse nicht eingerichtet", "address not configured"),
    "data.publisher": ("Daten: Stadt Oberhausen", "Data: City of Oberhausen"),
    "data.licence": ("Lizenz: Datenlizenz Deutschland – Namensnennung – 2.0",
                     "Licence: Data licence Germany – attribution – 2.0"),
    "data.contact": ("Kontakt: Stadtentwicklung", "Contact: urban development"),
    "data.modified": ("Datenstand", "Data as of"),
    "res.summary": ("Zusammenfassung", "Summary"),
    "res.entries": ("Einträge", "entries"),
    "res.inverse_intro": ("Diese Einträge verweisen auf diese Seite:", "These entries link to this page:"),
    "res.links_with": ("verweist mit", "links with"),
    "list.title": ("Verzeichnis", "Directory"),
    "list.intro": ("Alle Arten von Einträgen des Graphen, jede als Liste zum Sortieren, Filtern und Herunterladen.",
                   "Every kind of record in the graph, each as a list to sort, filter and download."),
    "list.count": ("Einträge", "entries"),
    "list.filter": ("Filtern", "Filter"),
    "list.filter_button": ("Filtern", "Apply"),
    "list.name": ("Name", "Name"),
    "list.shown": ("%d von %d Einträgen", "%d of %d entries"),
    "list.csv": ("Als CSV herunterladen", "Download as CSV"),
    "list.sort_by": ("sortieren nach", "sort by"),
    "list.tree": ("Aufbau der Stadtverwaltung", "Structure of the administration"),
    "list.table": ("Als Tabelle", "As a table"),
    "list.timeline": ("Zeitleiste der Ratsbeschlüsse", "Timeline of council decisions"),
    "list.no_date": ("Ohne erfasstes Datum", "No recorded date"),
    "list.concepts": ("Konzepte", "concepts"),
    "list.none": ("Keine Einträge für diesen Filter.", "No entries for this filter."),
    "notfound.title": ("Seite nicht gefunden", "Page not found"),
    "notfound.search": ("Vielleicht hilft die Suche:", "Perhaps the search helps:"),
    "notfound.lists": ("Oder ein Verzeichnis:", "Or a directory:"),
    "home.title": ("Wissensgraph der Stadtentwicklungsplanung Oberhausen", "Knowledge graph of Oberhausen's urban development planning"),
    "home.intro": ("Konzepte, Themenfelder, Leitziele, Zuständigkeiten, Räume und Ratsbeschlüsse des integrierten "
                   "Stadtentwicklungsprozesses (iSTEP) als Linked Data. Jede Adresse liefert eine Seite für Menschen "
                   "und RDF für Maschinen.",
                   "Planning concepts, thematic fields, guiding goals, responsibilities, places and council resolutions "
                   "of the integrated urban development process (iSTEP) as linked data. Every address answers with a "
                   "page for people and RDF for machines."),
    "home.search": ("Suche nach Titel", "Search by title"),
    "home.search_button": ("Suchen", "Search"),
    "home.themenfelder": ("Themenfelder", "Thematic fields"),
    "home.sozialraeume": ("Sozialräume", "Social areas"),
    "home.units": ("Organisationseinheiten", "Organisational units"),
    "home.concepts": ("Konzepte", "Planning concepts"),
    "home.concepts_count": ("Konzepte", "concepts"),
    "home.quartiere_count": ("Sozialquartiere", "social quarters"),
    "home.counts": ("Inhalt in Zahlen", "Contents in numbers"),
    "home.class": ("Klasse", "Class"),
    "home.number": ("Anzahl", "Number"),
    "home.triples": ("Tripel in", "triples in"),
    "home.graphs": ("benannten Graphen", "named graphs"),
    "home.last_build": ("Letzter Aufbau", "Last build"),
    "home.access": ("Zugänge für Maschinen", "Access for machines"),
    "home.endpoint": ("SPARQL-Endpunkt", "SPARQL endpoint"),
    "home.catalog": ("DCAT-AP.de-Katalog", "DCAT-AP.de catalog"),
    "home.void": ("VoID-Beschreibung", "VoID description"),
    "home.dumps": ("Gesamtabzüge (Dumps)", "Dumps"),
    "home.ontology": ("Ontologie", "Ontology"),
    "home.shapes": ("Prüfregeln (SHACL)", "Validation shapes (SHACL)"),
    "home.synergies": ("Synergien als Netz", "Synergies as a network"),
    "home.empty": ("Noch keine Einträge.", "No entries yet."),
    "search.title": ("Suche", "Search"),
    "search.results": ("Treffer für", "Results for"),
    "search.none": ("Keine Treffer.", "No results."),
    "search.kind": ("Art", "Kind"),
    "search.label": ("Suche in allen Einträgen", "Search all records"),
    "search.help": ("Alle Wörter müssen vorkommen; \"…\" für Wortgruppen, -Wort schließt aus, ODER verbindet.",
                    "All words must occur; \"…\" for phrases, -word excludes, OR joins."),
    "search.facets": ("Eingrenzen", "Narrow down"),
    "search.facet.art": ("Art", "Kind"),
    "search.facet.themenfeld": ("Themenfeld", "Thematic field"),
    "search.facet.sozialraum": ("Sozialraum", "Social area"),
    "search.facet.jahr": ("Jahr", "Year"),
    "search.facet.einheit": ("Zuständige Einheit", "Responsible unit"),
    "search.did_you_mean": ("Meinten Sie", "Did you mean"),
    "search.none_for": ("Keine Treffer für", "No results for"),
    "search.showing": ("Gezeigt werden die Treffer für", "Showing the results for"),
    "search.pages": ("Seiten", "Pages"),
    "search.prev": ("zurück", "previous"),
    "search.next": ("weiter", "next"),
    "res.iri": ("Adresse (IRI)", "Address (IRI)"),
    "res.as": ("Als", "As"),
    "res.overview": ("Auf einen Blick", "At a glance"),
    "res.properties": ("Alle Angaben", "All statements"),
    "res.property": ("Eigenschaft", "Property"),
    "res.value": ("Wert", "Value"),
    "res.inverse": ("Verweise auf diese Ressource", "Links to this resource"),
    "res.inverse_cut": ("Nur die ersten Verweise sind gezeigt; alle liefert der SPARQL-Endpunkt.",
                        "Only the first links are shown; the SPARQL endpoint gives all of them."),
    "res.provenance": ("Herkunft", "Provenance"),
    "res.inferred": ("abgeleitet", "inferred"),
    "res.inferred_help": ("Von der Synergie-Inferenz abgeleitet, nicht in einer Quelle ausgesagt",
                          "Derived by the synergy inference, not stated in a source"),
    "res.graph_size": ("Dieser benannte Graph enthält", "This named graph holds"),
    "res.triples": ("Tripel", "triples"),
    "res.confidence_low": ("Diese Angaben sind vom Rechercheteam erschlossen und in keiner Quelle belegt; "
                           "mit Vorsicht verwenden.",
                           "These statements were derived by the research team and are not stated in a source; "
                           "use with care."),
    "concept.themenfelder": ("Themenfelder", "Thematic fields"),
    "concept.leitziele": ("Leitziele", "Guiding goals"),
    "concept.places": ("Räumlicher Geltungsbereich", "Spatial scope"),
    "concept.touches": ("Betroffene Räume", "Places touched"),
    "concept.places_count": ("Räume", "places"),
    "concept.more": ("und %d weitere", "and %d more"),
    "concept.unit": ("Zuständigkeit", "Responsible unit"),
    "concept.year": ("Jahr der Veröffentlichung", "Year of publication"),
    "concept.vorlagen": ("Ratsbeschlüsse", "Council resolutions"),
    "concept.drucksache": ("Drucksache", "Paper"),
    "concept.title": ("Titel", "Title"),
    "concept.date": ("Datum", "Date"),
    "concept.links": ("Ratsinformationssystem", "Council information system"),
    "concept.no_vorlagen": ("Kein Ratsbeschluss erfasst.", "No council resolution recorded."),
    "concept.synergies": ("Synergien", "Synergies"),
    "concept.explicit": ("Ausdrücklich genannte Synergien", "Explicitly stated synergies"),
    "concept.derived": ("Abgeleitete Synergien", "Derived synergies"),
    "concept.no_synergies": ("Keine Synergien erfasst.", "No synergies recorded."),
    "concept.with": ("mit", "with"),
    "concept.rule": ("Regel", "Rule"),
    "concept.shared": ("Gemeinsam", "Shared"),
    "concept.strength": ("Stärke", "Strength"),
    "concept.derived_help": ("Vom Graphen errechnet, nicht im Wiki genannt: Die Konzepte teilen ein Themenfeld, ein "
                             "Leitziel oder einen Raum. Das sagt, was sie gemeinsam haben, nicht, dass sie "
                             "zusammenarbeiten.",
                             "Computed by the graph, not stated in the wiki: the concepts share a thematic field, a "
                             "guiding goal or a place. This says what they have in common, not that they work together."),
    "concept.derived_count": ("%d abgeleitete Synergien zeigen", "Show %d derived synergies"),
    "concept.overlap.themenfeld": ("%d von zusammen %d Themenfeldern gemeinsam", "%d of their %d thematic fields in common"),
    "concept.overlap.leitziel": ("%d von zusammen %d Leitzielen gemeinsam", "%d of their %d guiding goals in common"),
    "concept.overlap.raum": ("%d von zusammen %d Räumen gemeinsam", "%d of their %d places in common"),
    "concept.overlap.explizit": ("%d von %d", "%d of %d"),
    "concept.reason": ("Begründung", "Reason"),
    "concept.statement": ("Angabe im Wiki", "Statement in the wiki"),
    "concept.in_picture": ("Im Synergie-Netz zeigen", "Show in the synergy network"),
    "syn.title": ("Synergien zwischen Konzepten", "Synergies between planning concepts"),
    "syn.intro": ("Jeder Punkt ist ein Konzept (Farbe: sein erstes Themenfeld), jede Linie eine Synergie: "
                  "durchgezogen die im Wiki ausdrücklich genannten, gestrichelt die abgeleiteten; je stärker, "
                  "desto kräftiger. Ein Klick öffnet das Konzept.",
                  "Each dot is a concept (colour: its first thematic field), each line a synergy: solid for those "
                  "stated in the wiki, dashed for derived ones; the stronger, the bolder. A click opens the concept."),
    "syn.filter": ("Filtern", "Filter"),
    "syn.all": ("alle", "all"),
    "syn.rules": ("Arten", "Kinds"),
    "syn.rule.explizit": ("ausdrücklich genannt", "stated explicitly"),
    "syn.rule.leitziel": ("gemeinsames Leitziel", "shared guiding goal"),
    "syn.rule.themenfeld": ("gemeinsames Themenfeld", "shared thematic field"),
    "syn.rule.raum": ("gemeinsamer Raum", "shared place"),
    "syn.apply": ("Anzeigen", "Show"),
    "syn.list": ("Die Synergien als Liste", "The synergies as a list"),
    "syn.none": ("Keine Konzepte für diese Auswahl.", "No concepts for this selection."),
    "syn.no_edges": ("Keine Synergien für diese Auswahl.", "No synergies for this selection."),
    "syn.picture": ("Netz der Synergien", "Network of synergies"),
    "syn.phone": ("Auf schmalen Bildschirmen lässt sich das Bild seitlich verschieben; die Liste darunter sagt "
                  "dasselbe in Worten.", "On narrow screens the picture scrolls sideways; the list below says the "
                  "same in words."),
    "syn.what_shared": ("Was sie verbindet", "What connects them"),
    "syn.legend": ("Themenfelder", "Thematic fields"),
    "onto.title": ("Ontologie der Stadtentwicklungsplanung Oberhausen", "Ontology of Oberhausen's urban development planning"),
    "onto.classes": ("Klassen", "Classes"),
    "onto.properties": ("Eigenschaften", "Properties"),
    "onto.individuals": ("Benannte Individuen", "Named individuals"),
    "onto.version": ("Version", "Version"),
    "onto.namespace": ("Namensraum", "Namespace"),
    "onto.prefix": ("Präfix", "Prefix"),
    "onto.superclasses": ("Oberklassen", "Superclasses"),
    "onto.subclasses": ("Unterklassen", "Subclasses"),
    "onto.domain": ("Definitionsbereich", "Domain"),
    "onto.range": ("Wertebereich", "Range"),
    "onto.superproperties": ("Obereigenschaften", "Super-properties"),
    "onto.characteristics": ("Merkmale", "Characteristics"),
    "onto.axioms": ("Weitere Axiome", "Further axioms"),
    "onto.used_by": ("Verwendet von", "Used by"),
    "onto.contents": ("Inhalt", "Contents"),
    "shapes.title": ("Prüfregeln (SHACL)", "Validation shapes (SHACL)"),
    "shapes.target": ("Gilt für", "Applies to"),
    "shapes.path": ("Feld", "Field"),
    "shapes.constraints": ("Bedingungen", "Constraints"),
    "shapes.message": ("Meldung", "Message"),
    "shapes.severity": ("Schwere", "Severity"),
    "shapes.none": ("Noch keine Prüfregeln veröffentlicht.", "No shapes published yet."),
    "cat.title": ("Datenkatalog (DCAT-AP.de)", "Data catalog (DCAT-AP.de)"),
    "cat.page": ("Seite", "Page"),
    "cat.of": ("von", "of"),
    "cat.next": ("nächste Seite", "next page"),
    "cat.prev": ("vorige Seite", "previous page"),
    "cat.distributions": ("Distributionen", "Distributions"),
    "dumps.title": ("Gesamtabzüge (Dumps)", "Dumps"),
    "dumps.intro": ("Der ganze Graph als Datei, bei jedem Aufbau neu geschrieben. N-Quads behält die benannten "
                    "Graphen (jeder Datensatz, die abgeleiteten Tripel, die Herkunft); die anderen Formate "
                    "enthalten ihre Vereinigung.",
                    "The whole graph as a file, written anew by every build. N-Quads keeps the named graphs "
                    "(each record, the inferred triples, the provenance); the other formats hold their union."),
    "dumps.file": ("Datei", "File"),
    "dumps.format": ("Format", "Format"),
    "dumps.size": ("Größe", "Size"),
    "dumps.modified": ("Stand", "As of"),
    "void.title": ("VoID-Beschreibung des Datensatzes", "VoID description of the dataset"),
    "void.dataset": ("Datensatz", "Dataset"),
    "void.entities": ("Entitäten", "Entities"),
    "void.uri_space": ("URI-Raum", "URI space"),
    "void.linksets": ("Verknüpfungen zu anderen Datensätzen (Linksets)", "Links to other datasets (linksets)"),
    "onto.license": ("Lizenz", "Licence"),
    "onto.inverse": ("Umkehrung", "Inverse"),
    "cat.datasets": ("Datensätze", "datasets"),
    # The parameter forms of the curated queries on /sparql (filled in by static/sparql.js).
    "sparql.missing": ("Bitte „{label}“ angeben – ohne diesen Wert läuft die Anfrage nicht.",
                       "Please fill in “{label}” – the query does not run without it."),
    "sparql.not_a_number": ("„{label}“ muss eine ganze Zahl sein.", "“{label}” must be a whole number."),
    "sparql.running": ("Die Anfrage läuft …", "Running the query …"),
    "sparql.rows": ("{rows} Zeilen gefunden.", "{rows} rows found."),
    "sparql.failed": ("Die Anfrage ist fehlgeschlagen: {detail}", "The query failed: {detail}"),
}


def lang() -> str:
    """The reader's language: ``?lang=``, else the remembered choice, else German."""
    asked = request.args.get("lang", "")
    if asked in LANGS:
        return asked
    remembered = request.cookies.get(COOKIE, "")
    return remembered if remembered in LANGS else "de"


def t(key: str) -> str:
    texts = TEXT.get(key)
    if texts is None:
        return key
    return texts[LANGS.index(lang())]


def other_lang_url() -> str:
    """The current page in the other language (its other parameters kept)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = ["en" if lang() == "de" else "de"]
    return request.script_root + request.path + "?" + urlencode(args, doseq=True)


def with_lang(url: str) -> str:
    """A link of this service in the reader's language: English readers' links carry ``?lang=en``, so a
    shared address opens in the language it was read in (German, the default, needs nothing)."""
    if lang() == "de" or "lang=" in url:
        return url
    path, hash_, fragment = url.partition("#")
    return path + ("&" if "?" in path else "?") + "lang=en" + hash_ + fragment


def legal_links() -> list[tuple[str, str]]:
    """The footer's legal pages (Impressum, Datenschutz, Barrierefreiheit) from the settings."""
    from web.context import settings

    s = settings()
    return [("imprint", s.imprint_url), ("privacy", s.privacy_url), ("accessibility", s.accessibility_url)]


def list_url(path: str) -> str:
    from flask import url_for

    return with_lang(url_for("lists.list_" + path.replace("/", "_")))


def list_name(path: str) -> str:
    from graph.pages.lists import title

    return title(path, lang())


def init_app(app: Flask) -> None:
    """Template globals and the cookie that remembers an explicit ``?lang=``."""
    from graph.pages.summary import byte_size, long_date

    app.jinja_env.globals.update(t=t, other_lang_url=other_lang_url, lang_url=with_lang, legal_links=legal_links,
                                 list_url=list_url, list_name=list_name)
    app.jinja_env.filters["longdate"] = lambda v: long_date(v, lang())
    app.jinja_env.filters["bytes"] = lambda n: byte_size(int(n), lang())

    @app.context_processor
    def _language() -> dict:
        return {"lang": lang()}

    @app.after_request
    def _remember(response: Response) -> Response:
        asked = request.args.get("lang", "")
        if asked in LANGS and request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        if response.mimetype == "text/html":
            response.vary.add("Cookie")
        return response
