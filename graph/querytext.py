"""What a SPARQL request text is, read by a small tokenizer before any engine sees it: its form, its
dataset clause, its variables, and whether it asks for something the public endpoint never does.

The engine (pyoxigraph) would follow ``SERVICE`` to any address and accepts no update on ``query``; the
endpoint refuses both here, with a message naming line and column, so that no outbound request is ever
made on a caller's behalf (the query runners also have no network, see :mod:`graph.query.sandbox`).
Grammar: https://www.w3.org/TR/sparql11-query/#sparqlGrammar (terminals IRIREF, PNAME_LN, STRING_*).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urljoin

from graph.errors import QueryRefused, QuerySyntaxError
from graph.nesting import check_depth

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})

# Order matters: long strings before short ones, IRIs before the "<" operator, comments outside both.
_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
               |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'
               |"(?:[^"\\\n\r]|\\.)*")
    | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\U000EFFFF]+)
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<bnode>_:[A-Za-z0-9_\u00C0-\U000EFFFF](?:[A-Za-z0-9_.\-\u00B7\u00C0-\U000EFFFF]*[A-Za-z0-9_\-\u00B7\u00C0-\U000EFFFF])?)
    | (?P<pname>(?:[A-Za-z\u00C0-\U000EFFFF](?:[A-Za-z0-9_.\-\u00B7\u00C0-\U000EFFFF]*[A-Za-z0-9_\-\u00B7\u00C0-\U000EFFFF])?)?
               :(?:(?:[A-Za-z0-9_:\u00C0-\U000EFFFF]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])
                  (?:(?:[A-Za-z0-9_.:\-\u00B7\u00C0-\U000EFFFF]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*
                     (?:[A-Za-z0-9_:\-\u00B7\u00C0-\U000EFFFF]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%]))?)?)
    | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class Token(NamedTuple):
    kind: str
    text: str
    offset: int  # character offset in the query text; :func:`position` gives line and column


@dataclass
class QueryInfo:
    """What the tokenizer saw. ``form`` is SELECT/CONSTRUCT/DESCRIBE/ASK (None if not a query form)."""

    form: str | None = None
    update: Token | None = None
    service: Token | None = None
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    variables: set[str] = field(default_factory=set)
    prefixes: dict[str, str] = field(default_factory=dict)

    @property
    def has_dataset_clause(self) -> bool:
        return bool(self.from_graphs or self.from_named)

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def tokens(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (no whitespace, no comments)."""
    return [Token(m.lastgroup or "other", m.group(), m.start()) for m in _TOKEN.finditer(text)
            if m.lastgroup != "ws" and m.lastgroup != "comment"]


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, line_start) + 1, offset - line_start + 1


_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PN_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


def _iri_value(token: Token, prefixes: dict[str, str], base: str | None) -> str | None:
    if token.kind == "iri":
        iri = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), token.text[1:-1])
        return urljoin(base, iri) if base else iri
    if token.kind == "pname":
        prefix, local = token.text.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + _PN_ESCAPE.sub(r"\1", local)
    return None


