"""Query text for a remote store: what may be sent, parameters bound as RDF terms, and the dataset.

Read by the endpoint's tokenizer (:mod:`graph.querytext`) before anything leaves the process. Virtuoso
executes ``bif:http_get(…)`` for the anonymous account (an outbound request on a caller's behalf, found
by test), so store-specific function IRIs and undeclared prefixes are refused here too, not only SERVICE.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pyoxigraph as ox
import rdflib

from graph.errors import QueryRefused, QuerySyntaxError
from graph.querytext import QueryInfo, Token, inspect, position, tokens
from graph.store.terms import to_ox

# Virtuoso's pseudo-schemes for built-in SQL functions and stored procedures (bif:http_get,
# bif:file_to_string, sql:…): never sent, whatever the account may do.
STORE_FUNCTION_SCHEMES = ("bif:", "sql:")
_VARNAME = re.compile(r"^[A-Za-z0-9_\u00B7\u00C0-\U000EFFFF]+$")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def check_query(text: str) -> QueryInfo:
    """Refuse what a remote store must never receive from a caller.

    :raises QuerySyntaxError: not a SPARQL query form (an update, a Virtuoso ``define``), an undeclared prefix.
    :raises QueryRefused: ``SERVICE``, or a store function IRI (``bif:``, ``sql:``).

    >>> check_query("PREFIX dc: <http://purl.org/dc/terms/> SELECT ?t { ?k dc:title ?t }").form
    'SELECT'
    >>> check_query("SELECT (bif:http_get('http://169.254.169.254/') AS ?x) {}")
    Traceback (most recent call last):
    graph.errors.QuerySyntaxError: Präfix 'bif:' ist nicht deklariert / prefix 'bif:' is not declared (Zeile 1, Spalte 9)
    """
    info = inspect(text)
    if info.update is not None or info.form is None:
        raise QuerySyntaxError("Keine SPARQL-Abfrage (SELECT, ASK, CONSTRUCT, DESCRIBE) / not a SPARQL query form")
    if info.service is not None:
        line, column = position(text, info.service.offset)
        raise QueryRefused(f"SERVICE (Zeile {line}, Spalte {column}) wird nie an den Speicher gesendet / "
                           f"SERVICE (line {line}, column {column}) is never sent to the store",
                           line=line, column=column, keyword="SERVICE")
    for tok in tokens(text):
        if tok.kind == "iri":
            value = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), tok.text[1:-1])
            if value.lower().startswith(STORE_FUNCTION_SCHEMES):
                line, column = position(text, tok.offset)
                raise QueryRefused(
                    f"Speicherfunktion {value} (Zeile {line}, Spalte {column}) ist nicht erlaubt / "
                    f"store function {value} (line {line}, column {column}) is not allowed",
                    line=line, column=column)
        elif tok.kind == "pname":
            prefix = tok.text.split(":", 1)[0]
            if prefix not in info.prefixes:
                line, column = position(text, tok.offset)
                # Standard SPARQL requires the declaration; Virtuoso would fill in its own (bif:, sql:…).
                raise QuerySyntaxError(f"Präfix '{prefix}:' ist nicht deklariert / prefix '{prefix}:' is not "
                                       f"declared (Zeile {line}, Spalte {column})", line=line, column=column)
    return info


def term_text(term: rdflib.term.Node | ox.NamedNode | ox.Literal) -> str:
    """An RDF term in SPARQL syntax, escaped by pyoxigraph (which also rejects an invalid IRI)."""
    value = term if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else to_ox(term)
    if isinstance(value, ox.BlankNode):
        raise ValueError("Ein leerer Knoten kann kein Parameter sein / a blank node cannot be a parameter")  # noqa: TRY004
    return str(value)


def bind_values(text: str, substitutions: Mapping[str, rdflib.term.Node]) -> str:
    """``text`` with a ``VALUES`` block binding each variable, placed first in the outermost group
    pattern, so the values join everything the query does (aggregates included). Terms are written by
    :func:`term_text`; no caller text is pasted into the query.

    >>> bind_values("SELECT ?t WHERE { ?k <http://p> ?t }", {"k": rdflib.URIRef("http://k")})
    'SELECT ?t WHERE { VALUES (?k) { (<http://k>) } ?k <http://p> ?t }'
    """
    if not substitutions:
        return text
    names = list(substitutions)
    for name in names:
        if not _VARNAME.match(name):
            raise ValueError(f"ungültiger Variablenname / invalid variable name: {name!r}")
    row = " ".join(term_text(substitutions[n]) for n in names)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }}"
    at = _where_brace(text)
    return text[: at + 1] + block + text[at + 1:]


def _where_brace(text: str) -> int:
    """Offset of the ``{`` that opens the query's WHERE group."""
    toks = tokens(text)
    i = 0
    while i < len(toks) and not (toks[i].kind == "word" and toks[i].text.upper() in
                                 ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")):
        i += 1
    if i < len(toks) and toks[i].text.upper() == "CONSTRUCT":
        if i + 1 < len(toks) and toks[i + 1].text == "{":
            i = _skip_group(toks, i + 1)
        else:
            raise QuerySyntaxError("Parameter brauchen CONSTRUCT {…} WHERE {…} / parameters need the long "
                                   "CONSTRUCT form")
    depth = 0
    for tok in toks[i:]:
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif tok.text == "{" and depth == 0:
            return tok.offset
    raise QuerySyntaxError("Parameter brauchen ein WHERE {…} / parameters need a WHERE group")


def _skip_group(toks: list[Token], at: int) -> int:
    depth = 0
    for j in range(at, len(toks)):
        if toks[j].text == "{":
            depth += 1
        elif toks[j].text == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    raise QuerySyntaxError("Klammer '{' nicht geschlossen / unclosed '{'")


# ---- the dataset, as Virtuoso pragmas ------------------------------------------------------------------
def virtuoso_dataset(*, exclude_default: Iterable[str] = (), exclude_named: Iterable[str] = (),
                     default: Iterable[str] | None = None, named: Iterable[str] | None = None) -> str:
    """``define input:…`` lines that set the dataset of one query (they must open the query text).

    Virtuoso's default graph is the union of every graph it holds, its own system graphs included;
    excluding graphs keeps that union fast however many record graphs there are, where a FROM per
    graph would not (75k graphs at 1M triples)."""
    lines = []
    if default is not None:
        lines += [f"define input:default-graph-uri <{g}>" for g in default]
    else:
        lines += [f"define input:default-graph-exclude <{g}>" for g in exclude_default]
    if named is not None:
        lines += [f"define input:named-graph-uri <{g}>" for g in named]
    else:
        lines += [f"define input:named-graph-exclude <{g}>" for g in exclude_named]
    return "".join(line + "\n" for line in lines)


# ---- Virtuoso's answers --------------------------------------------------------------------------------
_VIRTUOSO_BNODE = b'"type": "bnode", "value": "nodeID://'


def fix_virtuoso_json(body: bytes) -> bytes:
    """Virtuoso writes blank nodes as ``nodeID://b123`` in JSON results, which is no blank node label.
    The exact byte pattern cannot occur inside a literal (quotes there are escaped)."""
    return body.replace(_VIRTUOSO_BNODE, b'"type": "bnode", "value": "')
