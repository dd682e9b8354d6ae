"""What a steward reads when an upload is refused before any rule runs (it cannot be parsed, the title is
missing, the format is not checked): the message in one language, the line, and the wrong value marked in
the submitted text. The error itself stays one of :mod:`graph.errors`; this only renders it for the form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from graph.errors import StadtgraphError

CONTEXT_LINES = 2  # lines shown before and after the one at fault


@dataclass(frozen=True)
class SourceLine:
    """One line of the submitted text, split around the marked value (``mark`` empty if none)."""

    number: int
    before: str
    mark: str = ""
    after: str = ""
    at_fault: bool = False


@dataclass
class Unreadable:
    title: str
    message: str
    line: int | None = None
    column: int | None = None
    value: str | None = None
    technical: str = ""  # what the parser said, in its own (mostly English) words
    excerpt: list[SourceLine] = field(default_factory=list)


def in_language(text: str, lang: str = "de") -> str:
    """The German or English half of a bilingual text ``„deutsch“ / english``. A `` / `` inside German
    quotes („Bereich 5-1 / Stadtplanung“) does not split; a text without halves is returned whole.

    >>> in_language("Seite ist leer / page is empty", "en")
    'page is empty'
    >>> in_language("Zuständigkeit „Bereich 5-1 / Planung“ fehlt / unit missing")
    'Zuständigkeit „Bereich 5-1 / Planung“ fehlt'
    """
    depth = 0
    for i, ch in enumerate(text):
        if ch == "„":
            depth += 1
        elif ch == "“" and depth:
            depth -= 1
        elif depth == 0 and text.startswith(" / ", i):
            return text[:i].strip() if lang != "en" else text[i + 3:].strip()
    return text.strip()


def describe(exc: StadtgraphError, text: str, lang: str = "de") -> Unreadable:
    """The refusal of an upload as the form shows it: ``text`` is the submitted body, decoded."""
    detail = exc.detail
    source = getattr(exc, "source", "")
    prefix = source + (f" [{exc.page}]" if getattr(exc, "page", None) else "")
    for known in (prefix, "request body"):  # the source is the form itself
        if known and detail.startswith(known + ": "):
            detail = detail[len(known) + 2:]
    line, column = exc.extra.get("line"), exc.extra.get("column")
    own = in_language(detail, lang)
    if line:  # the position is shown once, after the message
        own = re.sub(rf"\s+(in Zeile|at line) {line}\b(,? (Spalte|column) \d+)?", "", own, count=1)
    technical = ""
    if lang != "en" and " / " in detail:
        english = in_language(detail, "en")
        technical = english.split(": ", 1)[1] if ": " in english else ""
    value = exc.extra.get("value")
    lines = text.splitlines()
    if value and not line:
        line = next((i for i, row in enumerate(lines, 1) if value in row), None)
    if line and column and not value and 0 < line <= len(lines):
        value = _token_at(lines[line - 1], column)
    message = own[:1].upper() + own[1:]
    title = in_language(exc.title, lang)
    return Unreadable(title=title[:1].upper() + title[1:], message=message, line=line, column=column, value=value,
                      technical=technical, excerpt=_excerpt(lines, line, value))


def _token_at(row: str, column: int) -> str | None:
    """The word (up to whitespace) around 1-based ``column`` of ``row``."""
    at = min(max(column - 1, 0), len(row))
    if at == len(row) or row[at].isspace():
        return None
    start, end = at, at
    while start > 0 and not row[start - 1].isspace():
        start -= 1
    while end < len(row) and not row[end].isspace():
        end += 1
    return row[start:end] or None


def _excerpt(lines: list[str], line: int | None, value: str | None) -> list[SourceLine]:
    if not line or not 0 < line <= len(lines):
        return []
    out = []
    for number in range(max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES) + 1):
        row = lines[number - 1]
        if number == line and value and value in row:
            before, _, after = row.partition(value)
            out.append(SourceLine(number, before, value, after, at_fault=True))
        else:
            out.append(SourceLine(number, row, at_fault=number == line))
    return out
