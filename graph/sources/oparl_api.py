"""The council's OParl 1.1 endpoint (https://oparl.org/spezifikation/), read as German endpoints need it:
System → Body → the body's external object lists (``paper``, ``meeting``, ``organization``), each followed
along ``links.next`` to the end, with ``modified_since`` for incremental runs.

Real endpoints are untidy, and none of it may stop a harvest or duplicate an object: an id is recognised
whatever its scheme (``http``/``https``) or trailing slash (:func:`object_key`); an object repeated across
a page boundary is kept once; a page that links back to one already read ends the list; objects older than
``modified_since`` that an endpoint sends anyway (it ignored the filter) are passed over; transient errors
(timeouts, 429, 5xx) are retried with exponential backoff a bounded number of times, honouring
``Retry-After``. Nothing here writes anywhere.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import requests

from graph.errors import StadtgraphError

USER_AGENT = ("stadtgraph/1.0 (Wissensgraph der Stadt Oberhausen; liest Ratsvorlagen über OParl; "
              "https://daten.oberhausen.de/stadtgraph/) python-requests/" + requests.__version__)
TRANSIENT = {429, 500, 502, 503, 504}
MAX_PAGES = 10_000  # a list longer than this is an endpoint looping on itself


class CouncilUnavailable(StadtgraphError):
    """The OParl endpoint did not answer (down, too slow, or an error after every retry); nothing was changed."""

    status = 503
    slug = "council-unavailable"
    title = "Ratsinformationssystem nicht erreichbar / council system unavailable"


def object_key(oparl_id: str) -> str:
    """One spelling of an OParl id: ``https``, no trailing slash.

    >>> object_key("http://ratsinfo.example/oparl/paper/7/") == object_key("https://ratsinfo.example/oparl/paper/7")
    True
    """
    key = oparl_id.strip()
    if key.startswith("http://"):
        key = "https://" + key[len("http://"):]
    return key.rstrip("/")


def parse_time(value: Any) -> datetime | None:
    """An OParl date-time (or date), or None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class OParlClient:
    """Read access to one OParl system. ``requests`` counts HTTP requests (for the harvest report)."""

    def __init__(self, system_url: str, *, timeout: float = 30.0, tries: int = 4, backoff: float = 0.5,
                 session: requests.Session | None = None) -> None:
        self.system_url = system_url
        self.timeout = timeout
        self.tries = max(1, tries)
        self.backoff = backoff
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        self.requests = 0

    def get(self, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        """One OParl object or list page. :raises CouncilUnavailable: after ``tries`` transient failures, or
        at once for an answer that is no JSON object."""
        last = ""
        for attempt in range(self.tries):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            self.requests += 1
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except requests.RequestException as exc:
                last = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code in TRANSIENT:
                last = f"HTTP {response.status_code}"
                wait = response.headers.get("Retry-After", "")
                if wait.isdigit() and attempt + 1 < self.tries:
                    time.sleep(min(float(wait), 30.0))
                continue
            if response.status_code != 200:
                raise CouncilUnavailable(f"{url}: HTTP {response.status_code}")
            try:
                body = response.json()
            except ValueError as exc:
                raise CouncilUnavailable(f"{url}: keine JSON-Antwort / no JSON answer") from exc
            if not isinstance(body, dict):
                raise CouncilUnavailable(f"{url}: kein JSON-Objekt / not a JSON object")
            return body
        raise CouncilUnavailable(f"{url}: nach {self.tries} Versuchen / after {self.tries} tries: {last}")

    def bodies(self) -> list[dict[str, Any]]:
        """The system's bodies (the ``body`` list, itself paged)."""
        system = self.get(self.system_url)
        where = system.get("body")
        if not isinstance(where, str):
            raise CouncilUnavailable(f"{self.system_url}: das System nennt keine body-Liste / the system names "
                                     "no body list")
        return list(self.listing(where))

    def listing(self, url: str, modified_since: datetime | None = None) -> Iterator[dict[str, Any]]:
        """Every object of an external list, once each, following ``links.next``."""
        params = {"modified_since": modified_since.isoformat(timespec="seconds")} if modified_since else None
        seen_pages: set[str] = set()
        seen_objects: set[str] = set()
        page_url: str | None = url
        for _ in range(MAX_PAGES):
            if page_url is None or object_key(page_url) in seen_pages:
                return
            seen_pages.add(object_key(page_url))
            page = self.get(page_url, params)
            params = None  # the next link carries the filter itself (OParl 1.1, 2.5.3)
            for obj in page.get("data") or []:
                if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
                    continue
                key = object_key(obj["id"])
                if key in seen_objects:
                    continue
                changed = parse_time(obj.get("modified"))
                if modified_since and changed and changed.tzinfo and changed < modified_since:
                    continue  # the endpoint ignored the filter: this object is older than asked
                seen_objects.add(key)
                yield obj
            links = page.get("links") or {}
            page_url = links.get("next") if isinstance(links, dict) and isinstance(links.get("next"), str) else None
