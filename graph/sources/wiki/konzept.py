"""Reading a concept page of the iSTEP wiki: the ``{{Konzeption}}`` infobox in both template generations and
the fixed sections, with every quirk of ``domain/wikitext-structure.md`` §3 and §6 tolerated. No RDF here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from mwparserfromhell.nodes import Tag, Template, Text, Wikilink
from mwparserfromhell.wikicode import Wikicode

from graph.sources.names import DRUCKSACHE, themenfeld_title
from graph.sources.wiki.markup import (
    Link,
    Note,
    PageError,
    categories,
    icon_targets,
    lines,
    links,
    one_line,
    parse,
    plain,
    sections,
    unescape_anchor,
    without_tables,
)

# every section heading seen → one key
SECTIONS: dict[str, str] = {
    "themenfeld(er)": "themenfelder", "themenfelder": "themenfelder", "themenfeld": "themenfelder",
    "kurzbeschreibung": "kurzbeschreibung",
    "analyseschwerpunkte im konzept": "analyse", "analyseschwerpunkte": "analyse",
    "im konzept formulierte ziele": "ziele", "ziele": "ziele",
    "synergien zu anderen konzepten": "synergien", "synergien": "synergien",
    "bezug zu leitzielen der stadtentwicklung": "leitziele",
    "leitziele aus dem istek": "leitziele",  # the 2023 predecessor of the section above
    "politische beschlusslage": "beschlusslage", "beschlusslage": "beschlusslage",
    "weiterführende links & downloads": "links", "weiterführende links und downloads": "links",
    "weiterführende links": "links", "links & downloads": "links",
}

# infobox parameters of both generations → one key
PARAMETERS: dict[str, str] = {
    "räumlicher geltungsbereich": "geltungsbereich",
    "art": "art",
    "zuständigkeit": "zustaendigkeit",
    "jahr der veröffentlichung": "jahr",
    # generation 1 (Nov 2023 – early 2024)
    "fachbereich": "fachbereich",
    "ansprechpartner": "ansprechpartner",
    "erstelldatum": "erstelldatum",
    "aktualisierungsdatum": "aktualisierungsdatum",
    "übergeordnetes handlungsfeld": "handlungsfeld",
}
LEGACY_PARAMETERS = frozenset({"fachbereich", "ansprechpartner", "erstelldatum", "aktualisierungsdatum",
                               "handlungsfeld"})

# "Vorlage - <number>" keeps the number as written, typos included, so that validation (not the parser)
# decides whether it is well-formed and can tell the steward which page has the malformed one.
_AS_WRITTEN = re.compile(r"Vorlage\s*-\s*([BAM]\s*/[^\s\]\[\"„“()]+)")
_VOLFDNR = re.compile(r"[?&]VOLFDNR=(\d+)", re.IGNORECASE)
_THEMENFELD_LABEL = re.compile(r"^\s*Themenfeld\s+(.+?)\s*:\s*(.*)$", re.DOTALL)
_YEAR_PAREN = re.compile(r"^\s*\((\d{4})\)\s*:?\s*(.*)$", re.DOTALL)
# words of an intro line ("Im Konzept werden folgende Ziele formuliert:") as opposed to a group label
_INTRO_WORDS = ("folgende", "im konzept", "analysiert", "beleuchtet", "formuliert", "werden", "wurden")


@dataclass
class Vorlagenangabe:
    """One line of the Beschlusslage: a council paper as the page cites it."""

    drucksache: str
    volfdnr: int | None = None
    url: str | None = None
    system: str | None = None  # "allris" | "ratsinfo" | None (unlinked line or another host)
    title: str | None = None
    line: str = ""


@dataclass
class Synergie:
    name: str
    year: str | None
    text: str


@dataclass(frozen=True)
class LeitzielRef:
    themenfeld: str  # canonical Themenfeld page title
    title: str  # the anchor (= the Leitziel's title) or the plain text of a cell


@dataclass
class ConceptPage:
    title: str
    parameters: dict[str, str] = field(default_factory=dict)  # canonical key → value as written (trimmed)
    generation: int = 2
    themenfelder: list[str] = field(default_factory=list)  # canonical Themenfeld titles
    themenfelder_from: str = ""  # link= | Zum Themenfeld | Leitziel-Abschnitt | Kategorien
    # names in the Themenfeld(er) section no synonym table knows, as written: the record points at them as
    # a Turtle author would (ob:themenfeld <…/themenfeld/slug>), so the gate judges both alike
    unknown_themenfelder: list[str] = field(default_factory=list)
    intro: str = ""  # free text above the infobox
    kurzbeschreibung: str = ""
    analyse: list[str] = field(default_factory=list)
    ziele: list[str] = field(default_factory=list)
    synergien: list[Synergie] = field(default_factory=list)
    leitziele: list[LeitzielRef] = field(default_factory=list)
    unknown_leitziele: list[LeitzielRef] = field(default_factory=list)  # [[Unknown page#Goal|…]], page as written
    beschluesse: list[Vorlagenangabe] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def konzeption_template(code: Wikicode) -> Template | None:
    """The first ``{{Konzeption …}}`` anywhere at the top level of the page (not only on line 1)."""
    for tpl in code.filter_templates(recursive=False):
        name = re.sub(r"\s+", " ", str(tpl.name).replace("_", " ")).strip()
        name = re.sub(r"^(Vorlage|Template)\s*:\s*", "", name, flags=re.IGNORECASE)
        if name[:1].upper() + name[1:] == "Konzeption":
            return tpl
    return None


def parse_concept(code: Wikicode, template: Template, title: str) -> ConceptPage:
    """Read a concept page. :raises PageError: when a Beschlusslage line names no Drucksache."""
    page = ConceptPage(title=title)
    _infobox(template, page)
    body, unknown, lead = sections(code, SECTIONS)
    for heading in unknown:
        page.notes.append((f"Unbekannter Abschnitt „{heading}“ wurde nicht gelesen",
                           f"unknown section \"{heading}\" was not read"))
    page.intro = plain(lead.replace(str(template), "", 1))
    page.categories = categories(code)
    page.kurzbeschreibung = plain(body.get("kurzbeschreibung", ""))
    page.analyse = _items(body.get("analyse", ""), groups=False)
    page.ziele = _items(body.get("ziele", ""), groups=True)
    page.synergien = _synergien(body.get("synergien", ""), page.notes)
    page.leitziele, leitziel_fields, page.unknown_leitziele = _leitziele(body.get("leitziele", ""), page.notes)
    page.beschluesse = _beschlusslage(body.get("beschlusslage", ""))
    page.links = links(body.get("links", ""), page.notes)
    # Themenfelder: icons by link=, else the legacy "Zum Themenfeld" links, else the Themenfeld labels of
    # the Leitziel rows, else the categories. A name no synonym table knows is kept as written when the
    # Themenfeld section names it (the gate refuses it, as it refuses an unknown Themenfeld in Turtle); in
    # the fallbacks it is a note, as categories and row labels may name other things.
    table = parse(body.get("themenfelder", ""))
    legacy = [str(w.title).strip() for w in table.filter_wikilinks()
              if one_line(w.text or "").casefold() == "zum themenfeld"]
    for source, candidates in (("link=", icon_targets(table)), ("Zum Themenfeld", legacy),
                               ("Leitziel-Abschnitt", leitziel_fields), ("Kategorien", page.categories)):
        if candidates:
            explicit = source in ("link=", "Zum Themenfeld")
            page.themenfelder = _canonical(candidates, page.notes,
                                           unknown=page.unknown_themenfelder if explicit else None)
            page.themenfelder_from = source
            break
    if page.categories and page.themenfelder_from != "Kategorien":
        named = {themenfeld_title(c) for c in page.categories} - {None}
        if named and named != set(page.themenfelder):
            page.notes.append(("Kategorien und Themenfelder der Seite stimmen nicht überein",
                               "the page's categories and Themenfelder disagree"))
    return page


def _infobox(template: Template, page: ConceptPage) -> None:
    multiline = "\n" in str(template).strip()
    for param in template.params:
        value = one_line(param.value)
        if not param.showkey:
            if value:
                page.notes.append((f"Infobox-Wert ohne Namen ignoriert: „{value}“",
                                   f"unnamed infobox value ignored: \"{value}\""))
            continue
        raw_name = re.sub(r"\s+", " ", str(param.name)).strip()
        key = PARAMETERS.get(raw_name.casefold())
        if key is None:
            page.notes.append((f"Unbekannter Infobox-Parameter „{raw_name}“",
                               f"unknown infobox parameter \"{raw_name}\""))
        else:
            page.parameters[key] = value
    if multiline or LEGACY_PARAMETERS & set(page.parameters):
        page.generation = 1
    legacy_unit = page.parameters.pop("fachbereich", None)
    if legacy_unit is None:
        return
    if page.parameters.get("zustaendigkeit"):
        page.notes.append((f"Alter Parameter Fachbereich „{legacy_unit}“ neben Zuständigkeit ignoriert",
                           f"legacy parameter Fachbereich \"{legacy_unit}\" ignored next to Zuständigkeit"))
    else:
        page.parameters["zustaendigkeit"] = legacy_unit
        if legacy_unit:
            page.notes.append(("Zuständigkeit aus dem alten Infobox-Parameter „Fachbereich“ gelesen",
                               "responsibility read from the legacy infobox parameter \"Fachbereich\""))


def _items(section: str, *, groups: bool) -> list[str]:
    """Bullet items (``**`` nested as "parent – child") and prose lines as they are. In Ziele, a plain line
    ending in ':' is a group label that prefixes the items below it ("Gruppe: Ziel"); a label without items
    is an item itself. Intro lines ("… folgende …:") and, outside Ziele, other colon lines are dropped."""
    out: list[str] = []
    group: str | None = None
    group_used = True
    parents: dict[int, str] = {}
    for line in lines(without_tables(section)):
        depth = len(line) - len(line.lstrip("*#"))
        text = one_line(line[depth:])
        if not text:
            continue
        if depth:
            parents = {d: t for d, t in parents.items() if d < depth}
            item = " – ".join([parents[d] for d in sorted(parents)] + [text])
            parents[depth] = text
            out.append(f"{group}: {item}" if group else item)
            group_used = True
            continue
        subheading = line.startswith("=") and line.endswith("=")
        if text.endswith(":") or subheading:
            if not subheading and any(w in text.casefold() for w in _INTRO_WORDS):
                continue
            if groups or subheading:
                if group and not group_used:
                    out.append(group)
                group, group_used, parents = text.rstrip(":").strip(), False, {}
            continue
        out.append(text)
    if group and not group_used:
        out.append(group)
    return out


def _synergien(section: str, notes: list[Note]) -> list[Synergie]:
    """``*'''Name''' (Jahr): Satz``; the name may also be a wiki link. ``-`` and an empty section: none."""
    out: list[Synergie] = []
    for line in lines(section):
        code = parse(line.lstrip("*# ").strip())
        nodes = [n for n in code.nodes if not (isinstance(n, Text) and not str(n).strip())]
        first = nodes[0] if nodes else None
        if isinstance(first, Tag) and str(first.wiki_markup or "") in ("'''", "''"):
            name = one_line(first.contents)
        elif isinstance(first, Wikilink):
            name = one_line(str(first.title))
        else:
            notes.append((f"Synergie-Zeile ohne fett gesetzten Konzeptnamen nicht gelesen: „{one_line(line)}“",
                          f"synergy line without a bold concept name not read: \"{one_line(line)}\""))
            continue
        rest = one_line("".join(str(n) for n in nodes[1:]))
        m = _YEAR_PAREN.match(rest)
        year, sentence = (m.group(1), m.group(2)) if m else (None, rest.lstrip(":").strip())
        inner = re.match(r"^(.*?)\s*\((\d{4})\)$", name)
        if year is None and inner:  # the year inside the bold text
            name, year = inner.group(1), inner.group(2)
        if name:
            out.append(Synergie(name=name, year=year, text=sentence.strip()))
    return out


def _rows(section: str) -> list[tuple[list[Wikicode], bool]]:
    """Table rows as lists of cells; outside tables one single-cell row per line. The flag marks bullet
    lines, which belong to the ``Themenfeld X:`` label line above them."""
    code = parse(section)
    rows: list[tuple[list[Wikicode], bool]] = []
    loose: list[str] = []

    def flush_loose() -> None:
        for line in "".join(loose).splitlines():
            if line.strip():
                bullet = line.lstrip().startswith(("*", "#"))
                rows.append(([parse(line.strip().lstrip("*# "))], bullet))
        loose.clear()

    for node in code.nodes:
        if isinstance(node, Tag) and node.tag == "table":
            flush_loose()
            implicit: list[Wikicode] = []  # cells before the first |- form a row of their own
            for child in node.contents.nodes:
                if isinstance(child, Tag) and child.tag == "tr":
                    if implicit:
                        rows.append((implicit, False))
                        implicit = []
                    rows.append(([c.contents for c in child.contents.nodes
                                  if isinstance(c, Tag) and c.tag in ("td", "th")], False))
                elif isinstance(child, Tag) and child.tag in ("td", "th"):
                    implicit.append(child.contents)
            if implicit:
                rows.append((implicit, False))
        else:
            loose.append(str(node))
    flush_loose()
    return rows


def _leitziele(section: str, notes: list[Note]) -> tuple[list[LeitzielRef], list[str], list[LeitzielRef]]:
    """Leitziel references (``[[Themenfeld#Leitziel|…]]``, else plain text in a row's cells), the
    Themenfelder the rows name (``Themenfeld X:`` labels, row icons), and the links into a page that is no
    Themenfeld (kept as written, for the gate to refuse)."""
    refs: list[LeitzielRef] = []
    unknown: list[LeitzielRef] = []
    fields: list[str] = []
    carried: str | None = None
    for cells, bullet in _rows(section):
        row_field = carried if bullet else None
        for cell in cells:
            for target in icon_targets(cell):
                row_field = themenfeld_title(target) or row_field
            text = one_line(cell)
            label = _THEMENFELD_LABEL.match(text)
            rest = text
            if label:
                row_field = themenfeld_title(label.group(1))
                if row_field is None:
                    notes.append((f"Unbekanntes Themenfeld „{label.group(1)}“ im Leitziel-Abschnitt",
                                  f"unknown Themenfeld \"{label.group(1)}\" in the Leitziel section"))
                rest = label.group(2).strip()
            if row_field and row_field not in fields:
                fields.append(row_field)
            anchored = [w for w in cell.filter_wikilinks() if "#" in str(w.title)]
            for link in anchored:
                page_part, _, anchor = str(link.title).partition("#")
                themenfeld = themenfeld_title(page_part) if page_part.strip() else row_field
                anchor = unescape_anchor(anchor)
                if themenfeld and anchor:
                    refs.append(LeitzielRef(themenfeld, anchor))
                elif page_part.strip() and anchor:
                    unknown.append(LeitzielRef(page_part.strip(), anchor))
                else:
                    notes.append((f"Leitziel-Verweis ohne bekanntes Themenfeld: „{link}“",
                                  f"Leitziel link without a known Themenfeld: \"{link}\""))
            if not anchored and rest and row_field and (label or bullet or len(cells) > 1) \
                    and not rest.endswith(":"):
                refs.append(LeitzielRef(row_field, rest))
        if len(cells) == 1 and not bullet:
            carried = row_field
    return list(dict.fromkeys(refs)), fields, list(dict.fromkeys(unknown))


def _beschlusslage(section: str) -> list[Vorlagenangabe]:
    """One Vorlage per line: old bold ALLRIS form, new ratsinfo form, or an unlinked ``Vorlage - B/…``.

    :raises PageError: for a line that names no Drucksache.
    """
    out: list[Vorlagenangabe] = []
    for line in lines(section):
        code = parse(line)
        text = one_line(code)
        drucksache = url = system = None
        volfdnr = None
        for link in code.filter_external_links():
            found = DRUCKSACHE.search(one_line(link.title or ""))
            if found or _VOLFDNR.search(str(link.url)):
                url = str(link.url).strip()
                number = _VOLFDNR.search(url)
                volfdnr = int(number.group(1)) if number else None
                host = url.split("//", 1)[-1].split("/", 1)[0].lower()
                system = ("allris" if host.startswith("allris.")
                          else "ratsinfo" if host.startswith("ratsinfo.") else None)
                written = _AS_WRITTEN.search(one_line(link.title or ""))
                drucksache = written.group(1) if written else found.group(0) if found else None
                break
        if drucksache is None:
            written = _AS_WRITTEN.search(text)
            found = DRUCKSACHE.search(text)
            drucksache = written.group(1) if written else found.group(0) if found else None
        if drucksache is None:
            raise PageError(f"Beschlusslage-Zeile nennt keine Drucksache / Beschlusslage line names no "
                            f"Drucksache: „{line}“", value=line)
        title = None
        for tag in code.filter_tags():
            if str(tag.wiki_markup or "") == "''" and not tag.contents.filter_external_links():
                title = one_line(tag.contents)
                break
        if title is None:
            quoted = re.search(r"[\"„“]([^\"„“”]+)[\"“”]", text)
            title = quoted.group(1).strip() if quoted else None
        out.append(Vorlagenangabe(drucksache=re.sub(r"\s+", "", drucksache), volfdnr=volfdnr, url=url,
                                  system=system, title=title or None, line=line))
    return out


def _canonical(names: list[str], notes: list[Note], unknown: list[str] | None = None) -> list[str]:
    """The canonical titles of ``names``; an unknown name goes to ``unknown`` if given, else to the notes."""
    out: list[str] = []
    for name in names:
        canonical = themenfeld_title(name)
        if canonical is None and unknown is not None:
            if name not in unknown:
                unknown.append(name)
        elif canonical is None:
            notes.append((f"Unbekanntes Themenfeld „{name}“", f"unknown Themenfeld \"{name}\""))
        elif canonical not in out:
            out.append(canonical)
    return out
