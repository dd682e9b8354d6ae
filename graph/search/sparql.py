"""Full-text search inside SPARQL, by a pre-step of this endpoint (no SERVICE, nothing for the engine to
learn): the service-less property ``ob:volltext`` in a triple pattern of its own,

    ?k ob:volltext "Quartiere Sterkrade" .

is replaced, before the query runs, by ``VALUES ?k { … }`` holding the best :data:`MATCHES` records the
search finds for the text (same syntax and analysis as ``/suche``). The rest of the query joins them with
graph patterns as usual. The pattern must stand alone (a variable, the property, one string literal, then
``.`` or ``}``); anything else using the property is a syntax error that says so.

    >>> rewrite('SELECT ?k { ?k <https://daten.oberhausen.de/stadtgraph/ontology#volltext> "x" . }',
    ...         lambda text, limit: ["https://example.org/a"])
    'SELECT ?k { VALUES ?k { <https://example.org/a> } . }'
"""
from __future__ import annotations

import re
from collections.abc import Callable

import pyoxigraph as ox

from graph.errors import QuerySyntaxError
from graph.namespaces import OB
from graph.querytext import inspect, position, tokens

PROPERTY = str(OB.volltext)
#: Most records one ``ob:volltext`` pattern stands for.
MATCHES = 1000
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _literal(text: str) -> str:
    inner = text[3:-3] if text[:3] in ('"""', "'''") else text[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), inner)


def _names_property(token, prefixes: dict[str, str]) -> bool:
    if token.kind == "iri":
        return token.text[1:-1] == PROPERTY
    if token.kind == "pname":
        prefix, local = token.text.split(":", 1)
        return prefixes.get(prefix, "") + local == PROPERTY
    return False


def rewrite(text: str, matching: Callable[[str, int], list[str]]) -> str:
    """``text`` with every ``?v ob:volltext "…"`` pattern replaced by ``VALUES ?v { … }``; ``matching``
    gives the IRIs for a search text, best first. :raises QuerySyntaxError: for any other use of the
    property; the search's own :class:`~graph.errors.SearchSyntaxError` for a search text it cannot read."""
    if "volltext" not in text:
        return text
    toks = tokens(text)
    prefixes = inspect(text).prefixes
    out, at = [], 0
    for i, tok in enumerate(toks):
        if not _names_property(tok, prefixes):
            continue
        subject = toks[i - 1] if i else None
        value = toks[i + 1] if i + 1 < len(toks) else None
        after = toks[i + 2] if i + 2 < len(toks) else None
        if (subject is None or subject.kind != "var" or value is None or value.kind != "string"
                or after is None or after.text not in (".", "}")
                or (i >= 2 and toks[i - 2].text not in (".", "{", "}"))):
            line, column = position(text, tok.offset)
            raise QuerySyntaxError(
                f"ob:volltext in Zeile {line}, Spalte {column} steht nicht allein als „?variable ob:volltext "
                f"\"Suchtext\" .“ / ob:volltext at line {line}, column {column} must stand alone as "
                "'?variable ob:volltext \"search text\" .'", line=line, column=column)
        iris = " ".join(str(ox.NamedNode(iri)) for iri in matching(_literal(value.text), MATCHES))
        out += [text[at:subject.offset], f"VALUES {subject.text} {{ {iris} }}"]
        at = value.offset + len(value.text)
    return "".join(out) + text[at:]
