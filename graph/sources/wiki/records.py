"""Wiki pages as records: a concept page gives one ob:Konzept record, a Themenfeld page one ob:Themenfeld
record and one ob:Leitziel record per Leitziel (files and exports: graph.sources.wiki.pages; markup: graph.wiki_*).
"""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pyoxigraph
import rdflib
from mwparserfromhell.parser import ParserError
from rdflib import Literal, URIRef

from graph.errors import LoaderError, NestingTooDeep
from graph.iris import Iris, slugify
from graph.namespaces import DCTERMS, OB, PROV, RDF, RDFS, SKOS, XSD
from graph.nesting import check_depth
from graph.records import LoadResult, Record, SourceRef
from graph.sources import names
from graph.sources.wiki.konzept import ConceptPage, konzeption_template, parse_concept
from graph.sources.wiki.markup import Link, Note, PageError, drop_parser_functions, parse
from graph.sources.wiki.themenfeld import ThemenfeldPage, parse_themenfeld

WIKI_BASE = "https://istek.oberhausen.de/index.php"
CONFIDENCE = {"beobachtet": OB.Beobachtet, "sekundaer": OB.Sekundaer, "sekundär": OB.Sekundaer,
              "abgeleitet": OB.Abgeleitet, "observed": OB.Beobachtet, "secondary": OB.Sekundaer,
              "inferred": OB.Abgeleitet}
_SAFE_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def page_url(title: str, anchor: str | None = None, base: str = WIKI_BASE) -> str:
    """The wiki's address of a page, in its query form (spaces → ``_``, the rest percent-encoded).

    >>> page_url("Integriertes Handlungskonzept (IHK) Brückenschlag")
    'https://istek.oberhausen.de/index.php?title=Integriertes_Handlungskonzept_%28IHK%29_Br%C3%BCckenschlag'
    >>> page_url("Stadtstruktur & Stadtgestalt", "Erhalt der Polyzentralität")
    'https://istek.oberhausen.de/index.php?title=Stadtstruktur_%26_Stadtgestalt#Erhalt_der_Polyzentralit%C3%A4t'
    """
    url = f"{base}?title={quote(title.strip().replace(' ', '_'), safe='')}"
    if anchor:
        url += "#" + quote(anchor.strip().replace(" ", "_"), safe="")
    return url


def records_from_wikitext(text: str, iris: Iris, *, title: str, revision: int | None = None,
                          source: SourceRef | None = None, confidence: str | None = None,
                          wiki_base: str = WIKI_BASE) -> LoadResult:
    """The records of one wiki page (the text of one revision). A page that cannot be read gives a
    :class:`LoaderError` naming the source and the page, instead of records. ``wiki_base`` is the wiki's
    ``index.php`` the record's ``ob:wikiSeite`` points into (the city's wiki unless harvested elsewhere).

    >>> result = records_from_wikitext("{{Konzeption|Art=Konzept|Jahr der Veröffentlichung=2021}}",
    ...                                Iris("https://example.org/"), title="Testkonzept")
    >>> [str(r.iri) for r in result.records], result.errors
    (['https://example.org/konzept/testkonzept'], [])
    """
    source = source or SourceRef(file="<eingabe>", page=title, revision=revision, kind="wiki")
    try:
        # Templates in templates: bounded before mwparserfromhell and the readers walk them.
        check_depth(text or "", "wiki", what="Wikitext", source=source.file, page=title)
        code = parse(drop_parser_functions(text or ""))
        if not (text or "").strip():
            raise PageError("Seite ist leer / page is empty")
        template = konzeption_template(code)
        if template is not None:
            page = parse_concept(code, template, title)
            return LoadResult(records=[_concept_record(page, iris, source, revision, confidence, wiki_base)])
        canonical = names.themenfeld_title(title)
        if canonical is not None:
            page_tf = parse_themenfeld(code, title, canonical)
            return LoadResult(records=_themenfeld_records(page_tf, iris, source, revision, confidence, wiki_base))
        raise PageError("keine Vorlage {{Konzeption}} gefunden, und der Titel ist kein Themenfeld / no "
                        "{{Konzeption}} template found, and the title is not a Themenfeld")
    except NestingTooDeep as exc:
        return LoadResult(errors=[exc])
    except PageError as exc:
        return LoadResult(errors=[LoaderError(str(exc), source=source.file, page=title, value=exc.value)])
    except ParserError as exc:  # mwparserfromhell gives up on the markup (its tokenizer's own failure)
        return LoadResult(errors=[LoaderError(f"Wikitext nicht lesbar / wikitext unreadable: {exc}",
                                              source=source.file, page=title)])


