"""What a record's page says first, for people: its kind, one sentence from its own data, the facts a
reader of that kind needs, where it sits (breadcrumbs); and "Alle Angaben" made readable (each property
once, no RDF internals, sources as labelled links, "abgeleitet" only where the inference added something).

Works on a :class:`graph.pages.describe.Description`; the one extra query is the unit tree's path.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from graph.labels import fetch_labels
from graph.namespaces import DCTERMS, FOAF, OB, ORG, PROV, RDF, SCHEMA, SKOS
from graph.pages.describe import Description, Property, Term
from graph.store import Store

# The kinds a page can be, most specific first, with the path of their list page.
KINDS: tuple[tuple[str, str], ...] = (
    ("Konzept", "konzept"), ("Vorlage", "vorlage"), ("Themenfeld", "themenfeld"), ("Leitziel", "leitziel"),
    ("Sozialquartier", "raum/sozialquartier"), ("Sozialraum", "raum/sozialraum"),
    ("Stadtbezirk", "raum/stadtbezirk"), ("Stadt", "raum/stadt"), ("Fachbereich", "organisation"),
    ("Bereich", "organisation"), ("Dezernat", "organisation"), ("Kommune", "organisation"),
    ("Organisationseinheit", "organisation"), ("Synergiebegruendung", "synergie"),
    ("Synergieangabe", "synergie"), ("Indikator", "indikator"), ("Glossarbegriff", "glossar"),
    ("Expertendialog", "expertendialog"),
)

WORDS: dict[str, tuple[str, str]] = {
    "themenfelder": ("Themenfelder", "Thematic fields"),
    "themenfeld": ("Themenfeld", "Thematic field"),
    "konzepte": ("Konzepte", "Planning concepts"),
    "leitziele": ("Leitziele", "Guiding goals"),
    "quartiere": ("Sozialquartiere", "Social quarters"),
    "sozialraeume": ("Sozialräume", "Social areas"),
    "liegt_in": ("Liegt in", "Lies in"),
    "betroffen": ("Konzepte, die diesen Raum betreffen", "Concepts concerning this place"),
    "geltung": ("Konzepte mit diesem Geltungsbereich", "Concepts with this scope"),
    "dialoge": ("Expert*innendialoge", "Expert dialogues"),
    "vorlagen": ("Ratsvorlagen zu diesen Konzepten", "Council papers on these concepts"),
    "einwohner": ("Einwohnerzahl", "Population"),
    "teil_von": ("Teil von", "Part of"),
    "einheiten": ("Untereinheiten", "Sub-units"),
    "zustaendig": ("Zuständig für", "Responsible for"),
    "leitung": ("Leitung", "Head"),
    "aufgabe": ("Aufgabe", "Purpose"),
    "anschrift": ("Anschrift", "Address"),
    "drucksache": ("Drucksache", "Paper number"),
    "datum": ("Datum des Beschlusses", "Date of decision"),
    "gremium": ("Gremium", "Committee"),
    "vorlagenart": ("Art der Vorlage", "Kind of paper"),
    "beschlussart": ("Art des Beschlusses (nach dem Titel)", "Kind of decision (from the title)"),
    "beschliesst": ("Beschließt die Konzepte", "Adopts the concepts"),
    "rats": ("Im Ratsinformationssystem", "In the council information system"),
    "no_rats": ("Das Wiki nennt keinen Link ins Ratsinformationssystem.",
                "The wiki gives no link to the council information system."),
    "hinweis": ("Hinweis", "Note"),
    "zwischen": ("Zwischen", "Between"),
    "gemeinsam": ("Gemeinsam", "Shared"),
    "regel": ("Art der Synergie", "Kind of synergy"),
    "index": ("Teil des Index", "Part of the index"),
    "verwandt": ("Verwandte Begriffe", "Related terms"),
    "ort": ("Ort", "Place"),
    "beginn": ("Beginn", "Start"),
    "veranstalter": ("Veranstalter", "Organiser"),
    "mitwirkend": ("Mitwirkende Stellen", "Participating offices"),
    "programm": ("Förderprogramm", "Funding programme"),
    "wiki": ("Im Wiki", "In the wiki"),
    "zielkonzept": ("Zielkonzept", "Target concept"),
    "aufstellung": ("Aufstellung (Auftrag, das Konzept zu erarbeiten)", "Preparation (mandate to draw up the concept)"),
    "fortschreibung": ("Fortschreibung", "Update"),
    "vergabe": ("Vergabe", "Commissioning"),
    "beschluss": ("Beschluss", "Adoption"),
}

MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def word(key: str, lang: str) -> str:
    return WORDS[key][0 if lang == "de" else 1]


def long_date(value: str | None, lang: str = "de") -> str:
    """``2016-05-09`` → "9. Mai 2016" (English: "9 May 2016"); a year or anything else stays as it is."""
    if not value:
        return ""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}).*)?", value)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return value
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    text = f"{day}. {MONTHS[month - 1]} {year}" if lang == "de" else f"{day} {MONTHS_EN[month - 1]} {year}"
    if m.group(4):
        text += f", {m.group(4)}:{m.group(5)} Uhr (UTC)" if lang == "de" else f", {m.group(4)}:{m.group(5)} UTC"
    return text


def byte_size(n: int, lang: str = "de") -> str:
    """A file size for people: ``795784`` → "795,8 kB" (English "795.8 kB"); decimal units, as file
    managers and portals show them."""
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= factor:
            text = f"{n / factor:.1f} {unit}"
            return text.replace(".", ",") if lang == "de" else text
    return f"{n} B"


def decision_kind(title: str | None) -> str:
    """The kind of a council decision as its title says it: preparing, updating, commissioning, adopting."""
    text = (title or "").lower()
    if "aufstellung" in text:
        return "aufstellung"
    if any(w in text for w in ("fortschreibung", "aktualisierung", "neufassung")):
        return "fortschreibung"
    if "vergabe" in text:
        return "vergabe"
    return "beschluss"


def source_label(url: str, lang: str = "de") -> str:
    """A readable name for a source address: a wiki page by its title and revision, else the site's host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    host = parts.netloc.lower().removeprefix("www.")
    if host == "istek.oberhausen.de":
        args = parse_qs(parts.query)
        title = (args.get("title") or [parts.path.rsplit("/", 1)[-1]])[0].replace("_", " ")
        rev = (args.get("oldid") or [""])[0]
        text = f"iSTEK-Wiki: {title}" if title else "iSTEK-Wiki"
        if rev:
            text += f" (Version {rev})" if lang == "de" else f" (revision {rev})"
        if parts.fragment:
            text += f" – {unquote(parts.fragment).replace('_', ' ')}"
        return text
    if host in ("allris.oberhausen.de", "ratsinfo.oberhausen.de"):
        number = re.search(r"VOLFDNR=(\d+)", parts.query)
        name = "ALLRIS" if host.startswith("allris") else "ratsinfo"
        return f"{name} (Vorlage {number.group(1)})" if number else name
    if not host:
        return url
    path = parts.path.strip("/")
    last = path.rsplit("/", 1)[-1] if path else ""
    last = re.sub(r"\.(html?|php|asp)$", "", last).replace("-", " ").replace("_", " ")
    return f"{host}: {last}" if last else host


