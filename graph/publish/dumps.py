"""Dumps of the whole graph (Turtle, N-Triples gzip, JSON-LD, N-Quads with the named graphs) and of the
subsets the catalog offers (per Themenfeld, per Sozialraum), written atomically as one versioned set.

Each set goes to a fresh directory that is renamed into place complete, then ``current.json`` is
replaced to point at it; a reader sees the old set or the new one, never a half-written file. A file
lock makes concurrent writers (several workers, a build) write each set once.
"""
from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from graph.formats import by_name, serialize_triples
from graph.iris import slugify
from graph.labels import fetch_labels
from graph.namespaces import sparql_prologue
from graph.store import Store

POINTER = "current.json"
MANIFEST = "manifest.json"
KEEP_VERSIONS = 2  # the current set and the one before, for readers still holding the old pointer


@dataclass(frozen=True)
class DumpSpec:
    name: str
    format: str  # a name of graph.formats
    media_type: str
    gzip: bool = False
    title_de: str = ""
    title_en: str = ""


FULL_DUMPS: tuple[DumpSpec, ...] = (
    DumpSpec("stadtgraph.ttl", "turtle", "text/turtle", title_de="Gesamtgraph als Turtle",
             title_en="Whole graph as Turtle"),
    DumpSpec("stadtgraph.nt.gz", "ntriples", "application/n-triples", gzip=True,
             title_de="Gesamtgraph als N-Triples (gzip)", title_en="Whole graph as N-Triples (gzip)"),
    DumpSpec("stadtgraph.jsonld", "jsonld", "application/ld+json", title_de="Gesamtgraph als JSON-LD",
             title_en="Whole graph as JSON-LD"),
    DumpSpec("stadtgraph.nq", "nquads", "application/n-quads",
             title_de="Gesamtgraph als N-Quads mit den benannten Graphen",
             title_en="Whole graph as N-Quads with the named graphs"),
)

# Subsets: the records of one Themenfeld or Sozialraum with their concepts (asserted and inferred).
# {t} is the Themenfeld or Sozialraum IRI, written by pyoxigraph (checked and escaped).
_SUBSET_THEMENFELD = sparql_prologue() + """
CONSTRUCT { ?s ?p ?o } WHERE {
  { VALUES ?s { {t} } } UNION { ?s ob:gehoertZuThemenfeld {t} } UNION { ?s a ob:Konzept ; ob:themenfeld {t} }
  ?s ?p ?o
}"""

_SUBSET_SOZIALRAUM = sparql_prologue() + """
CONSTRUCT { ?s ?p ?o } WHERE {
  { VALUES ?s { {t} } } UNION { ?s ob:liegtIn+ {t} }
  UNION { ?s a ob:Konzept ; ob:betrifftRaum {t} } UNION { ?s a ob:Konzept ; ob:geltungsbereich {t} }
  UNION { ?s a ob:Konzept ; ob:geltungsbereich ?g . ?g ob:liegtIn+ {t} }
  UNION { ?s a ob:Konzept ; ob:geltungsbereich ?g . {t} ob:liegtIn+ ?g }
  ?s ?p ?o
}"""

_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_SUBJECTS = sparql_prologue() + "SELECT DISTINCT ?t WHERE { ?t a ?class FILTER(isIRI(?t)) }"


@dataclass(frozen=True)
class Subset:
    kind: str  # "themenfeld" or "sozialraum"
    iri: str
    label: str

    @property
    def name(self) -> str:
        return f"{self.kind}-{slugify(self.label)}.ttl"


@dataclass
class DumpFile:
    name: str
    format: str
    media_type: str
    size: int
    sha256: str
    title_de: str
    title_en: str
    gzip: bool = False
    subset: str | None = None  # IRI of the Themenfeld or Sozialraum
    subset_kind: str | None = None
    subset_label: str | None = None


@dataclass
class DumpSet:
    fingerprint: str
    version: str
    written: str
    files: dict[str, DumpFile] = field(default_factory=dict)
    directory: Path | None = None

    def path(self, name: str) -> Path | None:
        if name not in self.files or self.directory is None:
            return None
        return self.directory / name

    @property
    def modified(self) -> datetime:
        return datetime.fromisoformat(self.written)


def subsets(store: Store, lang: str = "de") -> list[Subset]:
    """The subsets worth their own dataset: one per Themenfeld and one per Sozialraum."""
    out: list[Subset] = []
    for kind, cls in (("themenfeld", "ob:Themenfeld"), ("sozialraum", "ob:Sozialraum")):
        iris = [r["t"].value for r in store.query(_SUBJECTS.replace("?class", cls))]
        names = fetch_labels(store, iris, lang)
        out += sorted((Subset(kind, i, names[i]) for i in iris), key=lambda s: s.label.lower())
    return out


