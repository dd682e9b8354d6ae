"""Moving many triples into a remote store: SPARQL Update requests of bounded size, or Virtuoso's loader.

Sizes come from Virtuoso 7.2's SPARQL compiler, measured: a block of more than ~4,900 triples overflows
its parser stack, a request may compile to at most 10,000 lines of SQL, and ``define sql:big-data-const 1``
makes INSERT DATA ~12× faster (1,000 triples: 70 ms instead of 880 ms). Blank nodes are refused in
INSERT DATA there, so triples with blank nodes go as ``INSERT {…} WHERE {}``, each connected group of
blank nodes within one operation (a label means the same node only inside one operation).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from graph.errors import ParseError, StoreUnavailable
from graph.settings import Settings

BLOCK = 2000  # triples per GRAPH block
REQUEST = 10000  # triples per request
VIRTUOSO_FAST = "define sql:big-data-const 1\n"
Term = ox.NamedNode | ox.BlankNode | ox.Literal


def data_requests(quads: Iterable[tuple[str, tuple[Term, Term, Term]]], virtuoso: bool) -> Iterator[str]:
    """Update texts that insert ``(graph, (s, p, o))``; consecutive quads of one graph share a block."""
    prefix = VIRTUOSO_FAST if virtuoso else ""
    with_bnodes: dict[str, list[tuple[Term, Term, Term]]] = {}
    batch: list[tuple[str, str]] = []
    for graph, (s, p, o) in quads:
        if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode):
            with_bnodes.setdefault(graph, []).append((s, p, o))
            continue
        batch.append((graph, f"{s} {p} {o} ."))
        if len(batch) >= REQUEST:
            yield prefix + "INSERT DATA { " + _blocks(batch) + " }"
            batch = []
    if batch:
        yield prefix + "INSERT DATA { " + _blocks(batch) + " }"
    operations: list[str] = []
    size = 0
    for graph, triples in with_bnodes.items():
        for group in _packed(split_bnode_components(triples)):
            body = "\n".join(f"{s} {p} {o} ." for s, p, o in group)
            operations.append(f"INSERT {{ GRAPH <{graph}> {{\n{body}\n}} }} WHERE {{}}")
            size += len(group)
            if size >= REQUEST:
                yield prefix + " ;\n".join(operations)
                operations, size = [], 0
    if operations:
        yield prefix + " ;\n".join(operations)


def _blocks(batch: list[tuple[str, str]]) -> str:
    out: list[str] = []
    start = 0
    for i in range(1, len(batch) + 1):
        if i == len(batch) or batch[i][0] != batch[start][0] or i - start >= BLOCK:
            lines = "\n".join(line for _, line in batch[start:i])
            out.append(f"GRAPH <{batch[start][0]}> {{\n{lines}\n}}")
            start = i
    return "\n".join(out)


def split_bnode_components(triples: list[tuple[Term, Term, Term]]) -> list[list[tuple[Term, Term, Term]]]:
    """Triples grouped so that triples sharing a blank node (directly or through others) stay together."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s, _, o in triples:
        nodes = [t.value for t in (s, o) if isinstance(t, ox.BlankNode)]
        for other in nodes[1:]:
            parent[find(other)] = find(nodes[0])
    groups: dict[str, list[tuple[Term, Term, Term]]] = {}
    for s, p, o in triples:
        key = next(t.value for t in (s, o) if isinstance(t, ox.BlankNode))
        groups.setdefault(find(key), []).append((s, p, o))
    return list(groups.values())


def _packed(components: list[list[tuple]]) -> Iterator[list[tuple]]:
    """Components packed into operations of at most BLOCK triples (a bigger component goes alone)."""
    current: list[tuple] = []
    for component in components:
        if current and len(current) + len(component) > BLOCK:
            yield current
            current = []
        current += component
    if current:
        yield current


@contextmanager
def normalised_nquads(data: IO[bytes] | Path, fmt: ox.RdfFormat, graph: str | None,
                      directory: str | None) -> Iterator[tuple[Path, set[str]]]:
    """The input checked and rewritten as N-Quads in a temporary file (in ``directory``, where Virtuoso may
    read it), with the set of its graphs. Nothing is sent before the whole input has parsed.

    :raises ParseError: for unreadable input (naming the line) or a triple without a named graph.
    """
    target = ox.NamedNode(graph) if graph else None
    graphs: set[str] = set()
    if directory:
        os.makedirs(directory, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="stadtgraph-", suffix=".nq", dir=directory)
    path = Path(name)

    def quads() -> Iterator[ox.Quad]:
        source = ox.parse(path=str(data), format=fmt) if isinstance(data, Path) else ox.parse(data, format=fmt)
        for q in source:
            g = q.graph_name
            if isinstance(g, ox.DefaultGraph):
                if target is None:
                    raise ParseError("Tripel ohne benannten Graphen; bitte einen Zielgraphen angeben / "
                                     "triple outside a named graph; give a target graph")
                g = target
            graphs.add(g.value)
            yield ox.Quad(q.subject, q.predicate, q.object, g)

    try:
        with os.fdopen(fd, "wb") as out:
            try:
                ox.serialize(quads(), out, ox.RdfFormat.N_QUADS)
            except SyntaxError as exc:  # a corrupt dump is the user's input, not a crash: name the line
                raise ParseError(str(exc), line=exc.lineno) from exc
        path.chmod(0o644)  # Virtuoso may run as another user
        yield path, graphs
    finally:
        path.unlink(missing_ok=True)


def send_with_isql(path: Path, settings: Settings) -> None:
    """Virtuoso's bulk loader (``ld_dir`` + ``rdf_loader_run``) over its SQL port; the file must be in a
    directory listed in DirsAllowed. Non-transactional, then a checkpoint so the load survives a crash."""
    isql = shutil.which("isql-vt") or shutil.which("isql")
    if not isql:
        raise StoreUnavailable("isql-vt nicht gefunden (Paket virtuoso-opensource) / isql-vt not found")
    directory, name = str(path.parent).replace("'", "''"), path.name.replace("'", "''")
    script = (f"ld_dir('{directory}', '{name}', 'urn:x-stadtgraph:empty');\n"
              "rdf_loader_run();\n"
              f"SELECT 'LOADERROR:' || ll_error FROM DB.DBA.LOAD_LIST WHERE ll_file = '{directory}/{name}' "
              "AND ll_error IS NOT NULL;\n"
              f"DELETE FROM DB.DBA.LOAD_LIST WHERE ll_file = '{directory}/{name}';\n"
              "checkpoint;\n")
    # The password is an argument: isql has no other way; the SQL port is loopback-only in our setup.
    done = subprocess.run([isql, settings.sparql_isql, settings.sparql_user, settings.sparql_password,
                           "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF", "ERRORS=STDOUT"],
                          input=script, capture_output=True, text=True, timeout=3600, check=False)
    output = done.stdout + done.stderr
    if done.returncode != 0 or "*** Error" in output or "LOADERROR:" in output:
        raise StoreUnavailable(f"Virtuoso-Ladevorgang fehlgeschlagen / Virtuoso bulk load failed: {output[-600:]}")
