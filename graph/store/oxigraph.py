"""The quad store behind stadtgraph: one interface, several backends.

Every record lives in its own named graph, so one record can be replaced alone and atomically. The
inferred triples live in ``Iris.inferred_graph``; queries see asserted and inferred data together by
default (``dataset="all"``) and can ask for either alone (``"asserted"``, ``"inferred"``).

Backends: :class:`OxigraphStore` (embedded, on disk or in memory). Results are pyoxigraph objects
(``QuerySolutions``, ``QueryBoolean``, ``QueryTriples``) whatever the backend, so callers serialize
them one way.
"""

from __future__ import annotations

import io
import mmap
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import rdflib

from graph.errors import ParseError, QuerySyntaxError, StoreUnavailable
from graph.settings import Settings
from graph.store.base import DATASETS, Store
from graph.store.terms import graph_to_ntriples, to_ox, to_rdflib
from graph.store.version import StoreVersion

# A line-based file (N-Quads, N-Triples) of at least MIN bytes is bulk-loaded in parallel on disk: pyoxigraph
# loads one call on one core, and the on-disk index writing is most of a large load's time. Each parallel
# load holds its own buffers: above MAX (measured: a 1.4 GiB file, 5M quads, peaked at 3.3 GiB in two
# parts against 1.7 GiB in one) memory matters more than time, and the file is loaded in one call.
PARALLEL_LOAD_MIN_BYTES = 32 << 20
PARALLEL_LOAD_MAX_BYTES = 1 << 30
_LINE_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES)


