"""Reading a Themenfeld page of the iSTEP wiki (``domain/wikitext-structure.md`` §4): icon, display name and
lead, background, the Leitziele in ``<div id="…">'''…'''</div>`` blocks, the links to spatial focuses.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from mwparserfromhell.nodes import Heading, Tag
from mwparserfromhell.wikicode import Wikicode

from graph.sources.wiki.markup import (
    FILE_PREFIXES,
    Link,
    Note,
    links,
    one_line,
    parse,
    plain,
    sections,
    unescape_anchor,
)


@dataclass
class LeitzielDef:
    title: str
    anchor: str
    definition: str = ""


@dataclass
class ThemenfeldPage:
    title: str  # the page title as given
    canonical: str  # the canonical Themenfeld page title (graph.sources.names)
    display: str = ""  # the italic name of the lead sentence
    icon: str = ""
    lead: str = ""
    background: str = ""
    leitziele: list[LeitzielDef] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def parse_themenfeld(code: Wikicode, title: str, canonical: str) -> ThemenfeldPage:
    """Read a Themenfeld page. The icon's alt text is ignored: it names the same Themenfeld on every page."""
    page = ThemenfeldPage(title=title, canonical=canonical)
    lead_nodes = []
    for node in code.nodes:
        if isinstance(node, Heading):
            break
        lead_nodes.append(node)
    lead = parse("".join(str(n) for n in lead_nodes))
    for link in lead.filter_wikilinks():
        if str(link.title).strip().lower().startswith(FILE_PREFIXES):
            page.icon = str(link.title).split(":", 1)[1].strip().replace("_", " ")
            break
    for tag in lead.filter_tags(recursive=False):
        if str(tag.wiki_markup or "") in ("''", "'''"):
            page.display = one_line(tag.contents)
            break
    page.lead = plain(lead)
    found, _unknown, _lead = sections(code)
    page.background = plain(found.get("hintergrund und ausgangslage", ""))
    page.leitziele = _leitziel_divs(found.get("leitziele", ""), page.notes)
    for key, content in found.items():
        if key.startswith("räumliche schwerpunkte"):
            page.links.extend(links(content, page.notes))
    return page


def _leitziel_divs(section: str, notes: list[Note]) -> list[LeitzielDef]:
    """A title div ``<div id="T">'T'</div>`` (bold) and the paragraph after it, up to the next ``<br />``
    or title div; a ``</div>`` misplaced after the paragraph is tolerated. Paragraphs without a title div
    are no Leitziele of their own (older revisions of several Themenfeld pages)."""
    out: list[LeitzielDef] = []
    texts: list[str] = []
    collecting = False

    def close() -> None:
        if out:
            out[-1].definition = plain("".join(texts))

    for node in parse(section).nodes:
        if isinstance(node, Tag) and node.tag == "div" and node.has("id"):
            close()
            anchor = unescape_anchor(str(node.get("id").value))
            contents = str(node.contents)
            bold = next((t for t in node.contents.filter_tags(recursive=False)
                         if str(t.wiki_markup or "") == "'''"), None)
            title = one_line(bold.contents) if bold is not None else anchor
            if bold is not None:
                contents = contents.replace(str(bold), "", 1)
            if title and title != anchor:
                notes.append((f"Anker „{anchor}“ und Titel „{title}“ eines Leitziels weichen ab",
                              f"anchor \"{anchor}\" and title \"{title}\" of a Leitziel differ"))
            if title or anchor:
                out.append(LeitzielDef(title=title or anchor, anchor=anchor))
            texts, collecting = [contents], True
        elif isinstance(node, Tag) and node.tag == "br":
            collecting = False  # the <br /> ends the Leitziel's paragraph
        elif out and collecting:
            texts.append(str(node))
    close()
    return out
