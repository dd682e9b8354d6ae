"""One error hierarchy for the whole library: every error carries the HTTP status it maps to.

The HTTP layer renders any :class:`StadtgraphError` as ``application/problem+json`` (RFC 9457) or as a
page; the CLI prints ``title: detail`` and exits non-zero. Nothing here knows about Flask.
"""
from __future__ import annotations

from typing import Any


class StadtgraphError(Exception):
    """Base class. ``status`` is the HTTP status; ``slug`` names the problem type."""

    status: int = 500
    slug: str = "internal-error"
    title: str = "Interner Fehler / internal error"

    def __init__(self, detail: str = "", *, title: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if title:
            self.title = title
        self.extra = extra

    def problem(self) -> dict[str, Any]:
        """The RFC 9457 problem document (without ``instance``; the HTTP layer adds request data)."""
        body: dict[str, Any] = {
            "type": f"https://daten.oberhausen.de/stadtgraph/problems/{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        body.update({k: v for k, v in self.extra.items() if v is not None})
        return body


class ConfigurationError(StadtgraphError):
    status = 500
    slug = "configuration"
    title = "Fehlerhafte Konfiguration / invalid configuration"


class BadRequest(StadtgraphError):
    status = 400
    slug = "bad-request"
    title = "Fehlerhafte Anfrage / bad request"


class ParseError(BadRequest):
    """Input that could not be parsed; ``line``/``column`` say where, when known."""

    slug = "parse-error"
    title = "Eingabe nicht lesbar / input could not be parsed"


class QuerySyntaxError(ParseError):
    slug = "query-syntax"
    title = "SPARQL-Syntaxfehler / SPARQL syntax error"


class SearchSyntaxError(ParseError):
    """A full-text search text that cannot be read (an unclosed quote, a dangling OR, too many words)."""

    slug = "search-syntax"
    title = "Fehlerhafte Suchanfrage / search syntax error"


class QueryRefused(BadRequest):
    """A query the public endpoint does not run (update, SERVICE, LOAD, foreign dataset)."""

    status = 403
    slug = "query-refused"
    title = "Anfrage nicht erlaubt / query not allowed"


class NotFound(StadtgraphError):
    status = 404
    slug = "not-found"
    title = "Nicht gefunden / not found"


class Gone(StadtgraphError):
    """The resource was there and is no longer (its wiki page was deleted)."""

    status = 410
    slug = "gone"
    title = "Nicht mehr vorhanden / gone"


class MethodNotAllowed(StadtgraphError):
    status = 405
    slug = "method-not-allowed"
    title = "Methode nicht erlaubt / method not allowed"


class NotAcceptable(StadtgraphError):
    status = 406
    slug = "not-acceptable"
    title = "Kein passendes Format / not acceptable"


class PayloadTooLarge(StadtgraphError):
    status = 413
    slug = "payload-too-large"
    title = "Anfrage zu groß / payload too large"


class UriTooLong(StadtgraphError):
    status = 414
    slug = "uri-too-long"
    title = "Adresse zu lang / URI too long"


class UnsupportedMediaType(StadtgraphError):
    status = 415
    slug = "unsupported-media-type"
    title = "Nicht unterstützter Medientyp / unsupported media type"


class Unauthorized(StadtgraphError):
    status = 401
    slug = "unauthorized"
    title = "Anmeldung erforderlich / authentication required"


class Forbidden(StadtgraphError):
    """An authenticated request for something nobody may do here (e.g. writing the inferred graph)."""

    status = 403
    slug = "forbidden"
    title = "Nicht erlaubt / forbidden"


class GraphNameInvalid(BadRequest):
    """A write to a graph name that is not written in its one normal spelling (dot segments, an encoded
    slash, escapes of plain characters); ``rule`` names the rule, ``normal`` the spelling to use, if any."""

    slug = "graph-name"
    title = "Graphname nicht in Normalform / graph name not in normal form"


class GraphNotWritable(Forbidden):
    """A write to a graph outside ``{base}graph/`` or to one the service writes itself; ``rule`` names it."""

    slug = "graph-not-writable"
    title = "Graph nicht beschreibbar / graph not writable"


class ValidationFailed(StadtgraphError):
    """A record (or write) with SHACL violations; ``report`` holds the findings."""

    status = 422
    slug = "validation-failed"
    title = "Datensatz verletzt die Regeln / record violates the shapes"


class LoaderError(StadtgraphError):
    """A source that could not be read: names the file, the page (if any) and what was wrong."""

    status = 400
    slug = "source-unreadable"
    title = "Quelle nicht lesbar / source could not be read"

    def __init__(self, detail: str, *, source: str = "", page: str | None = None, **extra: Any) -> None:
        where = source + (f" [{page}]" if page else "")
        super().__init__(f"{where}: {detail}" if where else detail, source=source, page=page, **extra)
        self.source = source
        self.page = page


class NestingTooDeep(LoaderError):
    """Input nested deeper than the service reads (:mod:`graph.nesting`), refused before any parser runs;
    ``limit`` names the bound, ``line``/``column`` where it is passed."""

    status = 400
    slug = "nesting-too-deep"
    title = "Zu tief verschachtelt / nested too deeply"


class QueryTimeout(StadtgraphError):
    status = 503
    slug = "query-timeout"
    title = "Zeitlimit überschritten / query time limit exceeded"


class Overloaded(StadtgraphError):
    status = 503
    slug = "overloaded"
    title = "Dienst ausgelastet / service busy"


class StoreUnavailable(StadtgraphError):
    status = 503
    slug = "store-unavailable"
    title = "Datenspeicher nicht erreichbar / store unavailable"


class NotReady(StadtgraphError):
    """The service runs but cannot answer yet (e.g. the store is empty before the first build)."""

    status = 503
    slug = "not-ready"
    title = "Dienst nicht bereit / service not ready"