@dataclass
class Fact:
    label: str
    values: list[Term] = field(default_factory=list)
    text: str | None = None  # a plain text instead of values


@dataclass
class Summary:
    kind: str  # local name of the ob: class, "" when none fits
    kind_label: str
    list_path: str | None  # the list page of its kind, below the base
    heading: str
    sentence: str | None
    facts: list[Fact]
    crumbs: list[tuple[str, str]]  # (IRI, name) of the places above it, outermost first
    links: list[tuple[str, str]] = field(default_factory=list)  # (URL, name): council system, wiki page
    no_links: str | None = None


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


def kind_of(d: Description) -> str:
    mine = {_local(t.iri) for t in d.types if t.iri and t.iri.startswith(str(OB))}
    return next((k for k, _ in KINDS if k in mine), "")


class _Facts:
    """Values of a description by predicate, out or in, each IRI once."""

    def __init__(self, d: Description) -> None:
        self.d = d
        self.inv = {p.iri: p.values for p in d.inverse}

    def out(self, *preds: str) -> list[Term]:
        return _unique(v for p in preds for v in self.d.values(str(p)))

    def inn(self, *preds: str) -> list[Term]:
        return _unique(v for p in preds for v in self.inv.get(str(p), []))

    def both(self, out: list[str], inn: list[str]) -> list[Term]:
        return _unique([*self.out(*out), *self.inn(*inn)])

    def text(self, *preds: str) -> str | None:
        values = self.out(*preds)
        return values[0].text if values else None


