"""The live wiki harvest (``stadtgraph harvest wiki [--full]``): the city's MediaWiki read through its API,
each page through the same loader and SHACL gate as the build, each page's records written through the one
write path (:class:`graph.pipeline.writes.GraphWriter`), so inference, audit and caches follow every change.

Which pages (the rule that reproduces the page index ``data/wiki/seiten.yaml``): every page of the main
namespace that embeds the infobox template ``Vorlage:Konzeption`` (``list=embeddedin``) is a concept page,
and every page whose title is one of the eight Themenfelder (:data:`graph.sources.names.THEMENFELDER`) is a
Themenfeld page. Nothing else gives records.

Incremental (the default once a full harvest ran): ``list=recentchanges`` from the saved cursor
(``rcdir=newer``, with continuation). New pages and edits re-read the page; a move re-reads the new title
and removes the old one (its IRIs answer 301 to the new ones); a deletion removes the page's records from
the asserted and the inferred graph (its IRIs answer 410 Gone); a restore brings them back; an edit of the
infobox template re-reads every page that embeds it. Work is proportional to the changes. A cursor older
than the wiki's recent changes (they expire, 90 days by default) falls back to a full harvest, and says so.

A revision the gate refuses is refused alone: the page's last good records stay, and the refusal (page,
revision, diff link, findings in German) is kept in the harvest state, shown on ``/datenqualitaet`` and in
the report. The harvest state (cursor, per page its revision and graphs, refusals, moved and gone IRIs) is
kept with the store, in the named graph ``{base}graph/wiki-harvest``, written after the pages it describes:
a harvest killed midway leaves the cursor where it was, and the next run redoes the unfinished work
(every step is idempotent: a page is written from its current revision, a missing graph is not deleted
twice). A build replaces the wiki records from the snapshot and drops this state, so the next harvest is
full.
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import rdflib
from rdflib import Literal, URIRef

from graph.errors import ConfigurationError, ValidationFailed
from graph.iris import Iris
from graph.namespaces import DCTERMS, OB, PROV, XSD
from graph.records import Record, SourceRef
from graph.settings import Settings
from graph.sources import names
from graph.sources.wiki.api import Change, Revision, WikiClient
from graph.sources.wiki.export import ExportPage, export_xml
from graph.sources.wiki.records import page_url, records_from_wikitext
from graph.store import Store

TEMPLATE = "Vorlage:Konzeption"
TEMPLATE_NS = 10
TOKEN = "wiki-harvest"  # the name the audit log gives the harvest's writes
CONFIDENCE = "beobachtet"
_TEMPLATE_USE = re.compile(r"\{\{\s*(?:(?:Vorlage|Template)\s*:\s*)?Konzeption\s*[|}]", re.IGNORECASE)
#: Triples that say where and when a record came from; a record is "unchanged" if only these differ.
HARVEST_TIME = PROV.generatedAtTime

Progress = Callable[[str], None]
BATCH = 100  # pages per write (one transaction, one inference update)


def state_graph(iris: Iris) -> str:
    return f"{iris.base}graph/wiki-harvest"


@dataclass
class HarvestState:
    api: str = ""
    cursor: dict[str, Any] | None = None  # {"timestamp": …, "rcid": …}
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)  # title → revid, timestamp, graphs, iris
    refused: dict[str, dict[str, Any]] = field(default_factory=dict)  # title → revid, diff, findings, at
    moved: dict[str, str] = field(default_factory=dict)  # old IRI → new IRI
    gone: dict[str, str] = field(default_factory=dict)  # IRI → page title

    @classmethod
    def load(cls, store: Store, iris: Iris) -> HarvestState | None:
        g = store.graph(state_graph(iris)) if store.has_graph(state_graph(iris)) else None
        if g is None:
            return None
        for value in g.objects(URIRef(state_graph(iris)), OB.ernteStand):
            data = json.loads(str(value))
            return cls(**{k: data.get(k, v) for k, v in cls().__dict__.items()})
        return None

    def save(self, store: Store, iris: Iris) -> None:
        g = rdflib.Graph()
        g.add((URIRef(state_graph(iris)), OB.ernteStand, Literal(json.dumps(self.__dict__, ensure_ascii=False,
                                                                            sort_keys=True))))
        store.replace_graphs({state_graph(iris): g})


def moved_or_gone(store: Store, iris: Iris, iri: str) -> tuple[str, str] | None:
    """For an IRI the graph no longer holds: ("moved", new IRI) or ("gone", page title), else None."""
    state = HarvestState.load(store, iris)
    if state is None:
        return None
    seen: set[str] = set()
    target = iri
    while target in state.moved and target not in seen:  # a page moved twice answers with the last title
        seen.add(target)
        target = state.moved[target]
    if target != iri:
        return ("moved", target)
    if iri in state.gone:
        return ("gone", state.gone[iri])
    return None


@dataclass
class HarvestReport:
    mode: str = "incremental"  # full | incremental
    notes: list[str] = field(default_factory=list)
    changes: int = 0
    stored: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.refused

    def lines(self) -> list[str]:
        out = [*self.notes]
        for r in self.refused:
            out.append(f"ABGEWIESEN · {r['title']} (Revision {r.get('revid')}) · {r.get('diff', '')}")
            out += [f"  {line}" for line in r.get("findings", [])]
        out.append(f"Ernte ({'voll' if self.mode == 'full' else 'inkrementell'}): {self.changes} Änderungen, "
                   f"{len(self.stored)} Seiten gespeichert, {len(self.unchanged)} unverändert, "
                   f"{len(self.removed)} entfernt, {len(self.refused)} abgewiesen; {self.requests} Anfragen an das "
                   f"Wiki, {self.seconds:.2f} s")
        return out


class Harvester:
    """One harvest run against one wiki and one store."""

    def __init__(self, settings: Settings, store: Store, client: WikiClient | None = None,
                 progress: Progress | None = None) -> None:
        if not settings.wiki_api_url and client is None:
            raise ConfigurationError("Für die Ernte fehlt wiki_api_url (STADTGRAPH_WIKI_API_URL) / the harvest "
                                     "needs wiki_api_url")
        from graph.gate.validation import Gate
        from graph.pipeline.writes import GraphWriter

        self.settings = settings
        self.store = store
        self.iris = Iris(settings.base_iri)
        self.client = client or WikiClient(settings.wiki_api_url, timeout=settings.wiki_timeout)
        self.writer = GraphWriter(settings, store)
        self.gate = Gate(settings)
        self.say = progress or (lambda _msg: None)
        self.report = HarvestReport()
        self.state = HarvestState()
        self._scratch = None
        self._kept: set[str] = set()  # graphs of refused pages: their last good version stays
        self._batch: list[tuple[Revision, list[Record], list[str]]] = []  # good pages not yet written

    # ---- entry -----------------------------------------------------------------------------------------
    def run(self, full: bool = False) -> HarvestReport:
        started = time.perf_counter()
        state = HarvestState.load(self.store, self.iris)
        if state is not None and state.api == self.client.api_url:
            self.state = state
        elif state is not None:
            self.state = HarvestState(moved=state.moved, gone=state.gone)
            self.report.notes.append("Anderes Wiki als bei der letzten Ernte: volle Ernte / another wiki than last "
                                     "time: full harvest")
            full = True
        if self.state.cursor is None and not full:
            self.report.notes.append("Noch keine Ernte im Speicher: volle Ernte / no harvest in the store yet: full "
                                     "harvest")
            full = True
        if not full and self._expired():
            self.report.notes.append(
                f"Der Stand der letzten Ernte ({self.state.cursor['timestamp']}) ist älter als die letzten "
                "Änderungen, die das Wiki noch kennt: volle Ernte / the cursor is older than the wiki's recent "
                "changes: full harvest")
            full = True
        if full:
            self._full()
        else:
            self._incremental()
        self.report.requests = self.client.requests
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _expired(self) -> bool:
        oldest = self.client.oldest_change()
        cursor = self.state.cursor or {}
        if oldest is None:
            return False
        # rows after the cursor were forgotten if the oldest row left is newer and not the very next one
        return oldest.position > (cursor["timestamp"], int(cursor.get("rcid", 0))) \
            and oldest.rcid > int(cursor.get("rcid", 0)) + 1

    # ---- full ------------------------------------------------------------------------------------------
    def _full(self) -> None:
        self.report.mode = "full"
        latest = self.client.latest_change()  # asked first: what changes during the harvest comes again next time
        cursor = {"timestamp": latest.timestamp, "rcid": latest.rcid} if latest else \
            {"timestamp": self.client.now(), "rcid": 0}
        titles = self.content_titles()
        self.say(f"{len(titles)} Seiten nach der Regel (Vorlage {TEMPLATE}, Themenfelder)")
        revisions = self.client.revisions(titles)
        harvested: set[str] = set()
        for title in titles:
            rev = revisions.get(title)
            if rev is None or rev.missing or rev.redirect:
                continue
            self._page(rev)
            harvested.add(rev.title)
        self._flush()
        for title in [t for t in self.state.pages if t not in harvested]:
            self._remove(title)
        self._drop_unharvested_wiki_graphs()
        self.report.changes = len(titles)
        self.state.api = self.client.api_url
        self.state.cursor = cursor
        self.state.save(self.store, self.iris)

    def content_titles(self) -> list[str]:
        """The rule: pages embedding the infobox template, then the Themenfeld pages (by title)."""
        titles = self.client.embedded_in(TEMPLATE)
        return titles + [t for t in names.THEMENFELDER if t not in titles]

    def _drop_unharvested_wiki_graphs(self) -> None:
        """Record graphs from wiki pages (the snapshot's, a build's) that no harvested page gives any more."""
        ours = {g for page in self.state.pages.values() for g in page["graphs"]} | self._kept
        rows = self.store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s <{OB.wikiSeite}> ?u }} }}",
                                dataset="asserted")
        for row in rows:
            g = row["g"].value
            if g not in ours and g not in self.writer.protected():
                try:
                    self.writer.delete(g, TOKEN)
                    self.report.removed.append(g)
                except ValidationFailed as exc:
                    self.report.notes.append(f"Graph {g} bleibt (andere Datensätze verweisen darauf): {exc.detail}")

    # ---- incremental -----------------------------------------------------------------------------------
    def _incremental(self) -> None:
        cursor = self.state.cursor or {}
        position = (cursor["timestamp"], int(cursor.get("rcid", 0)))
        changes = [c for c in self.client.changes_since(cursor["timestamp"]) if c.position > position]
        self.report.changes = len(changes)
        if not changes:
            self.state.save(self.store, self.iris)
            return
        titles: list[str] = []
        moves: list[Change] = []

        def want(title: str) -> None:
            if title and title not in titles:
                titles.append(title)

        for c in changes:
            if c.ns == TEMPLATE_NS and c.title == TEMPLATE:
                self.say(f"Vorlage {TEMPLATE} geändert: alle Seiten, die sie einbinden, werden neu gelesen")
                for t in [*self.client.embedded_in(TEMPLATE), *self.state.pages]:
                    want(t)
            elif c.logtype == "move":
                moves.append(c)
                want(c.title)
                want(c.target)
            elif c.ns == 0:
                want(c.title)  # new, edit, delete, restore: the page as it is now decides
        revisions = self.client.revisions(titles)
        gone: list[str] = []
        for title in titles:  # pages first, then removals: a move's old IRIs point at the new page's
            rev = revisions.get(title)
            if rev is None or rev.missing or rev.redirect or not self._is_content(rev):
                if title in self.state.pages:
                    gone.append(title)
                continue
            self._page(rev)
        self._flush()
        for title in gone:
            self._remove(title, moved_to=_final_target(title, moves))
        last = changes[-1]
        self.state.cursor = {"timestamp": last.timestamp, "rcid": last.rcid}
        self.state.save(self.store, self.iris)

    # ---- one page --------------------------------------------------------------------------------------
    def _is_content(self, rev: Revision) -> bool:
        return rev.ns == 0 and (bool(_TEMPLATE_USE.search(rev.text or "")) or rev.title in names.THEMENFELDER)

    def records(self, rev: Revision, harvested: str) -> tuple[list[Record], list[str]]:
        """The page's records with their provenance, or the loader's errors."""
        url = self.client.revision_url(rev.title, rev.revid)
        source = SourceRef(file=f"wiki:{rev.title}", page=rev.title, revision=rev.revid, urls=(url,), kind="wiki")
        result = records_from_wikitext(rev.text or "", self.iris, title=rev.title, revision=rev.revid,
                                       source=source, confidence=CONFIDENCE, wiki_base=self.client.index_url())
        for rec in result.records:
            rec.triples.add((rec.iri, DCTERMS.modified, Literal(rev.timestamp, datatype=XSD.dateTime)))
            rec.triples.add((rec.iri, HARVEST_TIME, Literal(harvested, datatype=XSD.dateTime)))
        return result.records, [e.detail for e in result.errors]

    def _page(self, rev: Revision) -> None:
        from graph.gate.reports import describe_refusal

        harvested = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        records, errors = self.records(rev, harvested)
        if errors:
            self._kept |= {str(self.iris.record_graph(self.iris.konzept(rev.title)))}
            if names.themenfeld_title(rev.title):
                self._kept |= {str(self.iris.record_graph(self.iris.themenfeld(names.themenfeld_title(rev.title))))}
            return self._refuse(rev, errors)
        verdict = self.gate.check(records, context=self.store)
        if verdict.refused:
            self._kept |= {str(r.graph_iri) for r in records}
            return self._refuse(rev, [line for r in verdict.refused for line in describe_refusal(r).splitlines()])
        before = self.state.pages.get(rev.title, {})
        graphs = [str(r.graph_iri) for r in records]
        if before.get("graphs") == graphs and all(self._same(r) for r in records):
            self.report.unchanged.append(rev.title)
            self._taken(rev, records)
            return
        self._batch.append((rev, records, [g for g in before.get("graphs", []) if g not in graphs]))
        if len(self._batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        """The pages judged good so far, written together: their record graphs and the removal of those
        they no longer give, in one transaction with one inference update (a write per page would update the
        inferred graph per page). If together they break a rule that none breaks alone, page by page."""
        batch, self._batch = self._batch, []
        if not batch:
            return
        changes = {g: None for _, _, stale in batch for g in stale}
        changes.update({str(r.graph_iri): r.triples for _, records, _ in batch for r in records})
        try:
            self.writer.replace(changes, TOKEN, method="HARVEST", pages=[rev.title for rev, _, _ in batch])
            written = batch
        except ValidationFailed:
            written = []
            for rev, records, stale in batch:
                try:
                    self.writer.replace({**{str(r.graph_iri): r.triples for r in records}, **{g: None for g in stale}},
                                        TOKEN, method="HARVEST", page=rev.title, revision=rev.revid)
                except ValidationFailed as exc:
                    self._kept |= {str(r.graph_iri) for r in records}
                    self._refuse(rev, [exc.detail])
                    continue
                written.append((rev, records, stale))
        for rev, records, _ in written:
            self.report.stored.append(rev.title)
            self.say(f"gespeichert: {rev.title} (Revision {rev.revid})")
            self._taken(rev, records)

    def _taken(self, rev: Revision, records: list[Record]) -> None:
        """The page's revision is the graph's now: remember it, and forget an older refusal, move or deletion."""
        self.state.pages[rev.title] = {"revid": rev.revid, "timestamp": rev.timestamp,
                                       "graphs": [str(r.graph_iri) for r in records],
                                       "iris": [str(r.iri) for r in records]}
        self.state.refused.pop(rev.title, None)
        for r in records:
            self.state.gone.pop(str(r.iri), None)
            self.state.moved.pop(str(r.iri), None)

    def _same(self, rec: Record) -> bool:
        """Whether the store holds this record already (up to the harvest time)."""
        if not self.store.has_graph(str(rec.graph_iri)):
            return False
        from rdflib.compare import isomorphic

        if self._scratch is None:
            from graph.store import OxigraphStore

            self._scratch = OxigraphStore(self.settings.replace(store="memory"))
        self._scratch.replace_graphs({"urn:stadtgraph:vergleich": rec.triples})  # as the store keeps terms
        old, new = rdflib.Graph(), rdflib.Graph()
        for target, source in ((old, self.store.graph(str(rec.graph_iri))),
                               (new, self._scratch.graph("urn:stadtgraph:vergleich"))):
            for t in source:
                if t[1] != HARVEST_TIME:
                    target.add(t)
        return len(old) == len(new) and isomorphic(old, new)  # blank nodes (synergy reasons) compared by shape

    def _refuse(self, rev: Revision, findings: list[str]) -> None:
        page = page_url(rev.title, base=self.client.index_url())
        entry = {"title": rev.title, "revid": rev.revid, "timestamp": rev.timestamp,
                 "page": page, "edit": f"{page}&action=edit",
                 "diff": self.client.diff_url(rev.title, rev.revid) if rev.revid else "",
                 "findings": findings, "at": datetime.now(UTC).isoformat(timespec="seconds")}
        self.state.refused[rev.title] = entry
        self.report.refused.append(entry)

    def _remove(self, title: str, moved_to: str | None = None) -> None:
        """Take a page's records out (deleted, moved away, or no content page any more)."""
        page = self.state.pages[title]
        try:
            for g in page["graphs"]:
                self.writer.delete(g, TOKEN)
        except ValidationFailed as exc:
            self._refuse(Revision(title, None, None, None, None), [
                "Entfernen abgewiesen, andere Datensätze verweisen auf die Seite / removal refused, other "
                f"records point at the page: {exc.detail}"])
            return
        new_iris = self.state.pages.get(moved_to, {}).get("iris", []) if moved_to else []
        for position, iri in enumerate(page["iris"]):
            if new_iris:
                self.state.moved[iri] = new_iris[position] if position < len(new_iris) else new_iris[0]
            else:
                self.state.gone[iri] = title
        del self.state.pages[title]
        self.state.refused.pop(title, None)
        self.report.removed.append(title)

    # ---- snapshot --------------------------------------------------------------------------------------
    def snapshot(self) -> bytes:
        """The content pages as they are now, as a MediaWiki export (for ``data/wiki/``)."""
        titles = self.content_titles()
        revisions = self.client.revisions(titles)
        pages = [ExportPage(r.title, r.text or "", revision=r.revid, timestamp=r.timestamp)
                 for t in titles if (r := revisions.get(t)) is not None and not r.missing and not r.redirect]
        return export_xml(pages)


def _final_target(title: str, moves: list[Change]) -> str | None:
    target = None
    for m in moves:
        if m.title == (target or title):
            target = m.target
    return target


def harvest_wiki(settings: Settings, store: Store, *, full: bool = False, client: WikiClient | None = None,
                 progress: Progress | None = None) -> HarvestReport:
    """One harvest of the wiki at ``settings.wiki_api_url`` into ``store``."""
    return Harvester(settings, store, client=client, progress=progress).run(full=full)


def refusals_about(store: Store, settings: Settings, iri: str) -> list[dict[str, Any]]:
    """The refused newer revisions of the wiki page a record comes from (for the record's page)."""
    state = HarvestState.load(store, Iris(settings.base_iri))
    if state is None:
        return []
    return [entry for title, entry in sorted(state.refused.items())
            if iri in state.pages.get(title, {}).get("iris", [])]


def refusals(store: Store, settings: Settings) -> list[dict[str, Any]]:
    """The wiki revisions the last harvests refused and that are still the pages' current ones (for
    ``/datenqualitaet``)."""
    state = HarvestState.load(store, Iris(settings.base_iri))
    return sorted(state.refused.values(), key=lambda r: r["title"]) if state else []
