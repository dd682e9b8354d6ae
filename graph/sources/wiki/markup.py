"""Small wikitext helpers shared by the concept-page and Themenfeld-page readers (mwparserfromhell based):
plain text of markup, sections by heading, lines and placeholders, links, categories, icon targets, anchors.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

import mwparserfromhell
from mwparserfromhell.nodes import Heading
from mwparserfromhell.wikicode import Wikicode

FILE_PREFIXES = ("datei:", "file:", "bild:", "image:")
CATEGORY_PREFIXES = ("category:", "kategorie:")
# what the wiki writes for "nothing here" (the Synergien and Links sections mostly say "-")
PLACEHOLDERS = frozenset({"-", "–", "—", "--", "keine", "keiner", "k. a.", "n. a."})

Note = tuple[str, str]  # a data-quality note for stewards: (German, English)


class PageError(ValueError):
    """A page (or a line of it) that cannot be read; the loader adds file and page to the message.
    ``value`` is the text as written that could not be read, when there is one (the steward's form marks it)."""

    def __init__(self, message: str, value: str | None = None) -> None:
        super().__init__(message)
        self.value = value


@dataclass
class Link:
    """A further link: an external URL, or (``url`` None) a page or file of the wiki itself."""

    url: str | None
    label: str
    wiki_page: str | None = None


def parse(text: str | Wikicode) -> Wikicode:
    return mwparserfromhell.parse(str(text))


def plain(code: Wikicode | str) -> str:
    """Readable text of wikitext: images and categories dropped, markup stripped, spaces collapsed per
    line, at most one empty line between paragraphs.

    >>> plain("'''[http://x.de/a Vorlage - B/16/1-01]''' (Allris): \\"''Titel''\\" [[Datei:a.png|mini]]")
    'Vorlage - B/16/1-01 (Allris): "Titel"'
    """
    code = parse(code)
    for link in code.filter_wikilinks():
        target = str(link.title).strip().lower()
        if target.startswith(FILE_PREFIXES + CATEGORY_PREFIXES):
            try:
                code.remove(link)
            except ValueError:  # gone already with an enclosing link
                pass
    text = code.strip_code(normalize=True, collapse=True, keep_template_params=False)
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def one_line(code: Wikicode | str) -> str:
    return re.sub(r"\s+", " ", plain(code)).strip()


def drop_parser_functions(text: str) -> str:
    """Remove ``{{#ask:…}}`` and other parser functions (brace-counted): the ``[[Kategorie:…]]`` inside an
    ``#ask`` is a query, not a category of the page."""
    out: list[str] = []
    i = 0
    while True:
        start = text.find("{{#", i)
        if start < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:start])
        depth, j = 0, start
        while j < len(text):
            if text.startswith("{{", j):
                depth, j = depth + 1, j + 2
            elif text.startswith("}}", j):
                depth, j = depth - 1, j + 2
                if depth == 0:
                    break
            else:
                j += 1
        i = j


def sections(code: Wikicode, aliases: dict[str, str] | None = None) -> tuple[dict[str, str], list[str], str]:
    """Split at headings of level 1 or 2 (level 3 and deeper stay inside their section).

    Returns the sections by key (the heading, trimmed, spaces collapsed, case-folded, then mapped through
    ``aliases`` when given), the headings ``aliases`` does not know, and the text before the first heading.
    """
    found: dict[str, str] = {}
    unknown: list[str] = []
    lead: list[str] = []
    key: str | None = ""
    for node in code.nodes:
        if isinstance(node, Heading) and node.level <= 2:
            heading = one_line(node.title)
            key = heading.casefold()
            if aliases is not None:
                key = aliases.get(key)
                if key is None:
                    unknown.append(heading)
            if key:
                found.setdefault(key, "")
        elif key == "":
            lead.append(str(node))
        elif key:
            found[key] += str(node)
    return found, unknown, "".join(lead)


def lines(section: str) -> list[str]:
    """The non-empty lines of a section, placeholders (``-``) dropped."""
    out = []
    for line in section.splitlines():
        line = line.strip()
        if line and line.casefold() not in PLACEHOLDERS:
            out.append(line)
    return out


def without_tables(section: str) -> str:
    code = parse(section)
    for table in [t for t in code.filter_tags(recursive=False) if t.tag == "table"]:
        code.remove(table)
    return str(code)


def icon_targets(code: Wikicode | str) -> list[str]:
    """The ``link=`` targets of the images in some wikitext (empty ``link=`` ignored)."""
    out = []
    for link in parse(code).filter_wikilinks():
        if str(link.title).strip().lower().startswith(FILE_PREFIXES) and link.text is not None:
            for option in str(link.text).split("|"):
                name, _, value = option.partition("=")
                if name.strip().lower() == "link" and value.strip():
                    out.append(value.strip())
    return out


def categories(code: Wikicode) -> list[str]:
    """``[[Category:X]]`` / ``[[Kategorie:X]]``; a leading ':' links to the category instead (skipped)."""
    out: list[str] = []
    for link in code.filter_wikilinks():
        target = str(link.title).strip()
        if target.lower().startswith(CATEGORY_PREFIXES):
            name = re.sub(r"\s+", " ", target.split(":", 1)[1].replace("_", " ")).strip()
            if name and name not in out:
                out.append(name)
    return out


def links(section: str, notes: list[Note]) -> list[Link]:
    """External links ``[url label]`` and wiki links (files, pages) of a links section, bare or as bullets.
    A line that names something without an address becomes a note."""
    out: list[Link] = []
    for line in lines(section):
        code = parse(line)
        found = False
        for link in code.filter_external_links():
            url = str(link.url).strip()
            out.append(Link(url=url, label=one_line(link.title or "") or url))
            found = True
        for link in code.filter_wikilinks():
            target = str(link.title).strip().lstrip(":")
            if target.lower().startswith(CATEGORY_PREFIXES):
                continue
            target = re.sub(r"^(Medium|Media):", "Datei:", target, flags=re.IGNORECASE)
            label = one_line(link.text or "") if not target.lower().startswith(FILE_PREFIXES) else ""
            out.append(Link(url=None, label=label or target.split(":", 1)[-1], wiki_page=target))
            found = True
        text = one_line(line.lstrip("*# "))
        if not found and text:
            notes.append((f"Weiterführender Link ohne Adresse: „{text}“",
                          f"further link without an address: \"{text}\""))
    return out


def unescape_anchor(anchor: str) -> str:
    """An anchor as its title: '_' for spaces, percent escapes and MediaWiki's old ``.C3.BC`` form undone.

    >>> unescape_anchor("Innen-_vor_Au.C3.9Fenentwicklung")
    'Innen- vor Außenentwicklung'
    """
    raw = anchor.strip()
    if "%" in raw:
        raw = unquote(raw)
    elif " " not in raw and re.search(r"\.[C-F][0-9A-F]\.[89AB][0-9A-F]", raw):
        candidate = unquote(re.sub(r"\.([0-9A-F]{2})", r"%\1", raw))
        if "\ufffd" not in candidate:
            raw = candidate
    return re.sub(r"\s+", " ", raw.replace("_", " ")).strip()