def _unique(values) -> list[Term]:
    seen: set[str] = set()
    out = []
    for v in values:
        key = v.iri or v.text
        if key in seen or (v.iri and "#abgeleitet-" in v.iri):
            continue
        seen.add(key)
        out.append(v)
    return sorted(out, key=lambda v: v.text.lower())


def _names(values: list[Term], limit: int = 3) -> str:
    names = [v.text for v in values[:limit]]
    return ", ".join(names) + (" …" if len(values) > limit else "")


def summarize(store: Store, d: Description, lang: str = "de") -> Summary:
    """The summary of one record page; records of no known kind get a plain one from their comment."""
    kind = kind_of(d)
    f = _Facts(d)
    de = lang == "de"
    kind_label = next((t.text for t in d.types if t.iri == str(OB) + kind), kind) if kind else ""
    list_path = dict(KINDS).get(kind)
    heading = d.label
    sentence = d.comment
    facts: list[Fact] = []
    links: list[tuple[str, str]] = []
    no_links = None
    crumbs: list[tuple[str, str]] = []

    def fact(key: str, values: list[Term] | None = None, text: str | None = None) -> None:
        if values or text:
            facts.append(Fact(word(key, lang), values or [], text))

    wiki = f.out(OB.wikiSeite, FOAF.page)
    if kind == "Konzept":
        sentence = f.text(DCTERMS.abstract) or d.comment
    elif kind == "Themenfeld":
        concepts = f.both([OB.themenfeldVon], [OB.themenfeld])
        goals = f.both([OB.hatLeitziel], [OB.gehoertZuThemenfeld])
        sentence = d.comment or (f"{d.label} ist ein Themenfeld des integrierten Stadtentwicklungsprozesses."
                                 if de else f"{d.label} is a thematic field of the urban development process.")
        sentence += (f" {len(concepts)} Konzepte und {len(goals)} Leitziele gehören dazu." if de
                     else f" {len(concepts)} concepts and {len(goals)} guiding goals belong to it.")
        fact("konzepte", concepts)
        fact("leitziele", goals)
    elif kind == "Leitziel":
        fields = f.both([OB.gehoertZuThemenfeld], [OB.hatLeitziel])
        sentence = f.text(SKOS.definition) or (
            (f"Leitziel im Themenfeld {_names(fields)}." if de else f"Guiding goal in the field {_names(fields)}.")
            if fields else None)
        fact("themenfeld", fields)
        fact("konzepte", f.inn(OB.leitziel))
    elif kind in ("Sozialquartier", "Sozialraum", "Stadtbezirk", "Stadt"):
        above = f.out(OB.liegtIn, SCHEMA.containedInPlace)
        inside = f.both([OB.umfasst], [OB.liegtIn, SCHEMA.containedInPlace])
        concerned = f.both([OB.betroffenVon], [OB.betrifftRaum])
        scoped = f.inn(OB.geltungsbereich)
        quartiers = [v for v in inside if v.iri and "/sozialquartier/" in v.iri]
        areas = [v for v in inside if v.iri and "/sozialraum/" in v.iri]
        crumbs = [(v.iri, v.text) for v in sorted(above, key=place_rank) if v.iri]
        nearest = sorted(above, key=place_rank, reverse=True)
        where = nearest[0].text + (f" ({nearest[1].text})" if len(nearest) > 1 and place_rank(nearest[1]) > 0
                                   else "") if nearest else ""
        k = kind_label or kind
        if de:
            sentence = f"{d.label} ist ein {k}" + (f" in {where}" if where else "")
            if areas:
                sentence += f" mit {len(areas)} Sozialräumen"
            if quartiers:
                sentence += f"{' und' if areas else ' mit'} {len(quartiers)} Sozialquartieren"
            sentence += f"; {len(concerned)} Konzepte betreffen ihn." if concerned else "."
        else:
            sentence = f"{d.label} is a {k}" + (f" in {where}" if where else "")
            if areas or quartiers:
                sentence += f" with {len(areas) or len(quartiers)} " + ("social areas" if areas else "social quarters")
            sentence += f"; {len(concerned)} concepts concern it." if concerned else "."
        fact("liegt_in", above)
        fact("sozialraeume", areas)
        fact("quartiere", quartiers)
        fact("einwohner", f.out(OB.einwohnerzahl))
        fact("geltung", scoped)
        fact("betroffen", [v for v in concerned if v.iri not in {s.iri for s in scoped}])
        fact("dialoge", f.inn(SCHEMA.location, DCTERMS.spatial))
    elif kind in ("Fachbereich", "Bereich", "Dezernat", "Kommune", "Organisationseinheit"):
        code = f.text(SKOS.notation)
        parents = f.out(ORG.subOrganizationOf)
        crumbs = unit_path(store, d.iri, lang)
        responsible = f.both([OB.istZustaendigFuer], [OB.zustaendigeEinheit])
        top = (crumbs[-1][1] if crumbs else None)
        if de:
            sentence = f"{d.label}" + (f" ({code})" if code else "") + f" ist ein {kind_label or kind}"
            sentence += f" der Stadtverwaltung Oberhausen, Teil von {top}" if top else " der Stadt Oberhausen"
            sentence += f"; zuständig für {len(responsible)} Konzepte." if responsible else "."
        else:
            sentence = f"{d.label}" + (f" ({code})" if code else "") + f" is a {kind_label or kind}"
            sentence += f" of Oberhausen's administration, part of {top}" if top else " of the City of Oberhausen"
            sentence += f"; responsible for {len(responsible)} concepts." if responsible else "."
        fact("teil_von", parents)
        fact("einheiten", f.inn(ORG.subOrganizationOf))
        fact("zustaendig", responsible)
        fact("leitung", f.out(OB.leitung))
        fact("aufgabe", f.out(ORG.purpose))
        fact("anschrift", f.out(SCHEMA.address))
        links += [(v.iri, source_label(v.iri, lang)) for v in f.out(FOAF.homepage) if v.iri]
    elif kind == "Vorlage":
        title = f.text(DCTERMS.title)
        number = f.text(OB.drucksache)
        date = f.text(DCTERMS.date)
        gremium = f.text(OB.gremium)
        paper = f.text(DCTERMS.type)
        heading = title or d.label
        adopts = f.both([OB.beschliesst], [OB.beschlossenDurch])
        if de:
            sentence = f"Ratsvorlage {number}" + (f" ({paper})" if paper else "")
            sentence += (f", am {long_date(date)} vom Gremium {gremium} beschlossen" if date and gremium else
                         f", beschlossen am {long_date(date)}" if date else "; das Datum des Beschlusses ist nicht erfasst")
            sentence += f"; sie beschließt {_names(adopts)}." if adopts else "."
        else:
            sentence = f"Council paper {number}" + (f" ({paper})" if paper else "")
            sentence += f", decided on {long_date(date, lang)}" if date else "; the date of decision is not recorded"
            sentence += (f" by {gremium}" if date and gremium else "")
            sentence += f"; it adopts {_names(adopts)}." if adopts else "."
        fact("drucksache", text=number)
        fact("datum", text=long_date(date, lang) or None)
        fact("gremium", text=gremium)
        fact("vorlagenart", text=paper)
        fact("beschlussart", text=word(decision_kind(title), lang))
        fact("beschliesst", adopts)
        fact("hinweis", text=_pick_lang(d, str(OB.hinweis), lang))
        links += [(v.iri, source_label(v.iri, lang)) for v in f.out(OB.ratsinfoSeite, OB.allrisSeite) if v.iri]
        if not links:
            no_links = word("no_rats", lang)
        wiki = []
    elif kind == "Synergiebegruendung":
        between = f.out(OB.zwischen)
        heading = " – ".join(v.text for v in between) or d.label
        sentence = ((d.comment or "") + (" Diese Synergie hat der Graph aus den Angaben der beiden Konzepte "
                    "abgeleitet; das Wiki nennt sie nicht." if de else " The graph derived this synergy from the "
                    "two concepts' statements; the wiki does not state it.")).strip()
        for v in [*between, *f.out(OB.regel), *f.out(OB.gemeinsam)]:
            v.inferred = False  # said once in the sentence instead of on every value
        fact("zwischen", between)
        fact("regel", f.out(OB.regel))
        fact("gemeinsam", f.out(OB.gemeinsam))
    elif kind == "Synergieangabe":
        fact("zielkonzept", f.out(OB.zielkonzept))
        fact("konzepte", f.inn(OB.synergieangabe))
    elif kind in ("Indikator", "Glossarbegriff"):
        sentence = f.text(SKOS.definition) or d.comment or (
            ("Indikator des Sozialberichts der Stadt Oberhausen." if de else
             "An indicator of the City of Oberhausen's social report.") if kind == "Indikator" else None)
        fact("index", f.out(OB.indexKomponente))
        fact("verwandt", f.both([SKOS.related], [SKOS.related]))
        fact("hinweis", text=_pick_lang(d, str(OB.hinweis), lang))
    elif kind == "Expertendialog":
        start = f.text(SCHEMA.startDate)
        place = f.out(SCHEMA.location, DCTERMS.spatial)
        organiser = f.out(SCHEMA.organizer)
        if de:
            sentence = f"{d.label}" + (f", am {long_date(start)}" if start else "")
            sentence += (f" in {_names(place)}" if place else "") + (f", veranstaltet von {_names(organiser)}."
                                                                     if organiser else ".")
        else:
            sentence = f"{d.label}" + (f", on {long_date(start, lang)}" if start else "")
            sentence += (f" in {_names(place)}" if place else "") + (f", organised by {_names(organiser)}."
                                                                     if organiser else ".")
        fact("ort", place)
        fact("beginn", text=long_date(start, lang) or None)
        fact("veranstalter", organiser)
        fact("mitwirkend", f.out(OB.mitwirkendeStelle))
        fact("programm", f.out(OB.programm))
        fact("hinweis", text=_pick_lang(d, str(OB.hinweis), lang))
    links += [(v.iri, word("wiki", lang)) for v in wiki[:1] if v.iri]
    return Summary(kind=kind, kind_label=kind_label, list_path=list_path, heading=heading, sentence=sentence,
                   facts=facts, crumbs=crumbs, links=links, no_links=no_links)


