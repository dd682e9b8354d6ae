"""MediaWiki XML exports written (the format of Special:Export, https://www.mediawiki.org/xml/export-0.11.xsd):
the harvested pages as a snapshot for ``data/wiki/`` (``stadtgraph harvest wiki --snapshot DIR``), and the
shipped pages as a dump ``maintenance/importDump.php`` loads into a wiki (the tests' real MediaWiki).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

EXPORT_NS = "http://www.mediawiki.org/xml/export-0.11/"
NAMESPACES = {0: "", 10: "Vorlage", 14: "Kategorie", 6: "Datei"}


@dataclass(frozen=True)
class ExportPage:
    title: str
    text: str
    ns: int = 0
    revision: int | None = None
    timestamp: str | None = None  # ISO 8601 in UTC, e.g. 2026-12-07T12:00:00Z


def export_xml(pages: Iterable[ExportPage], sitename: str = "MediawikiOB", contributor: str | None = None) -> bytes:
    """The pages as one MediaWiki export, one revision each. No contributor by default (editors' names are
    personal data); ``contributor`` names one for all revisions (an import into a wiki needs a user).

    >>> b"<title>Wohnen</title>" in export_xml([ExportPage("Wohnen", "Text", revision=3)])
    True
    """
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<mediawiki xmlns="{EXPORT_NS}" version="0.11" xml:lang="de">',
           "  <siteinfo>", f"    <sitename>{escape(sitename)}</sitename>", "    <case>first-letter</case>",
           "    <namespaces>"]
    for key, name in NAMESPACES.items():
        out.append(f'      <namespace key="{key}" case="first-letter">{escape(name)}</namespace>' if name
                   else f'      <namespace key="{key}" case="first-letter" />')
    out += ["    </namespaces>", "  </siteinfo>"]
    for page in pages:
        out += ["  <page>", f"    <title>{escape(page.title)}</title>", f"    <ns>{page.ns}</ns>", "    <revision>"]
        if page.revision:
            out.append(f"      <id>{int(page.revision)}</id>")
        if page.timestamp:
            out.append(f"      <timestamp>{escape(page.timestamp)}</timestamp>")
        if contributor:
            out.append(f"      <contributor><username>{escape(contributor)}</username></contributor>")
        out += ["      <model>wikitext</model>", "      <format>text/x-wiki</format>",
                f'      <text xml:space="preserve">{escape(page.text)}</text>', "    </revision>", "  </page>"]
    out.append("</mediawiki>")
    return ("\n".join(out) + "\n").encode("utf-8")
