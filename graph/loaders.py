"""Loaders: every kind of source the city keeps, read into :class:`~graph.records.Record` objects.

- wiki pages as wikitext (``*.wiki``) and MediaWiki XML exports (``*.xml``): :mod:`graph.sources.wiki`
- reference data (``*.yaml``) and council data as OParl JSON (``*.oparl.json``): :mod:`graph.sources.reference.loader`
- plain RDF files (Turtle, JSON-LD, N-Triples, RDF/XML): one record per file, :mod:`graph.sources.rdf`.

A source that cannot be read yields a :class:`~graph.errors.LoaderError` naming the file (and page);
the other sources still load.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from graph.errors import LoaderError
from graph.iris import Iris
from graph.records import LoadResult, source_name
from graph.sources.rdf import RDF_FILE_FORMATS, load_rdf_file
from graph.sources.reference.loader import load_reference_file
from graph.sources.wiki.pages import read_export_file, read_wiki_file

Loader = Callable[[Path, Iris, Path], LoadResult]

#: How a file's name ends → the reader of that kind of source. ``seiten.yaml`` is the wiki's page index,
#: read by :mod:`graph.sources.wiki.pages` together with the pages it describes, so it is no source itself.
LOADERS: dict[tuple[str, ...], Loader] = {
    (".wiki", ".wikitext", ".mediawiki"): read_wiki_file,
    (".xml",): read_export_file,
    (".yaml", ".yml", ".oparl.json"): load_reference_file,
    tuple(RDF_FILE_FORMATS): load_rdf_file,
}
NOT_SOURCES = ("seiten.yaml",)


def loader_for(path: Path) -> Loader | None:
    """The loader for a file, by its name; None for files that are not sources (README, …).

    >>> loader_for(Path("data/wiki/konzepte/Mobilitätsstrategie.wiki")).__name__
    'read_wiki_file'
    >>> loader_for(Path("data/wiki/seiten.yaml")) is None
    True
    """
    name = path.name.lower()
    if name in NOT_SOURCES:
        return None
    return next((loader for endings, loader in LOADERS.items() if name.endswith(endings)), None)


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
            progress(source_name(path, root))
        loader = loader_for(path)
        try:
            result.extend(loader(path, iris, root))
        except LoaderError as exc:
            result.errors.append(exc)
        except (OSError, UnicodeDecodeError) as exc:
            result.errors.append(LoaderError(str(exc), source=source_name(path, root)))
    return result