def subset_triples(store: Store, subset: Subset) -> list[ox.Triple]:
    query = _SUBSET_THEMENFELD if subset.kind == "themenfeld" else _SUBSET_SOZIALRAUM
    # Pasted, not substituted: pyoxigraph ignores a substitution of a variable CONSTRUCT does not show.
    return list(dict.fromkeys(store.query(query.replace("{t}", str(ox.NamedNode(subset.iri))))))


def subset_subjects(store: Store, subset: Subset) -> list[str]:
    """The records a subset holds (the subjects of :func:`subset_triples`)."""
    query = (_SUBSET_THEMENFELD if subset.kind == "themenfeld" else _SUBSET_SOZIALRAUM).replace(
        "CONSTRUCT { ?s ?p ?o } WHERE", "SELECT DISTINCT ?s WHERE")
    return [row["s"].value for row in store.query(query.replace("{t}", str(ox.NamedNode(subset.iri))))
            if isinstance(row["s"], ox.NamedNode)]


class _Hashing:
    """A write-through file wrapper that counts and hashes what passes, for size and checksum."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out, self.size, self.hash = out, 0, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.size += len(data)
        self.hash.update(data)
        return len(data)

    def flush(self) -> None:
        self.out.flush()


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    with open(directory / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current(dump_dir: str | Path) -> DumpSet | None:
    """The dump set ``current.json`` points at, or None if none was written yet."""
    root = Path(dump_dir)
    try:
        version = json.loads((root / POINTER).read_text("utf-8"))["version"]
        data = json.loads((root / version / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError, KeyError):
        return None
    files = {name: DumpFile(**info) for name, info in data.pop("files").items()}
    return DumpSet(**data, files=files, directory=root / version)


def ensure(store: Store, dump_dir: str | Path, fingerprint: str) -> DumpSet:
    """The dump set for ``fingerprint`` (the store's state): the current one if it matches, else a new
    one, written once even when several processes ask at the same time."""
    root = Path(dump_dir)
    found = current(root)
    if found is not None and found.fingerprint == fingerprint:
        return found
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root):
        found = current(root)  # another process may have written it while we waited
        if found is not None and found.fingerprint == fingerprint:
            return found
        return _write(store, root, fingerprint)


def _write(store: Store, root: Path, fingerprint: str) -> DumpSet:
    version = hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()[:16]
    staging = root / f".staging-{version}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    dumps = DumpSet(fingerprint, version, datetime.now(UTC).replace(microsecond=0).isoformat())
    try:
        for spec in FULL_DUMPS:
            dumps.files[spec.name] = _write_full(store, staging, spec)
        for subset in subsets(store):
            data = serialize_triples(subset_triples(store, subset), by_name("turtle"))
            (staging / subset.name).write_bytes(data)
            what = "Themenfeld" if subset.kind == "themenfeld" else "Sozialraum"
            dumps.files[subset.name] = DumpFile(
                subset.name, "turtle", "text/turtle", len(data), hashlib.sha256(data).hexdigest(),
                f"{what} „{subset.label}“ als Turtle", f"{what} “{subset.label}” as Turtle", subset=subset.iri,
                subset_kind=subset.kind, subset_label=subset.label)
        manifest = {k: v for k, v in asdict(dumps).items() if k != "directory"}
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
        final = root / version
        shutil.rmtree(final, ignore_errors=True)
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    pointer = root / f".{POINTER}.{os.getpid()}"
    pointer.write_text(json.dumps({"version": version}), "utf-8")
    os.replace(pointer, root / POINTER)
    _prune(root, keep=version)
    dumps.directory = root / version
    return dumps


def _write_full(store: Store, directory: Path, spec: DumpSpec) -> DumpFile:
    fmt = by_name(spec.format)
    with open(directory / spec.name, "wb") as raw:
        counted = _Hashing(raw)
        if spec.gzip:
            # mtime=0: the same graph gives the same bytes, so the checksum means something.
            with gzip.GzipFile(fileobj=counted, mode="wb", mtime=0) as zipped:
                store.dump(zipped, fmt.rdf)
        elif fmt.rdf == ox.RdfFormat.JSON_LD:
            # JSON-LD could carry the named graphs, but like Turtle this dump is the union; N-Quads has them.
            ox.serialize(store.query(_UNION), counted, ox.RdfFormat.JSON_LD)
        else:
            store.dump(counted, fmt.rdf)
    return DumpFile(spec.name, spec.format, spec.media_type, counted.size, counted.hash.hexdigest(),
                    spec.title_de, spec.title_en, gzip=spec.gzip)


def _prune(root: Path, keep: str) -> None:
    """Remove old sets but the newest ones (a reader that read the old pointer still finds its files)."""
    versions = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != keep]
    versions.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in versions[KEEP_VERSIONS - 1:]:
        shutil.rmtree(old, ignore_errors=True)
    for stale in root.glob(".staging-*"):
        if time.time() - stale.stat().st_mtime > 3600:  # left by a killed writer
            shutil.rmtree(stale, ignore_errors=True)
