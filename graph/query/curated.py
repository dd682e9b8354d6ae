"""The curated queries of ``graph/queries/*.rq``: questions researchers ask, with typed parameters.

Each file starts with grlc-like ``#+`` lines holding YAML: ``title`` and ``description`` (``de``/``en``),
``params`` (name → ``type``, ``required``, ``description``, ``example``) and optionally ``dataset``.
A parameter is a variable of the query and is bound as an RDF term by substitution (SEP-0007), never
pasted into the text. :func:`load_catalog` checks every file at start-up, so a broken one fails the boot.

>>> q = parse_query_file("demo", '#+ title: {de: Demo, en: demo}\\n#+ description: Beispiel\\n'
...                      '#+ params: {x: {type: integer}}\\nSELECT ?x WHERE { ?s ?p ?x }')
>>> q.bind({"x": ["7"]})
{'x': rdflib.term.Literal('7', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))}
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from graph.errors import BadRequest, ConfigurationError, StadtgraphError
from graph.iris import is_absolute_iri
from graph.namespaces import PREFIXES
from graph.query.protocol import FORMAT_PARAMS
from graph.querytext import QueryInfo, check_public, syntax_error
from graph.store import DATASETS, to_ox

QUERY_DIR = Path(__file__).parent.parent / "queries"
MAX_PARAMETER_LENGTH = 1000  # characters of one parameter value (a keyword, an IRI, a date)
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _iri(value: str) -> Node:
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    if not is_absolute_iri(value):
        raise ValueError("keine absolute IRI / not an absolute IRI")
    return URIRef(value)


def _year(value: str) -> Node:
    if not re.fullmatch(r"\d{4}", value):
        raise ValueError("vierstellige Jahreszahl erwartet / four-digit year expected")
    return Literal(int(value), datatype=XSD.integer)


def _date(value: str) -> Node:
    return Literal(date.fromisoformat(value).isoformat(), datatype=XSD.date)


def _boolean(value: str) -> Node:
    if value.lower() not in ("true", "false", "1", "0"):
        raise ValueError("true oder false erwartet / true or false expected")
    return Literal(value.lower() in ("true", "1"), datatype=XSD.boolean)


# type name -> (conversion to an RDF term, JSON schema for OpenAPI)
PARAM_TYPES: dict[str, tuple[Callable[[str], Node], dict[str, Any]]] = {
    "iri": (_iri, {"type": "string", "format": "iri"}),
    "string": (lambda v: Literal(v), {"type": "string"}),
    "integer": (lambda v: Literal(int(v), datatype=XSD.integer), {"type": "integer"}),
    "year": (_year, {"type": "integer", "minimum": 1000, "maximum": 9999}),
    "date": (_date, {"type": "string", "format": "date"}),
    "boolean": (_boolean, {"type": "boolean"}),
}


# A value of each type, to try the binding at start-up when a parameter has no example.
_PLACEHOLDER = {"iri": "urn:stadtgraph:beispiel", "string": "x", "integer": "1", "year": "2000",
                "date": "2000-01-01", "boolean": "true"}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool = False
    description_de: str = ""
    description_en: str = ""
    example: str | None = None

    def convert(self, raw: str) -> Node:
        try:
            return PARAM_TYPES[self.type][0](raw.strip())
        except ValueError as exc:
            raise BadRequest(f"Parameter {self.name}: {raw!r} ist kein gültiger Wert vom Typ {self.type} ({exc}) / "
                             f"{raw!r} is not a valid {self.type}", parameter=self.name) from None


@dataclass
class CuratedQuery:
    name: str
    title_de: str
    title_en: str
    description_de: str
    description_en: str
    text: str
    params: list[Param] = field(default_factory=list)
    dataset: str = "all"
    info: QueryInfo = field(default_factory=QueryInfo)

    @property
    def returns_graph(self) -> bool:
        return self.info.returns_graph

    def bind(self, args: Mapping[str, list[str]]) -> dict[str, Node]:
        """Parameter values from a request (name → values) as RDF terms.

        :raises BadRequest: for unknown, repeated, missing or ill-typed parameters.
        """
        known = {p.name: p for p in self.params}
        unknown = sorted(set(args) - set(known) - set(FORMAT_PARAMS))
        if unknown:
            raise BadRequest(f"Unbekannte Parameter / unknown parameters: {', '.join(unknown)}; "
                             f"möglich / possible: {', '.join(known) or '-'}", parameters=unknown)
        bound: dict[str, Node] = {}
        for param in self.params:
            values = [v for v in args.get(param.name, []) if v.strip()]
            if len(values) > 1:
                raise BadRequest(f"Parameter {param.name} mehrfach angegeben / given more than once",
                                 parameter=param.name)
            if values and len(values[0]) > MAX_PARAMETER_LENGTH:
                raise BadRequest(f"Parameter {param.name} länger als {MAX_PARAMETER_LENGTH} Zeichen / longer than "
                                 f"{MAX_PARAMETER_LENGTH} characters", parameter=param.name, limit=MAX_PARAMETER_LENGTH)
            if values:
                bound[param.name] = param.convert(values[0])
            elif param.required:
                raise BadRequest(f"Parameter {param.name} fehlt / missing parameter {param.name}",
                                 parameter=param.name)
        return bound


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("de") or "")
    return str(value or "")


def parse_query_file(name: str, text: str) -> CuratedQuery:
    """One curated query from its text. :raises ConfigurationError: for any defect, naming the query."""
    def fail(msg: str) -> ConfigurationError:
        return ConfigurationError(f"Kuratierte Anfrage / curated query {name}: {msg}")

    if not _NAME.match(name):
        raise fail("Dateiname nur aus a-z, 0-9 und '-' / file name of a-z, 0-9 and '-' only")
    header_lines = [line[2:] for line in text.splitlines() if line.startswith("#+")]
    try:
        header = yaml.safe_load("\n".join(line.removeprefix(" ") for line in header_lines)) or {}
    except yaml.YAMLError as exc:
        raise fail(f"Kopf ist kein YAML / header is not YAML: {exc}") from None
    if not isinstance(header, dict) or not header.get("title") or not header.get("description"):
        raise fail("Kopf braucht title und description / header needs title and description")
    try:
        info = check_public(text)
    except StadtgraphError as exc:
        raise fail(exc.detail) from None
    if info.form is None:
        raise fail("keine SELECT-, ASK-, CONSTRUCT- oder DESCRIBE-Anfrage / not a query form")
    params = []
    for pname, spec in (header.get("params") or {}).items():
        spec = spec or {}
        if spec.get("type", "string") not in PARAM_TYPES:
            raise fail(f"Parameter {pname}: unbekannter Typ / unknown type {spec.get('type')!r}")
        if pname not in info.variables:
            raise fail(f"Parameter {pname} kommt in der Anfrage nicht als ?{pname} vor / is not a variable")
        if pname in FORMAT_PARAMS:
            raise fail(f"Parameter {pname}: Name ist reserviert / name is reserved")
        params.append(Param(pname, spec.get("type", "string"), bool(spec.get("required", False)),
                            _text(spec.get("description"), "de"), _text(spec.get("description"), "en"),
                            None if spec.get("example") is None else str(spec["example"])))
    dataset = header.get("dataset", "all")
    if dataset not in DATASETS:
        raise fail(f"dataset muss einer von {DATASETS} sein")
    query = CuratedQuery(name, _text(header["title"], "de"), _text(header["title"], "en"),
                         _text(header["description"], "de"), _text(header["description"], "en"),
                         text, params, dataset, info)
    _prepare(query, fail)
    return query


def _prepare(query: CuratedQuery, fail: Callable[[str], ConfigurationError]) -> None:
    """Parse and run the query once on an empty store, with its examples bound: syntax and binding
    errors surface at start-up."""
    empty = ox.Store()
    subs = {}
    for param in query.params:
        try:
            value = param.convert(param.example if param.example is not None else _PLACEHOLDER[param.type])
        except BadRequest as exc:
            raise fail(f"Beispiel / example: {exc.detail}") from None
        subs[ox.Variable(param.name)] = to_ox(value)
    try:
        empty.query(query.text, substitutions=subs or None)
    except SyntaxError as exc:
        raise fail(syntax_error(str(exc)).detail) from None
    except RuntimeError as exc:
        # e.g. a parameter that is not projected: the engine substitutes only projected variables.
        raise fail(f"Parameter nicht bindbar / parameters cannot be bound: {exc}") from None


def load_catalog(directory: Path | str = QUERY_DIR) -> dict[str, CuratedQuery]:
    """Every ``*.rq`` of the directory, checked and prepared. :raises ConfigurationError: on any defect."""
    catalog = {}
    for path in sorted(Path(directory).glob("*.rq")):
        catalog[path.stem] = parse_query_file(path.stem, path.read_text("utf-8"))
    if not catalog:
        raise ConfigurationError(f"Keine kuratierten Anfragen in / no curated queries in {directory}")
    return catalog