# ---- concept pages ------------------------------------------------------------------------------------
def _concept_record(page: ConceptPage, iris: Iris, source: SourceRef, revision: int | None,
                    confidence: str | None, wiki_base: str = WIKI_BASE) -> Record:
    s = iris.konzept(page.title)
    g = rdflib.Graph()
    notes = list(page.notes)
    g.add((s, RDF.type, OB.Konzept))
    g.add((s, DCTERMS.title, Literal(page.title, lang="de")))
    p = page.parameters
    if p.get("art"):
        g.add((s, OB.art, Literal(p["art"])))
    if p.get("geltungsbereich"):
        g.add((s, OB.geltungsbereichText, Literal(p["geltungsbereich"])))
        places = names.geltungsbereich(p["geltungsbereich"])
        for kind, name in places:
            g.add((s, OB.geltungsbereich, iris.raum(kind, name)))
        if not places:
            notes.append((f"Räumlicher Geltungsbereich „{p['geltungsbereich']}“ ist kein bekannter Raum",
                          f"spatial scope \"{p['geltungsbereich']}\" is no known place"))
    if p.get("zustaendigkeit"):
        g.add((s, OB.zustaendigkeitText, Literal(p["zustaendigkeit"])))
        unit = names.parse_unit(p["zustaendigkeit"])
        if unit:
            g.add((s, OB.zustaendigeEinheit, iris.einheit(*unit)))
        else:
            notes.append((f"Zuständigkeit „{p['zustaendigkeit']}“ nennt keine Organisationseinheit",
                          f"responsibility \"{p['zustaendigkeit']}\" names no organisational unit"))
    if p.get("jahr"):
        if re.fullmatch(r"\d{4}", p["jahr"]):
            g.add((s, OB.veroeffentlichungsjahr, Literal(p["jahr"], datatype=XSD.gYear)))
        else:
            notes.append((f"Jahr der Veröffentlichung „{p['jahr']}“ ist keine Jahreszahl",
                          f"year of publication \"{p['jahr']}\" is not a year"))
    if p.get("ansprechpartner"):
        g.add((s, OB.ansprechpartner, Literal(p["ansprechpartner"])))
    if p.get("handlungsfeld"):
        g.add((s, OB.uebergeordnetesHandlungsfeld, Literal(p["handlungsfeld"])))
    for key, prop in (("erstelldatum", OB.erstelldatum), ("aktualisierungsdatum", OB.aktualisierungsdatum)):
        if p.get(key):
            date = _date(p[key])
            if date:
                g.add((s, prop, Literal(date, datatype=XSD.date)))
            else:
                notes.append((f"Datum „{p[key]}“ ({key}) nicht lesbar", f"date \"{p[key]}\" ({key}) unreadable"))
    for title in page.themenfelder:
        g.add((s, OB.themenfeld, iris.themenfeld(title)))
    for ref in page.leitziele:
        g.add((s, OB.leitziel, iris.leitziel(ref.themenfeld, ref.title)))
    _unknown_references(g, s, page, iris)
    if page.intro:
        g.add((s, DCTERMS.description, Literal(page.intro, lang="de")))
    if page.kurzbeschreibung:
        g.add((s, DCTERMS.abstract, Literal(page.kurzbeschreibung, lang="de")))
    for item in page.analyse:
        g.add((s, OB.analyseschwerpunkt, Literal(item, lang="de")))
    for item in page.ziele:
        g.add((s, OB.ziel, Literal(item, lang="de")))
    _synergies(g, s, page, iris, notes)
    _decisions(g, s, page, iris)
    for link in page.links:
        _link(g, s, OB.weiterfuehrenderLink, link, notes)
    for category in page.categories:
        g.add((s, OB.wikiKategorie, Literal(category)))
    _wiki_provenance(g, s, page_url(page.title, base=wiki_base), source, revision, confidence, notes)
    return Record(s, iris.record_graph(s), g, source, label=page.title)


