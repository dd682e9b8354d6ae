"""A record's history for people and machines: Memento (RFC 7089) TimeGate choice and TimeMap, the
difference of two versions as German (or English) sentences with labels, and the Atom feed of changes.

The versions come from the version log (:mod:`graph.pipeline.versions`); nothing here knows HTTP.
Memento: https://www.rfc-editor.org/rfc/rfc7089 (§4.1 TimeGate, §5 TimeMap in ``application/link-format``,
RFC 6690). Atom: https://www.rfc-editor.org/rfc/rfc4287.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from xml.sax.saxutils import escape, quoteattr

import rdflib
from rdflib import BNode, Literal, URIRef

from graph.errors import BadRequest
from graph.labels import fetch_labels
from graph.pipeline.versions import Version
from graph.store import Store

LINK_FORMAT = "application/link-format"
ATOM = "application/atom+xml"


def parse_accept_datetime(value: str) -> datetime:
    """The datetime of an ``Accept-Datetime`` header: an RFC 1123 date in GMT (RFC 7089 §2.1.1).

    :raises BadRequest: for anything else (RFC 7089 §4.5.3: 400).

    >>> parse_accept_datetime("Thu, 31 May 2007 20:35:00 GMT").isoformat()
    '2007-05-31T20:35:00+00:00'
    """
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is None or not value.strip().endswith("GMT") or parsed.tzinfo is None:
        raise BadRequest(f"Accept-Datetime {value!r} ist kein HTTP-Datum (z. B. „Thu, 31 May 2007 20:35:00 GMT“) / "
                         "is not an HTTP date in GMT (RFC 7089 §2.1.1)")
    return parsed.astimezone(UTC)


def http_date(at: datetime) -> str:
    """An HTTP date (RFC 9110 §5.6.7), the form of ``Memento-Datetime``."""
    return format_datetime(at.astimezone(UTC).replace(microsecond=0), usegmt=True)


def choose(versions: Sequence[Version], wanted: datetime) -> Version:
    """The memento a TimeGate redirects to: the last version at or before ``wanted`` (to the second, the
    precision of HTTP dates); before the first one, the first (RFC 7089 §4.1.1 leaves the choice to the
    server; the closest is the first)."""
    chosen = versions[0]
    for version in versions:
        if version.at.replace(microsecond=0) <= wanted:
            chosen = version
        else:
            break
    return chosen


def timemap(original: str, timegate: str, self_url: str, mementos: Sequence[tuple[str, Version]]) -> str:
    """A TimeMap in link format (RFC 7089 §5.1): the original, its TimeGate, the map itself, every memento."""
    links = [f'<{original}>; rel="original"', f'<{timegate}>; rel="timegate"']
    own = f'<{self_url}>; rel="self"; type="{LINK_FORMAT}"'
    if mementos:
        own += f'; from="{http_date(mementos[0][1].at)}"; until="{http_date(mementos[-1][1].at)}"'
    links.append(own)
    for n, (url, version) in enumerate(mementos):
        rel = "memento"
        if n == 0:
            rel = "first memento"
        if n == len(mementos) - 1:
            rel = "last memento" if n else "first last memento"
        links.append(f'<{url}>; rel="{rel}"; datetime="{http_date(version.at)}"')
    return ",\n".join(links) + "\n"


# ---- the difference of two versions, in sentences ---------------------------------------------------------
@dataclass(frozen=True)
class Sentence:
    """One change, said in words; ``text`` is plain, the parts let a page emphasise the values."""

    text: str
    kind: str  # added, removed, changed


WORDS = {
    "de": {"added": "{p} {v} hinzugefügt", "removed": "{p} {v} entfernt", "changed": "{p} geändert von {a} zu {b}",
           "of": "{s}: ", "created": "Datensatz angelegt", "deleted": "Datensatz gelöscht", "same": "keine Änderung",
           "lang": {"en": "englisch", "de": "deutsch"}},
    "en": {"added": "{p} {v} added", "removed": "{p} {v} removed", "changed": "{p} changed from {a} to {b}",
           "of": "{s}: ", "created": "record created", "deleted": "record deleted", "same": "no change",
           "lang": {"en": "English", "de": "German"}},
}


def diff_sentences(store: Store, record: str, old: rdflib.Graph, new: rdflib.Graph, lang: str = "de",
                   *, old_deleted: bool = False, new_deleted: bool = False) -> list[Sentence]:
    """What changed from ``old`` to ``new`` as sentences with the graph's labels: „Themenfeld „Wohnen“
    hinzugefügt“, „Zuständigkeit geändert von „A“ zu „B““. One value replaced by one other is a change,
    anything else additions and removals; statements about other subjects name their subject first."""
    words = WORDS.get(lang, WORDS["de"])
    if not len(old) and len(new) and not old_deleted:
        head = [Sentence(words["created"], "added")]
    elif new_deleted or (len(old) and not len(new)):
        return [Sentence(words["deleted"], "removed")]
    else:
        head = []
    removed = {t for t in old if t not in new}
    added = {t for t in new if t not in old}
    if not removed and not added:
        return head or [Sentence(words["same"], "same")]
    iris = {str(term) for t in removed | added for term in t if isinstance(term, URIRef)}
    labels = fetch_labels(store, iris, lang)

    opening, closing = ("„", "“") if lang == "de" else ("“", "”")

    def value(term) -> str:
        if isinstance(term, Literal):
            tag = f" ({words['lang'].get(term.language, term.language)})" if term.language and term.language != lang else ""
            return f"{opening}{term}{closing}{tag}"
        if isinstance(term, BNode):
            return "(ohne Namen)" if lang == "de" else "(unnamed)"
        return f"{opening}{labels.get(str(term), str(term))}{closing}"

    groups: dict[tuple, tuple[list, list]] = {}
    for s, p, o in removed:
        groups.setdefault((s, p), ([], []))[0].append(o)
    for s, p, o in added:
        groups.setdefault((s, p), ([], []))[1].append(o)
    out = list(head)
    for (s, p), (gone, came) in sorted(groups.items(), key=lambda kv: (str(kv[0][0]) != record, str(kv[0][0]),
                                                                        labels.get(str(kv[0][1]), ""))):
        prefix = "" if str(s) == record else words["of"].format(s=value(s).strip("„“”"))
        name = labels.get(str(p), str(p))
        name = name[:1].upper() + name[1:] if not prefix else name
        if head:  # a new record: what it says, not a list of additions
            continue
        if len(gone) == 1 and len(came) == 1:
            out.append(Sentence(prefix + words["changed"].format(p=name, a=value(gone[0]), b=value(came[0])),
                                "changed"))
            continue
        for o in sorted(gone, key=str):
            out.append(Sentence(prefix + words["removed"].format(p=name, v=value(o)), "removed"))
        for o in sorted(came, key=str):
            out.append(Sentence(prefix + words["added"].format(p=name, v=value(o)), "added"))
    return out


# ---- the Atom feed ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    updated: datetime
    summary: str


def atom(feed_id: str, title: str, self_url: str, page_url: str, entries: Sequence[Entry],
         updated: datetime | None) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of changes."""
    stamp = (updated or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    parts = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">',
             f"<id>{escape(feed_id)}</id>", f"<title>{escape(title)}</title>", f"<updated>{stamp}</updated>",
             f"<link rel=\"self\" type=\"{ATOM}\" href={quoteattr(self_url)}/>",
             f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(page_url)}/>",
             "<author><name>Stadt Oberhausen – stadtgraph</name></author>"]
    for e in entries:
        parts += ["<entry>", f"<id>{escape(e.id)}</id>", f"<title>{escape(e.title)}</title>",
                  f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(e.link)}/>",
                  f"<updated>{e.updated.astimezone(UTC).isoformat(timespec='seconds')}</updated>",
                  f"<summary>{escape(e.summary)}</summary>", "</entry>"]
    parts.append("</feed>")
    return "\n".join(parts).encode("utf-8")


