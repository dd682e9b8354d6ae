"""The SPARQL 1.1 Protocol's query operation, read from the raw request and planned into a runnable job.

https://www.w3.org/TR/sparql11-protocol/#query-operation: GET with ``query=``, POST with a form, POST with
``application/sparql-query``; ``default-graph-uri``/``named-graph-uri``; results by ``Accept`` or by the
``format``/``output``/``results`` parameters clients like SPARQLWrapper send. Parameters are decoded
strictly as UTF-8 here (Werkzeug would silently replace bad bytes). No Flask: the view hands in bytes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from werkzeug.datastructures import MIMEAccept

from graph.errors import (
    BadRequest,
    NotAcceptable,
    PayloadTooLarge,
    QueryRefused,
    UnsupportedMediaType,
    UriTooLong,
)
from graph.formats import RDF_FORMATS, RESULT_FORMATS, Format, negotiate
from graph.iris import is_absolute_iri
from graph.query.executors import QueryJob
from graph.querytext import QueryInfo, check_public
from graph.search import index_for
from graph.search import sparql as full_text
from graph.settings import Settings
from graph.store import DATASETS, Store

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
FORMAT_PARAMS = ("format", "output", "results")
MAX_FIELDS = 200  # parameters per request; more is an attack, not a query


@dataclass
class ProtocolRequest:
    """A query operation as the protocol defines it; ``query`` is None for a bare GET."""

    query: str | None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    dataset: str | None = None
    format_params: list[str] = field(default_factory=list)
    via: str = "get"  # get, form, direct

    @property
    def protocol_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def decode_params(raw: bytes, where: str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` pairs, strictly UTF-8. :raises BadRequest: otherwise."""
    try:
        text = raw.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                         max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise BadRequest(f"Die Parameter ({where}) sind kein gültiges UTF-8. / "
                         f"The parameters ({where}) are not valid UTF-8.") from None
    except ValueError:
        raise BadRequest(f"Mehr als {MAX_FIELDS} Parameter / more than {MAX_FIELDS} parameters") from None


def _media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    if not content_type:
        return "", {}
    head, *rest = content_type.split(";")
    params = {}
    for part in rest:
        key, _, value = part.partition("=")
        params[key.strip().lower()] = value.strip().strip('"').lower()
    return head.strip().lower(), params


def parse_request(method: str, content_type: str | None, query_string: bytes, body: bytes,
                  settings: Settings) -> ProtocolRequest:
    """Read a query operation. :raises BadRequest, UnsupportedMediaType, QueryRefused, UriTooLong,
    PayloadTooLarge: as the protocol and the endpoint's limits say."""
    pairs = decode_params(query_string, "URL")
    via = "get"
    direct_query: str | None = None
    if method == "POST":
        mtype, mparams = _media_type(content_type)
        if mtype == SPARQL_UPDATE:
            raise _update_refused()
        if mtype == FORM:
            pairs = pairs + decode_params(body, "Formular / form")
            via = "form"
        elif mtype == SPARQL_QUERY:
            charset = mparams.get("charset", "utf-8")
            if charset not in ("utf-8", "utf8"):
                raise UnsupportedMediaType(f"Zeichensatz {charset!r} nicht unterstützt, nur UTF-8 / "
                                           f"charset {charset!r} not supported, only UTF-8")
            try:
                direct_query = body.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest("Die Anfrage ist kein gültiges UTF-8. / The query is not valid UTF-8.") from None
            via = "direct"
        else:
            raise UnsupportedMediaType(
                (f"Medientyp {mtype!r} wird nicht angenommen" if mtype else "Content-Type fehlt")
                + f"; erlaubt: {FORM}, {SPARQL_QUERY}. / "
                + (f"media type {mtype!r} not accepted" if mtype else "Content-Type missing")
                + f"; allowed: {FORM}, {SPARQL_QUERY}.")
    names = [k for k, _ in pairs]
    if "update" in names:
        raise _update_refused()
    queries = [v for k, v in pairs if k == "query"] + ([direct_query] if direct_query is not None else [])
    if len(queries) > 1:
        raise BadRequest(f"{len(queries)} Anfragen in einer Anforderung; genau eine ist erlaubt. / "
                         f"{len(queries)} queries in one request; exactly one is allowed.")
    if method == "POST" and not queries:
        raise BadRequest("Parameter 'query' fehlt / missing parameter 'query'")
    query = queries[0] if queries else None
    if query is not None and len(query) > settings.max_query_length:
        too_long = UriTooLong if via == "get" else PayloadTooLarge
        raise too_long(f"Die Anfrage ist länger als {settings.max_query_length} Zeichen. / "
                       f"The query is longer than {settings.max_query_length} characters.")
    if query is not None and not query.strip():
        raise BadRequest("Die Anfrage ist leer / the query is empty")
    req = ProtocolRequest(query=query, via=via)
    for key, value in pairs:
        if key in ("default-graph-uri", "named-graph-uri"):
            if not is_absolute_iri(value):
                raise BadRequest(f"{key}: {value!r} ist keine absolute IRI / is not an absolute IRI")
            (req.default_graphs if key == "default-graph-uri" else req.named_graphs).append(value)
        elif key in FORMAT_PARAMS:
            req.format_params.append(value)
        elif key == "dataset":
            if req.dataset is not None or value not in DATASETS:
                raise BadRequest(f"dataset muss einmal einer von {', '.join(DATASETS)} sein / "
                                 f"dataset must be given once, one of {', '.join(DATASETS)}")
            req.dataset = value
    if query is None and (req.protocol_dataset or req.dataset):
        raise BadRequest("Parameter 'query' fehlt / missing parameter 'query'")
    return req