def _unknown_references(g: rdflib.Graph, s: URIRef, page: ConceptPage, iris: Iris) -> None:
    """A Themenfeld or Leitziel the page names but no synonym table knows: the triple a Turtle author would
    write, so the gate refuses both alike (a Themenfeld must be one of the iSTEP's), and the name as written,
    so the steward reads it in the finding instead of an IRI."""
    known = {iris.themenfeld(t) for t in names.THEMENFELDER}
    for name in page.unknown_themenfelder:
        target = iris.themenfeld(name)
        g.add((s, OB.themenfeld, target))
        if target not in known:
            g.add((target, RDFS.label, Literal(name, lang="de")))
    for ref in page.unknown_leitziele:
        target = iris.leitziel(ref.themenfeld, ref.title)
        g.add((s, OB.leitziel, target))
        g.add((target, RDFS.label, Literal(f"{ref.themenfeld}#{ref.title}", lang="de")))


def _synergies(g: rdflib.Graph, s: URIRef, page: ConceptPage, iris: Iris, notes: list[Note]) -> None:
    """An explicit synergy: ``ob:synergieMit`` the concept named (by title, as the wiki names no link) and
    an ``ob:Synergieangabe`` with the name as written, the year and the sentence."""
    for synergy in page.synergien:
        target = iris.konzept(synergy.name)
        statement = URIRef(f"{s}/synergie/{slugify(synergy.name)}")
        g.add((s, OB.synergieMit, target))
        g.add((s, OB.synergieangabe, statement))
        g.add((statement, RDF.type, OB.Synergieangabe))
        g.add((statement, OB.zielkonzept, target))
        g.add((statement, RDFS.label, Literal(synergy.name, lang="de")))
        if synergy.year:
            g.add((statement, OB.zielkonzeptJahr, Literal(synergy.year, datatype=XSD.gYear)))
        if synergy.text:
            g.add((statement, DCTERMS.description, Literal(synergy.text, lang="de")))
        if target == s:
            notes.append(("Synergie mit dem Konzept selbst (Rest einer kopierten Seite?)",
                          "synergy with the concept itself (left over from a copied page?)"))


def _decisions(g: rdflib.Graph, s: URIRef, page: ConceptPage, iris: Iris) -> None:
    """``ob:beschlossenDurch`` the Vorlage, and the citation as the page gives it, about the Vorlage IRI
    (Drucksache exactly as written, VOLFDNR, the ALLRIS or ratsinfo page, the title), so that validation
    can compare what the page says with the council's own data."""
    for cited in page.beschluesse:
        v = iris.vorlage(cited.drucksache)
        g.add((s, OB.beschlossenDurch, v))
        # no rdf:type here: that the Vorlage exists is the council data's word, which validation checks
        g.add((v, OB.drucksache, Literal(cited.drucksache)))
        if cited.volfdnr:
            g.add((v, OB.volfdnr, Literal(cited.volfdnr, datatype=XSD.integer)))
        target = _iri(cited.url or "")
        if target is not None:
            prop = {"allris": OB.allrisSeite, "ratsinfo": OB.ratsinfoSeite}.get(cited.system or "", RDFS.seeAlso)
            g.add((v, prop, target))
        if cited.title:  # what the page calls it; the council system is the authority for the title
            g.add((v, OB.zitiertAls, Literal(cited.title, lang="de")))


