"""The wire under the remote store: SPARQL 1.1 Protocol queries and updates over HTTP, with a time limit.

https://www.w3.org/TR/sparql11-protocol/ — queries go to the query URL without credentials; updates
go to the update URL with HTTP digest or basic auth. Built on urllib rather than SPARQLWrapper:
SPARQLWrapper installs a process-wide urllib opener for digest auth (shared by every thread), posts forms
without a charset (Virtuoso then reads UTF-8 as Latin-1), and guesses the query form by regular
expression, which misreads our Virtuoso pragmas. Errors become :mod:`graph.errors` with a German and
English message.
"""
from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message

from graph.errors import ConfigurationError, QuerySyntaxError, QueryTimeout, StoreUnavailable

FORM = "application/x-www-form-urlencoded; charset=UTF-8"
# Seconds added to the server-side limit before the client gives up itself: the store should answer
# first (with its own timeout report), the socket timeout is the backstop for a store that hangs.
GRACE = 5.0


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "") or ""


class SparqlHttp:
    """One SPARQL service: query URL (anonymous), update URL (authenticated). Thread-safe: every call
    builds its own request."""

    def __init__(self, query_url: str, update_url: str = "", user: str = "", password: str = "",
                 *, timeout: float = 10.0) -> None:
        if not query_url:
            raise ConfigurationError("store=sparql braucht sparql_query_url / needs sparql_query_url")
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.timeout = timeout
        self._user, self._password = user, password
        self._local = threading.local()
        # Queries never carry credentials: a query that reaches the store as an administrator could
        # use the store's own outbound features (SERVICE, sponging) that the anonymous account lacks.
        self._anonymous = urllib.request.build_opener(_NoRedirect())

    @property
    def _authenticated(self) -> urllib.request.OpenerDirector:
        """One opener per thread: urllib's digest handler counts nonces and retries in shared fields."""
        opener = getattr(self._local, "opener", None)
        if opener is None:
            handlers: list[urllib.request.BaseHandler] = []
            if self._user:
                passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                passwords.add_password(None, self.update_url, self._user, self._password)
                handlers += [urllib.request.HTTPDigestAuthHandler(passwords),
                             urllib.request.HTTPBasicAuthHandler(passwords)]
            opener = self._local.opener = urllib.request.build_opener(_NoRedirect(), *handlers)
        return opener

    # -- requests ------------------------------------------------------------------------------------
    def query(self, text: str, *, accept: str, params: list[tuple[str, str]] | None = None,
              timeout: float | None = None) -> Response:
        """POST a query (form-encoded, so long queries never hit URL limits); ``params`` are further
        protocol parameters (``default-graph-uri`` may repeat)."""
        form = [("query", text), *(params or [])]
        return self._post(self._anonymous, self.query_url, form, accept, timeout)

    def update(self, text: str, *, timeout: float | None = None) -> Response:
        """POST an update with credentials."""
        return self._post(self._authenticated, self.update_url, [("update", text)],
                          "application/sparql-results+json, */*;q=0.1", timeout)

    def _post(self, opener: urllib.request.OpenerDirector, url: str, form: list[tuple[str, str]], accept: str,
              timeout: float | None) -> Response:
        data = urllib.parse.urlencode(form, encoding="utf-8").encode("ascii")
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": FORM, "Accept": accept})
        limit = (timeout if timeout is not None else self.timeout) + GRACE
        try:
            with opener.open(request, timeout=limit) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            body = exc.read()
            raise _error(exc.code, body, url) from None
        except TimeoutError as exc:
            raise QueryTimeout(f"Der Speicher hat nicht binnen {limit:.0f} s geantwortet / "
                               f"the store did not answer within {limit:.0f} s") from exc
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreUnavailable(f"{_host(url)}: {reason}") from exc


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would re-send a form (possibly with credentials) to another address: refuse it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _host(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def store_message(body: bytes, limit: int = 600) -> str:
    """The store's error text, shortened, without the echo of our query (Virtuoso appends it)."""
    text = body.decode("utf-8", "replace")
    text = text.split("\nSPARQL query:", 1)[0].strip()
    return text[:limit]


def _error(status: int, body: bytes, url: str) -> Exception:
    message = store_message(body)
    if status == 400:
        return QuerySyntaxError(f"Der Speicher lehnt die Anfrage ab / the store refused the request: {message}")
    if status in (401, 403):
        return StoreUnavailable(f"Anmeldung am Speicher abgelehnt (sparql_user/sparql_password prüfen) / "
                                f"the store refused the credentials ({status}): {message}")
    if status == 404:
        return StoreUnavailable(f"Speicher-Endpunkt nicht gefunden / store endpoint not found: {_host(url)}")
    if "S1T00" in message or "SR171" in message or "estimated execution time" in message:
        # SR171: the store's own time limit; "estimated execution time": refused up front by its planner.
        return QueryTimeout(f"Zeitlimit im Speicher überschritten / store time limit exceeded: {message}")
    return StoreUnavailable(f"Speicherfehler / store error ({status}): {message}")