class OxigraphStore(Store):
    """The embedded pyoxigraph store: on disk (``path``), read-only on disk, or in memory (no path).
    A *replica* is an in-memory, read-only copy of an on-disk store (:meth:`replica`)."""

    def __init__(self, settings: Settings, path: str | Path | None = None, *, read_only: bool = False) -> None:
        super().__init__(settings)
        self.path = Path(path) if path else None
        self.read_only = read_only
        self.replica_of: Path | None = None
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreUnavailable(f"Speicher {self.path} nicht zu öffnen / cannot open store: {exc}") from exc

    @classmethod
    def replica(cls, settings: Settings, path: str | Path, max_quads: int | None = None) -> OxigraphStore | None:
        """An in-memory copy of the on-disk store at ``path``, for serving queries: the same data, answered
        many times faster than from disk (an on-disk lookup goes through RocksDB, a replica's through
        memory). Read-only: writes go to the on-disk store, and a new replica sees them. None when the
        store holds more than ``max_quads``.

        A child process reads the on-disk store and passes it on in a temporary N-Quads file, so this
        process never opens RocksDB (whose background threads do not survive a fork: a server forks its
        workers from the process holding the replica) and holds no second copy of the data.
        :raises StoreUnavailable: if the on-disk store cannot be opened.
        """
        copy = cls(settings)
        copy._version = StoreVersion.snapshot(settings)  # read before the data: never newer than the copy
        with tempfile.NamedTemporaryFile(prefix="stadtgraph-replica-", suffix=".nq") as tmp:
            # A plain child interpreter: multiprocessing's would leave its resource tracker running beside us.
            limit = "" if max_quads is None else str(max_quads)
            child = subprocess.run([sys.executable, "-c", _DUMP_CHILD, str(path), tmp.name, limit],
                                   capture_output=True, text=True, check=False)
            if child.returncode != 0:
                reason = (child.stderr.strip().splitlines() or ["?"])[-1]
                raise StoreUnavailable(f"Speicher {path} nicht zu lesen / cannot read store: {reason}")
            if child.stdout.strip() == "too-big":
                return None
            # Our own dump of data that passed the checks on its way in: no need to validate it again.
            copy.raw.bulk_load(path=tmp.name, format=ox.RdfFormat.N_QUADS, lenient=True)
        copy.replica_of = Path(path)
        copy.read_only = True
        return copy

    @property
    def mode(self) -> str:  # type: ignore[override]
        if self.replica_of is not None:
            return "replica"
        return "disk" if self.path is not None else "memory"

    def native(self) -> ox.Store:
        return self._store

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store itself, for the few places that need its own API (bulk work)."""
        return self._store

    def _dataset_kwargs(self, dataset: str, default_graphs, named_graphs) -> dict:
        kwargs: dict = {}
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        elif dataset == "all":
            kwargs["use_default_graph_as_union"] = True
        elif dataset == "asserted":
            kwargs["default_graph"] = [ox.NamedNode(g) for g in self.asserted_graphs()] or [ox.DefaultGraph()]
        elif dataset == "inferred":
            kwargs["default_graph"] = [ox.NamedNode(str(self.iris.inferred_graph))]
        else:
            raise ValueError(f"dataset must be one of {DATASETS}")
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return kwargs

    def query(self, sparql, *, dataset="all", default_graphs=None, named_graphs=None, substitutions=None):
        kwargs = self._dataset_kwargs(dataset, default_graphs, named_graphs)
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): to_ox(v) for k, v in substitutions.items()}
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def has_graph(self, graph_iri: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph_iri))

    def graph(self, graph_iri: str) -> rdflib.Graph:
        g = rdflib.Graph()
        for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri)):
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return g

    def count(self, graph_iri: str | None = None) -> int:
        if graph_iri is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri)))

    def dump(self, out, fmt=ox.RdfFormat.N_QUADS) -> None:
        if fmt.supports_datasets:
            self._store.dump(out, fmt)
        else:
            # Triple formats cannot carry graphs: write the union.
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in self._store)
            ox.serialize(triples, out, fmt)

    def _writable(self) -> None:
        if self.replica_of is not None:
            raise StoreUnavailable(f"Ein Abbild ist schreibgeschützt; geschrieben wird in {self.replica_of} / "
                                   f"a replica is read-only; write to {self.replica_of}")

    def replace_graphs(self, graphs, remove=()) -> None:
        self._writable()
        # One SPARQL Update request is one transaction in Oxigraph: all of it or nothing.
        parts = [f"DROP SILENT GRAPH <{g}>" for g in remove]
        for iri, content in graphs.items():
            parts.append(f"DROP SILENT GRAPH <{iri}>")
            if len(content):
                body = graph_to_ntriples(content).decode("utf-8")
                parts.append(f"INSERT DATA {{ GRAPH <{iri}> {{\n{body}\n}} }}")
        if parts:
            self._store.update(" ;\n".join(parts))

    def bulk_load(self, data, fmt, graph=None) -> None:
        self._writable()
        kwargs = {"format": fmt}
        if graph is not None:
            kwargs["to_graph"] = ox.NamedNode(graph)
        if isinstance(data, Path) and self._loads_in_parallel(data, fmt):
            return self._parallel_load(data, kwargs)
        try:
            if isinstance(data, Path):
                kwargs["path"] = str(data)
                self._store.bulk_load(**kwargs)
            else:
                self._store.bulk_load(data if not isinstance(data, bytes) else io.BytesIO(data), **kwargs)
        except SyntaxError as exc:  # a corrupt dump is the user's input, not a crash: name the line
            raise ParseError(str(exc), line=exc.lineno) from exc

    def _loads_in_parallel(self, path: Path, fmt: ox.RdfFormat) -> bool:
        """Parallel loading splits a file at line ends, which is sound for line-based formats without blank
        nodes: pyoxigraph scopes blank node labels to one load call, so ``_:b1`` in two parts would become
        two nodes. A file that holds ``_:`` anywhere (even inside a literal) is loaded in one call."""
        if self.path is None or fmt not in _LINE_FORMATS or (os.cpu_count() or 1) < 2:
            return False
        try:
            if not PARALLEL_LOAD_MIN_BYTES <= path.stat().st_size <= PARALLEL_LOAD_MAX_BYTES:
                return False
            with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                return mm.find(b"_:") < 0
        except (OSError, ValueError):
            return False

    def _parallel_load(self, path: Path, kwargs: dict) -> None:
        """Load ``path`` in line-aligned parts, one thread each (pyoxigraph releases the GIL while it loads).
        Like any bulk load not atomic: a syntax error stops the load and names its line in the whole file."""
        parts = min(4, os.cpu_count() or 2)
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            size = len(mm)
            bounds = [0]
            for i in range(1, parts):
                cut = mm.find(b"\n", max(bounds[-1], size * i // parts))
                if cut < 0:
                    break
                bounds.append(cut + 1)
            bounds.append(size)
            spans = [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
            failures: list[tuple[int, BaseException]] = []

            def load(start: int, end: int) -> None:
                try:
                    with io.BufferedReader(_FileRange(path, start, end), 1 << 20) as reader:
                        self._store.bulk_load(reader, **kwargs)
                except BaseException as exc:  # noqa: BLE001 - handed to the calling thread below
                    failures.append((start, exc))

            threads = [threading.Thread(target=load, args=span, name="stadtgraph-load") for span in spans]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if failures:
                start, exc = min(failures, key=lambda f: f[0])
                if isinstance(exc, SyntaxError):
                    # pyoxigraph counts lines from the part's start; the user needs them in the file
                    line = (exc.lineno or 1) + mm[:start].count(b"\n")
                    raise ParseError(exc.msg.replace(f"line {exc.lineno} ", f"line {line} ", 1), line=line) from exc
                raise exc

    def clear(self) -> None:
        self._writable()
        self._store.clear()

    def close(self) -> None:
        if self.path is not None and not self.read_only:
            self._store.flush()

    def __iter__(self) -> Iterator[ox.Quad]:
        return iter(self._store)


# Run by OxigraphStore.replica in a child interpreter: argv = store path, output file, max quads ("" = any).
_DUMP_CHILD = """
import sys
import pyoxigraph as ox
path, out, limit = sys.argv[1:4]
try:
    store = ox.Store.read_only(path)
except OSError as exc:
    sys.exit(str(exc))
if limit and len(store) > int(limit):
    print("too-big")
else:
    with open(out, "wb") as fh:
        store.dump(fh, ox.RdfFormat.N_QUADS)
"""


class _FileRange(io.RawIOBase):
    """Bytes ``start`` to ``end`` of a file, as a readable stream of their own."""

    def __init__(self, path: Path, start: int, end: int) -> None:
        super().__init__()
        self._fh = open(path, "rb")  # noqa: SIM115 - closed in close()
        self._fh.seek(start)
        self._left = end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self._left)
        if n <= 0:
            return 0
        got = self._fh.readinto(memoryview(buffer)[:n]) or 0
        self._left -= got
        return got

    def close(self) -> None:
        self._fh.close()
        super().close()
