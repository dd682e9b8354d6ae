"""Loaders: every kind of source the city keeps, read into :class:`~graph.records.Record` objects.

- wiki pages as wikitext (``*.wiki``) and MediaWiki XML exports (``*.xml``): :mod:`graph.wikitext`
- reference data (``*.yaml``) and council data as OParl JSON (``*.oparl.json``): :mod:`graph.reference`
- plain RDF files (Turtle, JSON-LD, N-Triples, RDF/XML): one record per file, read here.

A source that cannot be read yields a :class:`~graph.errors.LoaderError` naming the file (and page);
the other sources still load.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from graph.errors import LoaderError
from graph.iris import Iris
from graph.records import LoadResult, Record, SourceRef

RDF_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
}

Loader = Callable[[Path, Iris, Path], LoadResult]


def _rdf_loader(path: Path, iris: Iris, root: Path) -> LoadResult:
    """A plain RDF file becomes one record in its own source graph."""
    from graph.rdfparse import parse_rdf  # hardened parsing (no entities, no remote contexts)

    rel = _relative(path, root)
    try:
        # relative IRIs in a shipped file resolve against the configured base (e.g. <schema/themenfelder>)
        g = parse_rdf(path.read_bytes(), RDF_FORMATS[path.suffix.lower()], source=rel, base=iris.base)
    except LoaderError as exc:
        return LoadResult(errors=[exc])
    graph_iri = iris.source_graph(rel)
    return LoadResult(records=[Record(graph_iri, graph_iri, g, SourceRef(rel, kind="rdf"), label=rel)])


def _wiki_loader(path: Path, iris: Iris, root: Path) -> LoadResult:
    from graph import wikitext

    return wikitext.load_wiki_file(path, iris, root)


def _export_loader(path: Path, iris: Iris, root: Path) -> LoadResult:
    from graph import wikitext

    return wikitext.load_export_file(path, iris, root)


def _reference_loader(path: Path, iris: Iris, root: Path) -> LoadResult:
    from graph import reference

    return reference.load_reference_file(path, iris, root)


def loader_for(path: Path) -> Loader | None:
    """The loader for a file, by its name; None for files that are not sources (README, …)."""
    name = path.name.lower()
    if name == "seiten.yaml":  # the wiki's page index: read by graph.wiki_sources with the pages it describes
        return None
    if name.endswith((".wiki", ".wikitext", ".mediawiki")):
        return _wiki_loader
    if name.endswith(".xml"):
        return _export_loader
    if name.endswith((".yaml", ".yml", ".oparl.json")):
        return _reference_loader
    if path.suffix.lower() in RDF_FORMATS:
        return _rdf_loader
    return None


def source_files(paths: Iterable[Path]) -> list[Path]:
    """Every source file under the given files or directories, in a stable order."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(f for f in sorted(p.rglob("*")) if f.is_file() and loader_for(f))
        elif p.is_file() and loader_for(p):
            out.append(p)
    return out


def load_paths(paths: Iterable[Path], iris: Iris, root: Path | None = None,
               progress: Callable[[str], None] | None = None) -> LoadResult:
    """Load every source under ``paths``. ``root`` is what source file names are relative to."""
    paths = [Path(p) for p in paths]
    root = Path(root) if root else (paths[0] if len(paths) == 1 and paths[0].is_dir() else Path.cwd())
    result = LoadResult()
    for path in source_files(paths):
        if progress:
            progress(_relative(path, root))
        loader = loader_for(path)
        try:
            result.extend(loader(path, iris, root))
        except LoaderError as exc:
            result.errors.append(exc)
        except (OSError, UnicodeDecodeError) as exc:
            result.errors.append(LoaderError(str(exc), source=_relative(path, root)))
    return result


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
