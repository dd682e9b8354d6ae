"""Where wiki pages come from: ``*.wiki`` files (one page each, described in the page index ``seiten.yaml``)
and MediaWiki XML exports (Special:Export, read with defusedxml; the latest revision of each page counts).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

import yaml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from graph.errors import LoaderError, NestingTooDeep
from graph.iris import Iris
from graph.nesting import check_depth
from graph.records import LoadResult, SourceRef, source_name
from graph.sources.wiki.records import records_from_wikitext

INDEX_NAME = "seiten.yaml"
INDEX_FORMAT = "stadtgraph-wiki/1"
# namespace prefixes of pages that are no content pages (an export without <ns> elements still names them)
_OTHER_NAMESPACES = ("Konzept:", "Kategorie:", "Category:", "Datei:", "File:", "Vorlage:", "Template:",
                     "Benutzer:", "User:", "Hilfe:", "Help:", "MediaWiki:", "Spezial:", "Special:",
                     "Diskussion:", "Talk:", "Attribut:", "Property:", "Modul:", "Module:")


@dataclass(frozen=True)
class PageInfo:
    """What the index says about one page: its title, file, revision (oldid), sources and confidence."""

    title: str
    file: str | None = None
    revision: int | None = None
    urls: tuple[str, ...] = ()
    confidence: str | None = None


@dataclass
class PageIndex:
    directory: Path
    by_file: dict[str, PageInfo]
    by_title: dict[str, PageInfo]


def title_from_filename(path: Path) -> str:
    """``Endbericht_%22Themenjahr_Wohnen%22.wiki`` → ``Endbericht "Themenjahr Wohnen"``."""
    return _nfc(unquote(path.stem).replace("_", " ").strip())


def find_index(path: Path, root: Path) -> PageIndex | None:
    """The nearest ``seiten.yaml`` in the file's directory or above it, up to ``root``.

    :raises LoaderError: naming the index when it cannot be read.
    """
    here = path.resolve().parent
    stop = root.resolve()
    while True:
        candidate = here / INDEX_NAME
        if candidate.is_file():
            return read_index(candidate, root)
        if here == stop or here.parent == here or stop not in here.parents:
            return None
        here = here.parent


def read_index(index_path: Path, root: Path) -> PageIndex:
    rel = source_name(index_path, root)
    try:
        data = yaml.safe_load(index_path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LoaderError(f"Seitenverzeichnis nicht lesbar / page index unreadable: {exc}", source=rel) from exc
    if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT or not isinstance(data.get("seiten"), list):
        raise LoaderError(f"Seitenverzeichnis ohne „format: {INDEX_FORMAT}“ und Liste „seiten“ / page index "
                          "without format and list of pages", source=rel)
    by_file: dict[str, PageInfo] = {}
    by_title: dict[str, PageInfo] = {}
    for number, entry in enumerate(data["seiten"], start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("titel"), str) or not entry["titel"].strip():
            raise LoaderError(f"Eintrag {number} ohne Titel / entry {number} has no title", source=rel)
        revision = entry.get("revision")
        if revision is not None and (not isinstance(revision, int) or isinstance(revision, bool) or revision < 1):
            raise LoaderError(f"Eintrag {number} ({entry['titel']}): Revision muss eine positive ganze Zahl sein "
                              "/ revision must be a positive whole number", source=rel)
        urls = entry.get("quellen") or []
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            raise LoaderError(f"Eintrag {number} ({entry['titel']}): „quellen“ muss eine Liste von Adressen sein "
                              "/ sources must be a list of URLs", source=rel)
        info = PageInfo(title=_nfc(entry["titel"].strip()), file=entry.get("datei"), revision=revision,
                        urls=tuple(u.strip() for u in urls), confidence=entry.get("konfidenz"))
        if info.title in by_title:
            raise LoaderError(f"Seite „{info.title}“ steht zweimal im Verzeichnis / page listed twice", source=rel)
        by_title[info.title] = info
        if info.file:
            by_file[_nfc(Path(info.file).as_posix())] = info
    return PageIndex(index_path.parent.resolve(), by_file, by_title)


def read_wiki_file(path: Path, iris: Iris, root: Path) -> LoadResult:
    """One page from a ``*.wiki`` file, described by the index (or titled after the file name)."""
    rel = source_name(path, root)
    try:
        index = find_index(path, root)
    except LoaderError as exc:
        return LoadResult(errors=[exc])
    info = None
    if index is not None:
        key = _nfc(path.resolve().relative_to(index.directory).as_posix())
        info = index.by_file.get(key) or index.by_title.get(title_from_filename(path))
    title = info.title if info else title_from_filename(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return LoadResult(errors=[LoaderError(f"kein gültiges UTF-8 / invalid UTF-8 (Byte {exc.start})",
                                              source=rel, page=title)])
    source = SourceRef(file=rel, page=title, revision=info.revision if info else None,
                       urls=info.urls if info else (), kind="wiki")
    return records_from_wikitext(text.lstrip("\ufeff"), iris, title=title, revision=source.revision,
                                 source=source, confidence=info.confidence if info else None)


def read_export_file(path: Path, iris: Iris, root: Path) -> LoadResult:
    """Every content page of a Special:Export file, in its latest revision: the highest revision id if all
    revisions carry one, else the latest timestamp, else the last in the file (the export's own order)."""
    rel = source_name(path, root)
    data = path.read_bytes()
    try:
        check_depth(data.decode("utf-8", "replace"), "xml", what="MediaWiki-Export", source=rel)
        document = fromstring(data)
    except NestingTooDeep as exc:
        return LoadResult(errors=[exc])
    except (ParseError, DefusedXmlException) as exc:
        return LoadResult(errors=[LoaderError(f"kein lesbarer MediaWiki-Export / no readable MediaWiki export: "
                                              f"{exc}", source=rel)])
    if _local(document.tag) != "mediawiki":
        return LoadResult(errors=[LoaderError("Wurzelelement ist nicht <mediawiki> / root element is not "
                                              "<mediawiki>", source=rel)])
    try:
        index = find_index(path, root)
    except LoaderError as exc:
        return LoadResult(errors=[exc])
    result = LoadResult()
    for number, page in enumerate(_children(document, "page"), start=1):
        title = _nfc((_text(page, "title") or "").strip())
        if not title:
            result.errors.append(LoaderError(f"Seite {number} ohne Titel / page {number} has no title", source=rel))
            continue
        ns = _text(page, "ns")
        if (ns is not None and ns.strip() != "0") or title.startswith(_OTHER_NAMESPACES) \
                or _child(page, "redirect") is not None:
            continue  # categories, templates, SMW concepts, redirects: no records of their own
        revisions = _children(page, "revision")
        if not revisions:
            result.errors.append(LoaderError("Seite ohne Revision / page without revision", source=rel, page=title))
            continue
        latest, revision_id = _latest(revisions)
        text = _text(latest, "text")
        if text is None:
            result.errors.append(LoaderError("Revision ohne Text (gelöscht?) / revision without text (deleted?)",
                                             source=rel, page=title))
            continue
        info = index.by_title.get(title) if index else None
        source = SourceRef(file=rel, page=title, revision=revision_id, urls=info.urls if info else (),
                           kind="wiki-export")
        result.extend(records_from_wikitext(text, iris, title=title, revision=revision_id, source=source,
                                            confidence=info.confidence if info else None))
    return result


def _latest(revisions: list[Element]) -> tuple[Element, int | None]:
    ids = [_int(_text(r, "id")) for r in revisions]
    stamps = [(_text(r, "timestamp") or "").strip() for r in revisions]
    if all(i is not None for i in ids):
        position = max(range(len(revisions)), key=lambda k: ids[k])
    elif all(stamps):
        position = max(range(len(revisions)), key=lambda k: stamps[k])  # ISO 8601 in UTC sorts as text
    else:
        position = len(revisions) - 1
    return revisions[position], ids[position]


def _nfc(text: str) -> str:
    """File systems (macOS) may hand out decomposed umlauts; titles mint IRIs, so they are composed here."""
    return unicodedata.normalize("NFC", text)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [c for c in element if _local(c.tag) == name]


def _child(element: Element, name: str) -> Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: Element, name: str) -> str | None:
    child = _child(element, name)
    return None if child is None else (child.text or "")


