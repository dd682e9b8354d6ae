"""How deeply nested an input is, read by a cheap scan before any parser sees it.

The parsers the service calls recurse once per nesting level (rdflib's Turtle and JSON-LD parsers,
Python's ``json``, the SPARQL engine, which overflows its stack and takes its process with it), so an
input nested thousands of levels deep is refused here, with the limit named, before it does damage.
Counted per syntax, outside strings, IRIs and comments: SPARQL and Turtle/TriG/N-Triples/N-Quads
``{ ( [ <<``, JSON ``{ [``, RDF/XML elements, wikitext templates ``{{`` and links ``[[``.
"""
from __future__ import annotations

import re

from graph.errors import NestingTooDeep

MAX_DEPTH = 64
"""Deepest nesting read: far beyond any real record or query (the shipped data nests 4 levels)."""

#: Where one level of the data is more than one level of the syntax: an RDF/XML node inside a property
#: element is two elements deep.
LIMITS = {"xml": 2 * MAX_DEPTH}

_TURTLE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|\#[^\n\r]*"
    r"|<<|>>|[\[\](){}]",
    re.DOTALL,
)
_JSON = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_XML = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[?!][^>]*>"
    r"|(?P<close></[^>]*>)"
    r"|(?P<open><(?:[^>\"']|\"[^\"]*\"|'[^']*')*>)",
    re.DOTALL,
)
_WIKI = re.compile(r"<!--.*?-->|\{\{|\}\}|\[\[|\]\]", re.DOTALL)

_OPEN = frozenset({"{", "(", "[", "<<", "{{", "[["})
_CLOSE = frozenset({"}", ")", "]", ">>", "}}", "]]"})

SYNTAXES = {"sparql": _TURTLE, "turtle": _TURTLE, "trig": _TURTLE, "nt": _TURTLE, "nquads": _TURTLE,
            "json": _JSON, "json-ld": _JSON, "xml": _XML, "wiki": _WIKI}


def deepest(text: str, syntax: str) -> int:
    """The deepest nesting of ``text`` in ``syntax`` (a key of :data:`SYNTAXES`).

    >>> deepest('{"a": [1, {"b": "[[["}]}', "json")
    3
    >>> deepest('<s> <p> [ <p> ( "(" ) ] . # [[[', "turtle")
    2
    >>> deepest('<a><b x="/>"/><c><d>t</d></c></a>', "xml")
    3
    """
    return _scan(text, syntax, None)[0]


def check_depth(text: str, syntax: str, *, what: str = "", limit: int | None = None, source: str = "",
                page: str | None = None) -> int:
    """The nesting depth of ``text``, if within ``limit`` (by default :data:`MAX_DEPTH`, or the syntax's own
    in :data:`LIMITS`).

    :raises NestingTooDeep: (HTTP 400) naming the limit and the line and column where it is passed.
    """
    limit = limit if limit is not None else LIMITS.get(syntax, MAX_DEPTH)
    depth, passed = _scan(text, syntax, limit)
    if passed < 0:
        return depth
    line = text.count("\n", 0, passed) + 1
    column = passed - (text.rfind("\n", 0, passed) + 1) + 1
    name = what or syntax
    raise NestingTooDeep(
        f"{name} ist tiefer als {limit} Ebenen verschachtelt (Zeile {line}, Spalte {column}) / "
        f"{name} is nested deeper than {limit} levels (line {line}, column {column})",
        source=source, page=page, limit=limit, line=line, column=column)


def _scan(text: str, syntax: str, limit: int | None) -> tuple[int, int]:
    """(deepest level, offset where ``limit`` is first passed or -1); stops at that offset."""
    depth = best = 0
    for offset, step in _steps(text, syntax):
        if step > 0:
            depth += 1
            best = max(best, depth)
            if limit is not None and depth > limit:
                return best, offset
        elif depth:
            depth -= 1
    return best, -1


def _steps(text: str, syntax: str):
    """(offset, +1 or -1) for every opening and closing of a level."""
    xml, sparql = syntax == "xml", syntax == "sparql"
    for m in SYNTAXES[syntax].finditer(text):
        token = m.group()
        if xml:
            if m.lastgroup == "open" and not token.endswith("/>"):
                yield m.start(), 1
            elif m.lastgroup == "close":
                yield m.start(), -1
        elif token in _OPEN:
            yield m.start(), 1
        elif token in _CLOSE:
            yield m.start(), -1
        elif sparql and token[0] == "<" and token[-1] == ">" and len(token) > 2:
            # In SPARQL "<" is also less-than: an engine that fails to read ``<((…)>`` as an IRI reads the
            # parentheses as nesting, so they count here too (real IRIs hold few, and balanced).
            for i, char in enumerate(token):
                if char in "([":
                    yield m.start() + i, 1
                elif char in ")]":
                    yield m.start() + i, -1