# ---- Themenfeld pages ---------------------------------------------------------------------------------
def _themenfeld_records(page: ThemenfeldPage, iris: Iris, source: SourceRef, revision: int | None,
                        confidence: str | None, wiki_base: str = WIKI_BASE) -> list[Record]:
    tf = iris.themenfeld(page.canonical)
    g = rdflib.Graph()
    notes = list(page.notes)
    g.add((tf, RDF.type, OB.Themenfeld))
    g.add((tf, RDF.type, SKOS.Concept))
    g.add((tf, SKOS.prefLabel, Literal(page.canonical, lang="de")))
    shown = {page.canonical}
    for alt in (page.title, page.display):
        if alt and alt not in shown:
            g.add((tf, SKOS.altLabel, Literal(alt, lang="de")))
            shown.add(alt)
    for hidden in names.THEMENFELDER.get(page.canonical, ()):  # spellings of icons and captions, for search
        if hidden not in shown:
            g.add((tf, SKOS.hiddenLabel, Literal(hidden, lang="de")))
            shown.add(hidden)
    scheme = iris.scheme("themenfelder")
    g.add((tf, SKOS.inScheme, scheme))
    g.add((tf, SKOS.topConceptOf, scheme))
    if page.icon:
        g.add((tf, OB.iconDatei, Literal(page.icon)))
    if page.lead:
        g.add((tf, DCTERMS.description, Literal(page.lead, lang="de")))
    if page.background:
        g.add((tf, SKOS.scopeNote, Literal(page.background, lang="de")))
    for link in page.links:
        _link(g, tf, RDFS.seeAlso, link, notes)
    _wiki_provenance(g, tf, page_url(page.title, base=wiki_base), source, revision, confidence, notes)
    records = [Record(tf, iris.record_graph(tf), g, source, label=page.canonical)]
    leitziele = iris.scheme("leitziele")
    for goal in page.leitziele:
        lz = iris.leitziel(page.canonical, goal.title)
        lg = rdflib.Graph()
        lg.add((lz, RDF.type, OB.Leitziel))
        lg.add((lz, RDF.type, SKOS.Concept))
        lg.add((lz, SKOS.prefLabel, Literal(goal.title, lang="de")))
        lg.add((lz, OB.gehoertZuThemenfeld, tf))
        lg.add((lz, SKOS.inScheme, leitziele))
        lg.add((lz, SKOS.topConceptOf, leitziele))
        if goal.definition:
            lg.add((lz, SKOS.definition, Literal(goal.definition, lang="de")))
        _wiki_provenance(lg, lz, page_url(page.title, goal.anchor, base=wiki_base), source, revision, confidence, [])
        records.append(Record(lz, iris.record_graph(lz), lg, source, label=goal.title))
    return records


# ---- shared -------------------------------------------------------------------------------------------
def _wiki_provenance(g: rdflib.Graph, s: URIRef, url: str, source: SourceRef, revision: int | None,
                     confidence: str | None, notes: list[Note]) -> None:
    g.add((s, OB.wikiSeite, URIRef(url)))
    revision = revision if revision is not None else source.revision
    if revision:
        g.add((s, OB.wikiRevision, Literal(int(revision), datatype=XSD.integer)))
    for src in source.urls:
        target = _iri(src)
        if target is not None:
            g.add((s, PROV.wasDerivedFrom, target))
    if confidence and confidence.casefold() in CONFIDENCE:
        g.add((s, OB.konfidenz, CONFIDENCE[confidence.casefold()]))
    for de, en in dict.fromkeys(notes):
        g.add((s, OB.hinweis, Literal(de, lang="de")))
        g.add((s, OB.hinweis, Literal(en, lang="en")))


def _link(g: rdflib.Graph, s: URIRef, prop: URIRef, link: Link, notes: list[Note]) -> None:
    url = page_url(link.wiki_page) if link.wiki_page else link.url or ""
    target = _iri(url)
    if target is None:
        notes.append((f"Link „{link.label}“ hat keine gültige http(s)-Adresse: {url}",
                      f"link \"{link.label}\" has no valid http(s) address: {url}"))
        return
    g.add((s, prop, target))
    g.add((target, RDFS.label, Literal(link.label, lang="de")))


def _iri(url: str) -> URIRef | None:
    """A URL a wiki author typed, as an IRI the store accepts, or None. Characters an IRI cannot hold are
    percent-encoded (a stray '%', a second '#'); whatever still fails the store's own IRI check is refused."""
    url = url.strip()
    if not _SAFE_URL.match(url):
        return None
    url = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", url)
    url = re.sub(r'[\s"<>{}|\\^`]', lambda m: quote(m.group(0)), url)
    head, hash_, fragment = url.partition("#")
    url = head + hash_ + fragment.replace("#", "%23")
    try:
        pyoxigraph.NamedNode(url)
    except ValueError:
        return None
    return URIRef(url)


def _date(value: str) -> str | None:
    """``YYYY/MM/DD`` (the legacy infobox), ``YYYY-MM-DD`` or ``DD.MM.YYYY`` as an ISO date."""
    for pattern, order in ((r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})", "ymd"), (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", "dmy")):
        m = re.fullmatch(pattern, value.strip())
        if m:
            parts = [int(x) for x in m.groups()]
            y, mo, d = parts if order == "ymd" else parts[::-1]
            try:
                return dt.date(y, mo, d).isoformat()
            except ValueError:
                return None
    return None
