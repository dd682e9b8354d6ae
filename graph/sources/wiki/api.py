"""The city's MediaWiki through its Action API (https://www.mediawiki.org/wiki/API:Main_page), read politely:
a descriptive User-Agent, one request at a time, up to 50 titles per query, ``maxlag``, a timeout on every
request, retries with backoff on 429, 5xx and maxlag (honouring ``Retry-After``), and the API's own
continuation (https://www.mediawiki.org/wiki/API:Continue). Nothing here writes to the wiki, and no editor's
user name is asked for (they are personal data).
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import requests

from graph.errors import StadtgraphError

USER_AGENT = ("stadtgraph/1.0 (Wissensgraph der Stadt Oberhausen; liest Konzept- und Themenfeldseiten; "
              "https://daten.oberhausen.de/stadtgraph/) python-requests/" + requests.__version__)
BATCH = 50  # titles per query: the API's limit for clients without apihighlimits


class WikiUnavailable(StadtgraphError):
    """The wiki did not answer (down, too slow, or an error after every retry); nothing was changed."""

    status = 503
    slug = "wiki-unavailable"
    title = "Wiki nicht erreichbar / wiki unavailable"


@dataclass(frozen=True)
class Revision:
    """The current revision of one page: ``text`` None if the page is missing (deleted or never there)."""

    title: str
    pageid: int | None
    revid: int | None
    timestamp: str | None
    text: str | None
    ns: int = 0
    redirect: bool = False

    @property
    def missing(self) -> bool:
        return self.text is None


@dataclass(frozen=True)
class Change:
    """One row of ``list=recentchanges``: an edit, a new page or a log entry (move, delete, restore)."""

    rcid: int
    timestamp: str
    type: str  # edit | new | log
    title: str
    ns: int
    logtype: str = ""
    logaction: str = ""
    target: str = ""  # a move's new title

    @property
    def position(self) -> tuple[str, int]:
        return (self.timestamp, self.rcid)


class WikiClient:
    """Read access to one MediaWiki. ``requests`` counts the HTTP requests made (for the harvest report)."""

    def __init__(self, api_url: str, *, timeout: float = 30.0, retries: int = 4, maxlag: int = 5,
                 backoff: float = 1.0, session: requests.Session | None = None) -> None:
        self.api_url = api_url
        self.timeout = timeout
        self.retries = retries
        self.maxlag = maxlag
        self.backoff = backoff
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.requests = 0
        self._site: dict[str, Any] | None = None

    # ---- one request, politely -------------------------------------------------------------------------
    def call(self, params: dict[str, Any]) -> dict[str, Any]:
        """One API request (GET), retried on 429, 5xx and maxlag with backoff honouring ``Retry-After``.

        :raises WikiUnavailable: when the wiki does not answer usably after the retries.
        """
        query = {"format": "json", "formatversion": "2", "maxlag": str(self.maxlag), **params}
        last = ""
        for attempt in range(self.retries + 1):
            wait = self.backoff * (2 ** attempt)
            try:
                self.requests += 1
                response = self.session.get(self.api_url, params=query, timeout=self.timeout)
            except requests.RequestException as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                retry_after = _seconds(response.headers.get("Retry-After"))
                if response.status_code == 429 or response.status_code >= 500:
                    last = f"HTTP {response.status_code}"
                    wait = max(wait, retry_after or 0)
                elif response.status_code != 200:
                    raise WikiUnavailable(f"Das Wiki antwortet mit HTTP {response.status_code} / the wiki answers "
                                          f"HTTP {response.status_code}", url=self.api_url)
                else:
                    try:
                        data = response.json()
                    except ValueError:
                        last = "keine JSON-Antwort / no JSON answer"
                    else:
                        error = data.get("error") or {}
                        if error.get("code") == "maxlag":
                            last = "maxlag"
                            wait = max(wait, retry_after or self.maxlag)
                        elif error:
                            raise WikiUnavailable(f"Fehler der Wiki-API / wiki API error: {error.get('code')}: "
                                                  f"{error.get('info')}", url=self.api_url)
                        else:
                            return data
            if attempt < self.retries:
                time.sleep(min(wait, 60.0))
        raise WikiUnavailable(f"Das Wiki ist nicht erreichbar ({last}); der Graph bleibt, wie er ist / the wiki "
                              f"is unavailable ({last}); the graph stays as it is", url=self.api_url)

    def query(self, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """``action=query`` with the API's continuation: each answer's ``query`` part in turn."""
        cont: dict[str, Any] = {}
        while True:
            data = self.call({"action": "query", **params, **cont})
            yield data.get("query") or {}
            if "continue" not in data:
                return
            cont = data["continue"]

    # ---- what the harvest asks -------------------------------------------------------------------------
    def site(self) -> dict[str, Any]:
        """``meta=siteinfo`` (general): server, script path, the wiki's clock."""
        if self._site is None:
            general = next(self.query({"meta": "siteinfo", "siprop": "general"}))["general"]
            self._site = general
        return self._site

    def now(self) -> str:
        """The wiki's own clock (ISO 8601, UTC), not cached."""
        return next(self.query({"meta": "siteinfo", "siprop": "general"}))["general"]["time"]

    def index_url(self) -> str:
        site = self.site()
        return site["server"].rstrip("/") + site["script"]

    def revision_url(self, title: str, revid: int) -> str:
        """The address of one revision: ``index.php?title=…&oldid=N``."""
        return f"{self.index_url()}?title={quote(title.replace(' ', '_'), safe='')}&oldid={int(revid)}"

    def diff_url(self, title: str, revid: int) -> str:
        """The wiki's diff of one revision against the one before it."""
        return f"{self.index_url()}?{urlencode({'title': title.replace(' ', '_'), 'diff': 'prev', 'oldid': revid})}"

    def embedded_in(self, template: str, namespace: int = 0) -> list[str]:
        """Titles of the pages that embed ``template`` (``list=embeddedin``)."""
        titles: list[str] = []
        for part in self.query({"list": "embeddedin", "eititle": template, "einamespace": namespace,
                                "eilimit": "max"}):
            titles += [p["title"] for p in part.get("embeddedin", [])]
        return titles

    def revisions(self, titles: list[str]) -> dict[str, Revision]:
        """The current revision (id, timestamp, wikitext) of each title, 50 titles per request; a missing
        page maps to a Revision without text. Keys are the titles as asked (normalised ones mapped back)."""
        out: dict[str, Revision] = {}
        for start in range(0, len(titles), BATCH):
            batch = titles[start:start + BATCH]
            pages: dict[str, dict] = {}
            normalized: dict[str, str] = {}
            for part in self.query({"prop": "revisions|info", "titles": "|".join(batch),
                                    "rvprop": "ids|timestamp|content", "rvslots": "main"}):
                normalized.update({n["to"]: n["from"] for n in part.get("normalized", [])})
                for page in part.get("pages", []):
                    merged = pages.setdefault(page["title"], {})
                    for key, value in page.items():
                        if key == "revisions":
                            merged.setdefault("revisions", []).extend(value)
                        else:
                            merged[key] = value
            for title, page in pages.items():
                revs = page.get("revisions") or []
                rev = revs[-1] if revs else None
                text = rev["slots"]["main"].get("content") if rev else None
                out[normalized.get(title, title)] = Revision(
                    title=title, pageid=page.get("pageid"), revid=rev["revid"] if rev else None,
                    timestamp=rev["timestamp"] if rev else None, text=None if page.get("missing") else text,
                    ns=page.get("ns", 0), redirect=bool(page.get("redirect")))
        return out

    def latest_change(self) -> Change | None:
        """The newest row of recent changes, or None if the wiki remembers none."""
        part = next(self.query({"list": "recentchanges", "rcdir": "older", "rclimit": 1,
                                "rcprop": "title|ids|timestamp|loginfo"}))
        rows = part.get("recentchanges", [])
        return _change(rows[0]) if rows else None

    def oldest_change(self) -> Change | None:
        """The oldest row of recent changes the wiki still remembers."""
        part = next(self.query({"list": "recentchanges", "rcdir": "newer", "rclimit": 1,
                                "rcprop": "title|ids|timestamp|loginfo"}))
        rows = part.get("recentchanges", [])
        return _change(rows[0]) if rows else None

    def changes_since(self, timestamp: str) -> Iterator[Change]:
        """Every row of recent changes from ``timestamp`` on (inclusive), oldest first, with continuation."""
        for part in self.query({"list": "recentchanges", "rcdir": "newer", "rcstart": timestamp,
                                "rclimit": "max", "rctype": "edit|new|log",
                                "rcprop": "title|ids|timestamp|loginfo"}):
            for row in part.get("recentchanges", []):
                yield _change(row)


def _change(row: dict[str, Any]) -> Change:
    params = row.get("logparams") or {}
    return Change(rcid=int(row["rcid"]), timestamp=row["timestamp"], type=row.get("type", ""),
                  title=row.get("title", ""), ns=int(row.get("ns", 0)), logtype=row.get("logtype", ""),
                  logaction=row.get("logaction", ""), target=params.get("target_title", ""))


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
