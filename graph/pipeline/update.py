"""SPARQL 1.1 Update (https://www.w3.org/TR/sparql11-update/) with the guarantees of the Graph Store writes.

The update is never run on the store itself. It runs on a scratch copy — an in-memory pyoxigraph store
holding the whole dataset — and the copy is compared graph by graph with what it held before. The graphs
that changed are then written through :meth:`graph.pipeline.writes.GraphWriter.replace`, the one write path:
graph-name rule, protected graphs, SHACL gate on every changed record graph (422, nothing changed), one
transaction, inferred graph brought up to date, crash marker, audit entry. So an update works on every
backend (the remote one too), and what it touches is known exactly, also where no static analysis can say
(``GRAPH ?g`` in a template, ``CLEAR ALL``, ``DELETE WHERE`` over several graphs).

Default graph: an update that names no graph reads and writes :attr:`graph.iris.Iris.update_graph`
(``{base}graph/sparql-update``), a named graph like any other and so part of the union default graph that
queries see. ``LOAD`` and ``SERVICE`` are refused before anything runs (no outbound requests).
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib

from graph.errors import QueryRefused, QuerySyntaxError
from graph.pipeline import audit
from graph.pipeline.writes import GraphWriter
from graph.querytext import position, tokens
from graph.store.terms import to_rdflib


@dataclass(frozen=True)
class UpdateResult:
    """What an update changed: the graphs written (new content) and dropped, and the inference counts."""

    written: list[str]
    dropped: list[str]
    inferred: dict[str, int]


def refuse_outbound(text: str) -> None:
    """:raises QueryRefused: for ``LOAD`` or ``SERVICE`` anywhere in the update. Found by the tokenizer of
    :mod:`graph.querytext`, so the words inside strings, IRIs and comments do not count.

    >>> refuse_outbound('INSERT DATA { <http://a> <http://b> "LOAD SERVICE" } # LOAD')
    >>> refuse_outbound("LOAD <http://evil.example/x.ttl>")
    Traceback (most recent call last):
    ...
    graph.errors.QueryRefused: LOAD (Zeile 1, Spalte 1) ist nicht erlaubt: ...
    """
    for tok in tokens(text):
        word = tok.text.upper()
        if tok.kind == "word" and word in ("LOAD", "SERVICE"):
            line, col = position(text, tok.offset)
            raise QueryRefused(
                f"{word} (Zeile {line}, Spalte {col}) ist nicht erlaubt: der Dienst stellt keine Anfragen an "
                f"andere Adressen. / {word} (line {line}, column {col}) is not allowed: the service makes no "
                "outbound requests.", line=line, column=col, keyword=word)


def run_update(writer: GraphWriter, text: str, token: str) -> UpdateResult:
    """Run one SPARQL Update request (one or more operations, atomically) through the write path.

    :raises QueryRefused: for LOAD/SERVICE; :raises QuerySyntaxError: if it does not parse or fails to run;
    and whatever :meth:`GraphWriter.replace` raises (400/403 graph names, 422 gate)."""
    refuse_outbound(text)
    with writer.exclusive():
        return _run(writer, text, token)


def _run(writer: GraphWriter, text: str, token: str) -> UpdateResult:
    store, default = writer.store, writer.iris.update_graph
    scratch = ox.Store()
    buf = io.BytesIO()
    store.dump(buf, ox.RdfFormat.N_QUADS)
    scratch.load(buf.getvalue(), format=ox.RdfFormat.N_QUADS)
    target = ox.NamedNode(str(default))
    # The update graph plays the default graph of the update.
    for quad in list(scratch.quads_for_pattern(None, None, None, target)):
        scratch.add(ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph()))
        scratch.remove(quad)
    before = set(scratch)
    try:
        scratch.update(text)
    except SyntaxError as exc:
        raise QuerySyntaxError(f"SPARQL Update nicht lesbar / update does not parse: {exc}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise QuerySyntaxError(f"SPARQL Update nicht ausführbar / update failed: {exc}") from None
    after = set(scratch)
    changed = {_name(q.graph_name, default) for q in before ^ after}
    changes: dict[str, rdflib.Graph | None] = {}
    for graph in sorted(changed):
        content = rdflib.Graph()
        for q in after:
            if _name(q.graph_name, default) == graph:
                content.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        changes[graph] = content if len(content) else None
    if changes:
        inferred = writer.replace(changes, token, method="UPDATE")
    else:
        inferred = {}
        audit.record(writer.settings, token=token, method="UPDATE", graph="", outcome="done", graphs=[])
    return UpdateResult(written=[g for g, c in changes.items() if c is not None],
                        dropped=[g for g, c in changes.items() if c is None], inferred=inferred)


def _name(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph, default: rdflib.URIRef) -> str:
    if isinstance(graph, ox.DefaultGraph):
        return str(default)
    return graph.value