def inspect(text: str) -> QueryInfo:
    """Read form, prologue, dataset clause, variables and forbidden keywords of a SPARQL text.

    >>> info = inspect("PREFIX g: <http://g/> SELECT ?s FROM g:a FROM NAMED <http://g/b> { ?s ?p ?o }")
    >>> info.form, info.from_graphs, info.from_named, sorted(info.variables)
    ('SELECT', ['http://g/a'], ['http://g/b'], ['o', 'p', 's'])
    >>> inspect('SELECT * { ?s ?p "SERVICE" } # SERVICE').service is None
    True
    """
    info = QueryInfo()
    toks = tokens(text)
    base: str | None = None
    i = 0
    # Prologue: BASE and PREFIX declarations only.
    while i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in ("BASE", "PREFIX"):
        if toks[i].text.upper() == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = _iri_value(toks[i + 1], info.prefixes, base)
            i += 2
        elif toks[i].text.upper() == "PREFIX" and i + 2 < len(toks) and toks[i + 1].kind == "pname" \
                and toks[i + 1].text.endswith(":") and toks[i + 2].kind == "iri":
            info.prefixes[toks[i + 1].text[:-1]] = _iri_value(toks[i + 2], info.prefixes, base) or ""
            i += 3
        else:
            break
    if i < len(toks) and toks[i].kind == "word":
        first = toks[i].text.upper()
        if first in QUERY_FORMS:
            info.form = first
        elif first in UPDATE_KEYWORDS:
            info.update = toks[i]
    for j in range(i, len(toks)):
        tok = toks[j]
        if tok.kind == "var":
            info.variables.add(tok.text[1:])
            continue
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        if word == "SERVICE" and info.service is None:
            info.service = tok
        elif word in ("LOAD", "INSERT", "CLEAR", "DROP", "CREATE") and info.update is None:
            # Never part of a query; an update hidden after a query form is still an update.
            info.update = tok
        elif word == "FROM" and j + 1 < len(toks):
            named = toks[j + 1].kind == "word" and toks[j + 1].text.upper() == "NAMED"
            target = toks[j + 2] if named and j + 2 < len(toks) else toks[j + 1]
            iri = _iri_value(target, info.prefixes, base)
            if iri is None:
                iri = target.text  # unresolvable: kept as written, so the dataset check refuses it
            (info.from_named if named else info.from_graphs).append(iri)
    return info


@lru_cache(maxsize=512)
def _inspect_cached(text: str) -> QueryInfo:
    return inspect(text)


def check_public(text: str) -> QueryInfo:
    """:func:`inspect` a query from the public endpoint and refuse what it never runs. The result is
    shared between calls with the same text (clients repeat queries): treat it as read-only.

    :raises QueryRefused: for SPARQL Update (``LOAD`` included) and for ``SERVICE``.
    :raises NestingTooDeep: for groups, brackets or parentheses nested deeper than the engine's stack bears.
    """
    check_depth(text, "sparql", what="SPARQL")
    info = _inspect_cached(text)
    if info.update is not None:
        word = info.update.text.upper()
        line, col = position(text, info.update.offset)
        raise QueryRefused(
            f"Der öffentliche Endpunkt ist nur lesbar: {word} (Zeile {line}, Spalte {col}) "
            f"ist SPARQL Update und wird nicht ausgeführt. / The public endpoint is read-only: "
            f"{word} (line {line}, column {col}) is SPARQL Update and is not run.",
            line=line, column=col, keyword=word)
    if info.service is not None:
        line, col = position(text, info.service.offset)
        raise QueryRefused(
            f"SERVICE (Zeile {line}, Spalte {col}) ist nicht erlaubt: der Endpunkt fragt keine anderen "
            f"Dienste ab. / SERVICE (line {line}, column {col}) is not allowed: the endpoint never "
            "queries other services on a caller's behalf.",
            line=line, column=col, keyword="SERVICE")
    return info


_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)


def syntax_error(engine_message: str) -> QuerySyntaxError:
    """The engine's parse error as a :class:`QuerySyntaxError` naming line and column (1-based).

    >>> err = syntax_error("error at 2:7: expected one of ABS, AVG")
    >>> err.extra["line"], err.extra["column"], err.status
    (2, 7, 400)
    """
    m = _ENGINE_POSITION.search(engine_message)
    if not m:
        return QuerySyntaxError(f"SPARQL-Syntaxfehler / SPARQL syntax error: {engine_message}")
    line, column, what = int(m.group(1)), int(m.group(2)), m.group(3).strip()
    return QuerySyntaxError(
        f"Syntaxfehler in Zeile {line}, Spalte {column}: {what} / "
        f"syntax error at line {line}, column {column}: {what}",
        line=line, column=column, engine_message=engine_message)