def update_text(content_type: str | None, query_string: bytes, body: bytes, settings: Settings, *,
                writable: bool) -> str | None:
    """The update of a POST that is an update operation (https://www.w3.org/TR/sparql11-protocol/#update-operation):
    ``application/sparql-update`` or a form with ``update=``; None for any other request (a query).
    :raises BadRequest: for several updates, an empty one, bad UTF-8 or ``using-graph-uri`` /
    ``using-named-graph-uri`` (not offered: the update says USING itself);
    :raises PayloadTooLarge: over ``max_body_bytes``; :raises QueryRefused: (403) for an update to a
    service that takes no writes (``writable`` false: no tokens configured)."""
    mtype, mparams = _media_type(content_type)
    if mtype == SPARQL_UPDATE:
        charset = mparams.get("charset", "utf-8")
        if charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(f"Zeichensatz {charset!r} nicht unterstützt, nur UTF-8 / "
                                       f"charset {charset!r} not supported, only UTF-8")
        try:
            updates = [body.decode("utf-8")]
        except UnicodeDecodeError:
            raise BadRequest("Das Update ist kein gültiges UTF-8. / The update is not valid UTF-8.") from None
        pairs = decode_params(query_string, "URL")
    elif mtype == FORM:
        pairs = decode_params(query_string, "URL") + decode_params(body, "Formular / form")
        updates = [v for k, v in pairs if k == "update"]
        if not updates:
            return None
    else:
        return None
    if not writable:
        raise _update_refused()
    if len(body) > settings.max_body_bytes:
        raise PayloadTooLarge(f"Mehr als {settings.max_body_bytes} Bytes / more than {settings.max_body_bytes} bytes")
    names = {k for k, _ in pairs}
    if "query" in names or len(updates) != 1:
        raise BadRequest("Genau ein Update und keine Anfrage in einer Anforderung / exactly one update and no "
                         "query per request")
    if names & {"using-graph-uri", "using-named-graph-uri"}:
        raise BadRequest("using-graph-uri/using-named-graph-uri werden nicht angeboten; bitte USING im Update "
                         "/ not offered; write USING in the update")
    if not updates[0].strip():
        raise BadRequest("Das Update ist leer / the update is empty")
    return updates[0]


def _update_refused() -> QueryRefused:
    return QueryRefused("Der öffentliche Endpunkt ist nur lesbar: SPARQL Update wird nicht ausgeführt. / "
                        "The public endpoint is read-only: SPARQL Update is not run.")


def choose_format(accept: MIMEAccept, offered: tuple[Format, ...], params: list[str]) -> Format:
    """The answer's format: the first ``format``/``output``/``results`` value that names an offered
    format (SPARQLWrapper sends several, some empty), else by ``Accept``."""
    given = [p for p in params if p.strip()]
    for value in given:
        try:
            return negotiate(accept, offered, param=value)
        except NotAcceptable:
            continue
    if given:
        raise NotAcceptable(f"Format {given[0]!r} wird für diese Anfrage nicht angeboten; möglich: "
                            f"{', '.join(f.name for f in offered)} / not offered for this query")
    return negotiate(accept, offered)


def plan(req: ProtocolRequest, store: Store, settings: Settings, accept: MIMEAccept) -> tuple[QueryJob, QueryInfo]:
    """Check the query (read-only, no SERVICE, no graphs from outside the store), pick the formats
    and the dataset, and return the job for the runner."""
    assert req.query is not None
    info = check_public(req.query)
    query = full_text.rewrite(req.query, lambda text, limit: [
        iri for iri, _ in index_for(settings, store).matching(text, limit)])
    if req.protocol_dataset:
        # Protocol parameters override the query's own FROM/FROM NAMED (SPARQL 1.1 Protocol 2.1.4).
        default_graphs, named_graphs = list(req.default_graphs), list(req.named_graphs)
    elif info.has_dataset_clause:
        # Passed explicitly: the engine's union default graph would otherwise hide the FROM clause.
        default_graphs, named_graphs = list(info.from_graphs), list(info.from_named)
    else:
        default_graphs = named_graphs = None
    foreign = [g for g in (default_graphs or []) + (named_graphs or []) if not store.has_graph(g)]
    if foreign:
        raise QueryRefused(
            "Diese Graphen gibt es in diesem Speicher nicht; der Endpunkt lädt keine Daten von außen: "
            f"{', '.join(foreign)} / These graphs are not in this store; the endpoint never loads data "
            "from elsewhere.", graphs=foreign)
    graph_asked = info.returns_graph
    results_format = (RESULT_FORMATS[0] if graph_asked
                      else choose_format(accept, RESULT_FORMATS, req.format_params))
    graph_format = (choose_format(accept, RDF_FORMATS, req.format_params) if graph_asked
                    else RDF_FORMATS[0])
    job = QueryJob(
        query=query, results_format=results_format.name, graph_format=graph_format.name,
        dataset=req.dataset or "all", default_graphs=default_graphs, named_graphs=named_graphs,
        row_limit=settings.row_limit, timeout=settings.query_timeout)
    return job, info