SOURCE_NAMES = {
    "wiki": ("Wiki", "wiki"), "oparl": ("Ratsinformationssystem (OParl)", "council (OParl)"),
    "build": ("Aufbau aus den Quelldateien", "build from the source files"),
    "graph-store": ("Graph Store (Schreibzugriff)", "Graph Store write"), "sparql-update": ("SPARQL Update", "SPARQL Update"),
    "harvest": ("Ernte", "harvest"), "store": ("Stand vor Beginn des Protokolls", "state before the log began"),
}
METHOD_NAMES = {
    "BUILD": ("Aufbau", "build"), "PUT": ("ersetzt", "replaced"), "POST": ("ergänzt", "merged"),
    "DELETE": ("gelöscht", "deleted"), "UPDATE": ("SPARQL Update", "SPARQL Update"), "HARVEST": ("Ernte", "harvest"),
    "BASELINE": ("Ausgangsstand", "baseline"), "REPAIR": ("nach Absturz nachgetragen", "repaired after a crash"),
}


def source_name(source: str, lang: str = "de") -> str:
    names = SOURCE_NAMES.get(source)
    return names[0 if lang == "de" else 1] if names else source


def method_name(method: str, lang: str = "de") -> str:
    names = METHOD_NAMES.get(method)
    return names[0 if lang == "de" else 1] if names else method
