"""Reference data (YAML, in the layout the city keeps its registers in) and council data (OParl 1.1
JSON), read into one record per entry, each in its own named graph with its sources and confidence.

A reference file is a mapping: ``format: stadtgraph-referenz/1``, optional ``stand`` and
``beschreibung``, a source table ``quellen`` (key → URL), and sections named after
:data:`graph.sources.reference.sections.SECTIONS`. A section is a list of entries, or ``{gemeinsam: {…}, eintraege:
[…]}`` where ``gemeinsam`` holds fields shared by every entry. A malformed entry yields a
:class:`~graph.errors.LoaderError` naming file and entry; the other entries still load.

>>> from graph.iris import Iris
>>> from graph.settings import PROJECT_ROOT
>>> data = PROJECT_ROOT / "data"
>>> result = load_reference_file(data / "referenz" / "raum.yaml", Iris("https://example.org/"), data)
>>> result.errors
[]
>>> sorted(str(r.iri) for r in result.records)[0]
'https://example.org/raum/sozialquartier/alstaden'
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from graph.errors import LoaderError, NestingTooDeep
from graph.iris import Iris
from graph.nesting import MAX_DEPTH
from graph.records import LoadResult, source_name
from graph.sources import oparl
from graph.sources.reference.entries import Entry, EntryError, check_shape
from graph.sources.reference.sections import SECTIONS, Context

FORMAT = "stadtgraph-referenz/1"
META_KEYS = ("format", "stand", "beschreibung", "quellen")


def load_reference_file(path: Path, iris: Iris, root: Path) -> LoadResult:
    """Load one reference file (``*.yaml``/``*.yml``) or council file (``*.oparl.json``)."""
    path = Path(path)
    rel = source_name(path, Path(root))
    if path.name.lower().endswith(".oparl.json"):
        return oparl.load_oparl_file(path, iris, rel)
    return load_yaml_file(path, iris, rel)


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases: aliases let a few bytes expand into gigabytes, and the
    source table (``quellen``) already covers what they would be used for. Nesting is bounded here, where
    PyYAML recurses (its composer; the scanner and parser before it are flat), at :data:`MAX_DEPTH`."""

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "Aliase (*name) sind nicht erlaubt / aliases are "
                                              "not allowed", event.start_mark)
        if self.depth >= MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise NestingTooDeep(
                f"YAML ist tiefer als {MAX_DEPTH} Ebenen verschachtelt (Zeile {mark.line + 1}) / YAML is nested "
                f"deeper than {MAX_DEPTH} levels (line {mark.line + 1})", limit=MAX_DEPTH, line=mark.line + 1,
                column=mark.column + 1)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def read_yaml(path: Path, rel: str) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_NoAliasLoader)
    except NestingTooDeep as exc:
        raise NestingTooDeep(exc.detail, source=rel, limit=MAX_DEPTH, line=exc.extra.get("line"),
                             column=exc.extra.get("column")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (Zeile {mark.line + 1}, Spalte {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise LoaderError(f"YAML nicht lesbar / unreadable YAML{where}: {problem}", source=rel,
                          line=mark.line + 1 if mark else None) from exc


def load_yaml_file(path: Path, iris: Iris, rel: str) -> LoadResult:
    result = LoadResult()
    try:
        raw = read_yaml(path, rel)
        sources = _check_file(raw, rel)
    except LoaderError as exc:
        result.errors.append(exc)
        return result
    ctx = Context(iris=iris, file=rel, raw=raw)
    seen: dict[str, str] = {}
    for section, value in raw.items():
        if section in META_KEYS:
            continue
        spec = SECTIONS.get(section)
        if spec is None:
            result.errors.append(LoaderError(
                f"unbekannter Abschnitt / unknown section (bekannt / known: {', '.join(SECTIONS)})",
                source=rel, page=str(section)))
            continue
        try:
            items = _section_entries(value)
        except EntryError as exc:
            result.errors.append(LoaderError(str(exc), source=rel, page=section))
            continue
        for number, data in enumerate(items, start=1):
            where = f"{section}[{number}] {spec.name_of(data)}".strip()
            try:
                check_shape(data, spec.shape)
                record = spec.build(Entry(data, sources), ctx)
            except EntryError as exc:
                result.errors.append(LoaderError(str(exc), source=rel, page=where))
                continue
            if str(record.iri) in seen:
                result.errors.append(LoaderError(
                    f"doppelter Eintrag, schon als {seen[str(record.iri)]} verzeichnet / duplicate entry",
                    source=rel, page=where))
                continue
            seen[str(record.iri)] = where
            result.records.append(record)
    return result


def _check_file(raw: Any, rel: str) -> dict[str, str]:
    """Check the file's frame; return its source table."""
    if not isinstance(raw, dict):
        raise LoaderError("Referenzdatei ist keine Zuordnung / reference file is not a mapping", source=rel)
    if raw.get("format") != FORMAT:
        raise LoaderError(f"format: {FORMAT!r} erwartet / expected, nicht / not {raw.get('format')!r}", source=rel)
    sources = raw.get("quellen") or {}
    if not isinstance(sources, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                for k, v in sources.items()):
        raise LoaderError("quellen: erwartet Kürzel: URL / expected key: URL", source=rel, page="quellen")
    bad = [k for k, v in sources.items() if not v.startswith(("http://", "https://"))]
    if bad:
        raise LoaderError(f"quellen: keine URL für / no URL for {', '.join(bad)}", source=rel, page="quellen")
    return sources


def _section_entries(value: Any) -> list[Any]:
    """The entries of a section, with the section's ``gemeinsam`` fields merged into each."""
    if isinstance(value, list):
        return value
    if not (isinstance(value, dict) and set(value) <= {"gemeinsam", "eintraege"}
            and isinstance(value.get("eintraege"), list) and isinstance(value.get("gemeinsam", {}), dict)):
        raise EntryError("Abschnitt: erwartet eine Liste oder {gemeinsam, eintraege} "
                         "/ section: expected a list or {gemeinsam, eintraege}")
    common = value.get("gemeinsam") or {}
    return [_merge(common, item) if isinstance(item, dict) else item for item in value["eintraege"]]


def _merge(common: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    merged = {**common, **entry}
    shared, own = common.get("abgeleitet"), entry.get("abgeleitet")
    if not all(isinstance(x, (dict, type(None))) for x in (shared, own)):
        return merged  # the shape check reports the malformed field
    # a shared derivation applies only to entries that have the field it speaks of
    derived = {k: v for k, v in (shared or {}).items() if merged.get(k) is not None}
    derived.update(own or {})
    if derived:
        merged["abgeleitet"] = derived
    else:
        merged.pop("abgeleitet", None)
    return merged
