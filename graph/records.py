"""Records: the unit that loaders produce, the SHACL gate checks and the store holds in one named graph.

A record is one entity (a concept, a Themenfeld, a Vorlage …) with its triples and where they came
from (file, wiki page, revision, source URLs), so every finding and every refusal can name its source.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import URIRef


@dataclass(frozen=True)
class SourceRef:
    """Where a record came from. ``file`` is relative to the data directory where possible."""

    file: str
    page: str | None = None
    revision: int | None = None
    urls: tuple[str, ...] = ()
    kind: str = "rdf"  # wiki | wiki-export | reference | oparl | rdf

    def describe(self) -> str:
        out = self.file
        if self.page:
            out += f" [{self.page}]"
        if self.revision:
            out += f" (oldid {self.revision})"
        return out


@dataclass
class Record:
    """One entity with its own named graph."""

    iri: URIRef
    graph_iri: URIRef
    triples: rdflib.Graph
    source: SourceRef
    label: str = ""

    def __len__(self) -> int:
        return len(self.triples)


@dataclass
class LoadResult:
    """What loading some sources gave: the records that could be read, and an error for each that could not."""

    records: list[Record] = field(default_factory=list)
    errors: list = field(default_factory=list)  # list[graph.errors.LoaderError]

    def extend(self, other: LoadResult) -> LoadResult:
        self.records.extend(other.records)
        self.errors.extend(other.errors)
        return self


def source_name(path: Path, root: Path) -> str:
    """How a source file is named in records and reports: relative to ``root``, with ``/``; the path
    itself when it lies outside ``root``.

    >>> source_name(Path("/data/wiki/a.wiki"), Path("/data"))
    'wiki/a.wiki'
    >>> source_name(Path("/elsewhere/a.wiki"), Path("/data"))
    '/elsewhere/a.wiki'
    """
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