def _pick_lang(d: Description, pred: str, lang: str) -> str | None:
    values = d.values(pred)
    for want in (lang, None, "de"):
        for v in values:
            if v.lang == want:
                return v.text
    return values[0].text if values else None


def place_rank(v: Term) -> int:
    """Outer places first: the city, a Stadtbezirk, a Sozialraum, a Sozialquartier."""
    for n, part in enumerate(("/raum/stadt/", "/raum/stadtbezirk/", "/raum/sozialraum/", "/raum/sozialquartier/")):
        if v.iri and part in v.iri:
            return n
    return 9


_UNIT_PATH = """
SELECT ?self ?u ?code WHERE { ?self <http://www.w3.org/ns/org#subOrganizationOf>* ?u
  OPTIONAL { ?u <http://www.w3.org/2004/02/skos/core#notation> ?code } }"""


def unit_path(store: Store, iri: str, lang: str = "de") -> list[tuple[str, str]]:
    """The units above a unit, the outermost first (Dezernat, Bereich …), itself excluded."""
    from rdflib import URIRef

    rows = [(r["u"].value, r["code"].value if r["code"] else "") for r in
            store.query(_UNIT_PATH, substitutions={"self": URIRef(iri)})]
    above = {u: code for u, code in rows if u != iri}
    names = fetch_labels(store, set(above), lang)
    return [(u, names.get(u, u)) for u, code in sorted(above.items(), key=lambda x: (len(x[1] or "~"), x[1]))]