def _int(value: str | None) -> int | None:
    try:
        return int(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ShippedPage:
    """One page of the shipped snapshot: its title and the wikitext of the revision the snapshot holds."""

    title: str
    text: str
    revision: int | None = None


def shipped_pages(wiki_dir: Path) -> list[ShippedPage]:
    """Every page the index ``seiten.yaml`` of ``wiki_dir`` lists, with its text (from its ``*.wiki`` file, or
    the latest revision in a MediaWiki export), in the index's order.

    :raises LoaderError: if the index or a page it lists cannot be read.
    """
    index = read_index(Path(wiki_dir) / INDEX_NAME, Path(wiki_dir))
    exports: dict[str, dict[str, tuple[str, int | None]]] = {}
    out: list[ShippedPage] = []
    for info in index.by_title.values():
        path = index.directory / (info.file or "")
        if not info.file or not path.is_file():
            raise LoaderError("Datei der Seite fehlt / page file missing", source=str(path), page=info.title)
        if path.suffix == ".xml":
            if info.file not in exports:
                exports[info.file] = {}
                for page in _children(fromstring(path.read_bytes()), "page"):
                    revisions = _children(page, "revision")
                    if revisions:
                        latest, rev = _latest(revisions)
                        exports[info.file][_nfc((_text(page, "title") or "").strip())] = (_text(latest, "text") or "", rev)
            text, rev = exports[info.file].get(info.title, ("", None))
            out.append(ShippedPage(info.title, text, rev or info.revision))
        else:
            out.append(ShippedPage(info.title, path.read_bytes().decode("utf-8").lstrip("\ufeff"), info.revision))
    return out