# ---- "Alle Angaben", readable ----------------------------------------------------------------------------

# Properties a person does not need on the page (still in the RDF): search helpers, icon files, the record's
# type (the kind is shown at the top), the record-graph back-link.
HIDDEN = {str(SKOS.hiddenLabel), str(OB.iconDatei), str(RDF.type), str(OB.konfidenz)}
INVERSE_HIDDEN = {str(RDF.subject), str(RDF.object), str(DCTERMS.subject), str(OB.gemeinsam), str(OB.zwischen)}
HIDDEN_PROVENANCE = {str(PROV.wasGeneratedBy), str(DCTERMS.source), str(DCTERMS.subject), str(RDF.type)}


def readable(d: Description, lang: str = "de") -> tuple[list[Property], list[Property]]:
    """Every property once (two properties of one name merge, inverse links already said in the other
    direction drop), reification helpers gone, external addresses named; "abgeleitet" stays only on values
    no source states in either direction. Returns (properties, inverse links not said otherwise)."""
    stated_in = {v.iri for p in d.inverse for v in p.values if v.iri and not v.inferred}
    merged: dict[str, Property] = {}
    for prop in d.properties:
        if prop.iri in HIDDEN:
            continue
        into = merged.setdefault(prop.label.lower(), Property(prop.iri, prop.label))
        for v in prop.values:
            v = _named(v, lang)
            if v.iri and v.iri in stated_in:
                v.inferred = False  # the inverse of a stated fact: not a guess
            if v.iri and "#abgeleitet-" in v.iri:
                continue
            if any((w.iri or w.text) == (v.iri or v.text) and w.lang == v.lang for w in into.values):
                continue
            into.values.append(v)
    props = [p for p in merged.values() if p.values]
    # A value the inference only repeats under another name (skos:notation = the Drucksache, foaf:page = the
    # wiki page) is said already: it goes.
    stated = {(v.iri or v.text) for p in props for v in p.values if not v.inferred}
    for p in props:
        p.values = [v for v in p.values if not (v.inferred and (v.iri or v.text) in stated)]
    props = [p for p in props if p.values]
    for p in props:
        p.inferred = all(v.inferred for v in p.values)
    said = {v.iri for p in props for v in p.values if v.iri}
    inverse = []
    for prop in d.inverse:
        values = [v for v in prop.values if v.iri and v.iri not in said and "#" not in v.iri[len(d.iri):]
                  and not v.iri.startswith(d.iri + "#")]
        if prop.iri in INVERSE_HIDDEN:
            continue  # reification statements, record-graph links, synergy nodes (the synergy list shows them)
        if values:
            inverse.append(Property(prop.iri, prop.label, values, all(v.inferred for v in values)))
    return props, inverse


def readable_provenance(d: Description, lang: str = "de") -> list[Property]:
    """Where the record came from, for people: the sources as named links and when it was read; build
    identifiers and file paths stay in the RDF."""
    out = []
    said = {(v.iri or v.text) for p in d.properties for v in p.values}
    for prop in d.provenance:
        if prop.iri in HIDDEN_PROVENANCE:
            continue
        values: list[Term] = []
        for v in prop.values:
            if (v.iri or v.text) in said and prop.iri == str(PROV.wasDerivedFrom):
                continue  # already among the record's own sources
            if v.datatype and v.datatype.endswith("#dateTime"):
                v = Term(long_date(v.text, lang), datatype=v.datatype)
            v = _named(v, lang)
            if all((w.iri or w.text) != (v.iri or v.text) for w in values):
                values.append(v)
        if values:
            out.append(Property(prop.iri, prop.label, values))
    return out


def _named(v: Term, lang: str) -> Term:
    if v.iri and v.text == v.iri and v.iri.startswith(("http://", "https://")):
        return Term(source_label(v.iri, lang), iri=v.iri, inferred=v.inferred)
    return v

