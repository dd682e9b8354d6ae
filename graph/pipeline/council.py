"""The council harvest (``stadtgraph harvest oparl [--full]``): the city's OParl 1.1 endpoint read from the
``System`` to its bodies and their ``paper``, ``meeting`` and ``organization`` lists; each ``Paper`` an
``ob:Vorlage`` record through the SHACL gate and the one write path
(:class:`graph.pipeline.writes.GraphWriter`), so inference, audit and caches follow every change.

Incremental (the default once a harvest ran): each list is asked with ``modified_since`` = the start of the
last harvest minus :data:`OVERLAP`; a changed paper replaces its record, a ``deleted: true`` one removes it
(its IRI answers 410 Gone). Meetings and organizations are kept in the harvest state by id (name, date), so
an incremental run names the committees and meetings of a changed paper without reading every list again.

The council is the authority for a Vorlage's title, date and type; the hand-made file
``data/rat/vorlagen.oparl.json`` adds what OParl has no field for (the adopted concepts, confidence,
sources, notes), joined by Drucksache number (:func:`graph.sources.oparl.overlay_file`). A paper the gate
refuses is refused alone: its last good record stays, and the refusal is in the report.

The state (start of the last run, per paper its record graph and content hash, meetings, organizations,
deleted IRIs) is kept in the store, in the named graph ``{base}graph/oparl-harvest``, written after the
records it describes: a harvest cut off midway is redone by the next run (every step is idempotent).
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import rdflib
from rdflib import Literal, URIRef

from graph.errors import ConfigurationError, ValidationFailed
from graph.iris import Iris
from graph.namespaces import OB
from graph.settings import Settings
from graph.sources.oparl import harvested_paper_record, overlay_file
from graph.sources.oparl_api import OParlClient, object_key, parse_time
from graph.store import Store

TOKEN = "oparl-harvest"  # the name the audit log gives the harvest's writes
OVERLAP = timedelta(minutes=5)
BATCH = 200  # records per write (one gate run, one transaction, one inference update)  # modified_since reaches back this far before the last run's start
Progress = Callable[[str], None]


def state_graph(iris: Iris) -> str:
    return f"{iris.base}graph/oparl-harvest"


@dataclass
class CouncilState:
    system: str = ""
    started: str | None = None  # ISO time the last complete harvest began
    papers: dict[str, dict[str, str]] = field(default_factory=dict)  # object key → graph, iri, hash
    meetings: dict[str, dict[str, Any]] = field(default_factory=dict)  # object key → name, start
    organizations: dict[str, dict[str, Any]] = field(default_factory=dict)  # object key → name
    gone: dict[str, str] = field(default_factory=dict)  # Vorlage IRI → OParl id

    @classmethod
    def load(cls, store: Store, iris: Iris) -> CouncilState | None:
        if not store.has_graph(state_graph(iris)):
            return None
        for value in store.graph(state_graph(iris)).objects(URIRef(state_graph(iris)), OB.ernteStand):
            data = json.loads(str(value))
            return cls(**{k: data.get(k, v) for k, v in cls().__dict__.items()})
        return None

    def save(self, store: Store, iris: Iris) -> None:
        g = rdflib.Graph()
        g.add((URIRef(state_graph(iris)), OB.ernteStand, Literal(json.dumps(self.__dict__, ensure_ascii=False,
                                                                            sort_keys=True))))
        for iri, oparl_id in self.gone.items():  # also as triples, so a page view asks without parsing state
            g.add((URIRef(iri), OB.geloeschtIm, Literal(oparl_id)))
        store.replace_graphs({state_graph(iris): g})


def gone(store: Store, iris: Iris, iri: str) -> str | None:
    """The OParl id of a paper the council deleted whose IRI this was, else None (for 410 Gone)."""
    if not iri.startswith(iris.base + "vorlage/") or any(c in iri for c in '<>"{}|^`\\ '):
        return None
    rows = list(store.query(f"SELECT ?id WHERE {{ GRAPH <{state_graph(iris)}> {{ <{iri}> <{OB.geloeschtIm}> ?id }} }}"))
    return str(rows[0]["id"].value) if rows else None


@dataclass
class CouncilReport:
    mode: str = "incremental"
    notes: list[str] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    papers: int = 0
    requests: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.refused

    def lines(self) -> list[str]:
        out = [f"Ratsernte ({self.mode}): {self.papers} Vorlagen gelesen, {len(self.stored)} gespeichert, "
               f"{len(self.unchanged)} unverändert, {len(self.removed)} entfernt, {len(self.refused)} abgewiesen, "
               f"{len(self.warnings)} Warnungen; {self.requests} Anfragen, {self.seconds:.1f} s"]
        out += [f"HINWEIS {n}" for n in self.notes]
        out += [f"WARNUNG {w}" for w in self.warnings]
        out += [f"ABGEWIESEN {r['paper']}: {'; '.join(r['findings'])}" for r in self.refused]
        return out


def _digest(g: rdflib.Graph) -> str:
    return hashlib.sha256("".join(sorted(t.n3() + " " + p.n3() + " " + o.n3() + "\n" for t, p, o in g))
                          .encode()).hexdigest()


class CouncilHarvester:
    """One harvest of ``settings.oparl_system_url`` into ``store``."""

    def __init__(self, settings: Settings, store: Store, client: OParlClient | None = None,
                 progress: Progress | None = None) -> None:
        from graph.pipeline.writes import GraphWriter

        if not settings.oparl_system_url and client is None:
            raise ConfigurationError("oparl_system_url ist nicht gesetzt (STADTGRAPH_OPARL_SYSTEM_URL) / not set")
        self.settings = settings
        self.store = store
        self.iris = Iris(settings.base_iri)
        self.client = client or OParlClient(settings.oparl_system_url, timeout=settings.oparl_timeout)
        self.writer = GraphWriter(settings, store)
        self.overlay = overlay_file(Path(settings.data_dir) / "rat" / "vorlagen.oparl.json")
        self.progress = progress or (lambda _: None)
        self.report = CouncilReport()
        self.state = CouncilState(system=self.client.system_url)
        self.pending: list[tuple[str, Any, str, str]] = []  # (object key, record, content hash, OParl id)

    def run(self, full: bool = False) -> CouncilReport:
        began = time.perf_counter()
        started = datetime.now(UTC).replace(microsecond=0)
        saved = CouncilState.load(self.store, self.iris)
        since = None
        if saved is not None and saved.system == self.client.system_url and saved.started and not full:
            self.state = saved
            since = datetime.fromisoformat(saved.started) - OVERLAP
        else:
            if saved is not None:
                self.state.gone = saved.gone
                self.state.papers = saved.papers if saved.system == self.client.system_url else {}
            self.report.notes.append("volle Ernte / full harvest" if full or saved is None else
                                     "anderes System als bei der letzten Ernte: volle Ernte / another system: full")
        self.report.mode = "incremental" if since else "full"
        for body in self.client.bodies():
            self._context(body, since)
            for paper in self.client.listing(body["paper"], since) if isinstance(body.get("paper"), str) else []:
                self._paper(paper)
            self._flush()
        self.state.started = started.isoformat()
        self.state.save(self.store, self.iris)
        self.report.requests = self.client.requests
        self.report.seconds = time.perf_counter() - began
        return self.report

    def _context(self, body: dict[str, Any], since: datetime | None) -> None:
        """The body's organizations and meetings (what a consultation names), changed ones only when
        incremental."""
        for kind, kept, fields in (("organization", self.state.organizations, ("name",)),
                                   ("meeting", self.state.meetings, ("name", "start"))):
            if not isinstance(body.get(kind), str):
                continue
            for obj in self.client.listing(body[kind], since):
                key = object_key(obj["id"])
                if obj.get("deleted") is True:
                    kept.pop(key, None)
                    continue
                kept[key] = {f: obj.get(f) for f in fields if isinstance(obj.get(f), str)}
                if kind == "meeting" and obj.get("start") is not None and parse_time(obj.get("start")) is None:
                    self.report.warnings.append(f"{obj['id']}: Feld start = {obj.get('start')!r} ist keine Zeitangabe "
                                                "/ is not a date-time; der Rest des Objekts wird geladen")

    def _paper(self, paper: dict[str, Any]) -> None:
        key = object_key(paper["id"])
        self.report.papers += 1
        if paper.get("deleted") is True:
            self._flush()
            self._delete(key, paper["id"])
            return
        record, warnings = harvested_paper_record(paper, self.iris, meetings=self.state.meetings,
                                                  organizations=self.state.organizations, overlay=self.overlay,
                                                  key=object_key)
        self.report.warnings += warnings
        if record is None:
            return
        graph, digest = str(record.graph_iri), _digest(record.triples)
        known = self.state.papers.get(key)
        if known and known.get("hash") == digest and self.store.has_graph(graph):
            self.report.unchanged.append(str(record.iri))
            return
        self.pending = [p for p in self.pending if p[1].graph_iri != record.graph_iri]  # the last spelling wins
        self.pending.append((key, record, digest, paper["id"]))
        if len(self.pending) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        """The pending records in one write: the gate judges them together, each refused one is refused
        alone, and the rest go to the store in one transaction with one inference update
        (:meth:`GraphWriter.replace`) — a write per record would update the inferred graph per record."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        verdict = self.writer.gate.check([r for _, r, _, _ in pending], context=self.store,
                                         without=[str(r.graph_iri) for _, r, _, _ in pending])
        refused = {str(x.record.graph_iri): x for x in verdict.refused}
        good = [p for p in pending if str(p[1].graph_iri) not in refused]
        for _, record, _, oparl_id in pending:
            if str(record.graph_iri) in refused:
                findings = [f.message("de") for f in refused[str(record.graph_iri)].findings][:10]
                self.report.refused.append({"paper": oparl_id, "vorlage": str(record.iri), "findings": findings})
        if not good:
            return
        try:
            self.writer.replace({str(r.graph_iri): r.triples for _, r, _, _ in good}, TOKEN, method="HARVEST")
        except ValidationFailed:  # together they break a rule none breaks alone: one at a time
            for key, record, digest, oparl_id in good:
                try:
                    self.writer.put(str(record.graph_iri), record.triples, TOKEN)
                except ValidationFailed as exc:
                    self._refused(oparl_id, str(record.iri), exc)
                    continue
                self._stored(key, record, digest)
            return
        for key, record, digest, _ in good:
            self._stored(key, record, digest)

    def _stored(self, key: str, record, digest: str) -> None:
        self.progress(f"gespeichert: {record.label}")
        self.state.papers[key] = {"graph": str(record.graph_iri), "iri": str(record.iri), "hash": digest}
        self.state.gone.pop(str(record.iri), None)
        self.report.stored.append(str(record.iri))

    def _refused(self, oparl_id: str, iri: str, exc: ValidationFailed) -> None:
        self.report.refused.append({"paper": oparl_id, "vorlage": iri, "findings": _messages(exc)})

    def _delete(self, key: str, oparl_id: str) -> None:
        known = self.state.papers.pop(key, None)
        if not known:
            return
        if self.store.has_graph(known["graph"]):
            try:
                self.writer.delete(known["graph"], TOKEN)
            except ValidationFailed as exc:  # other records still point at it: it stays, and says why
                self.state.papers[key] = known
                self._refused(oparl_id, known["iri"], exc)
                return
        self.state.gone[known["iri"]] = oparl_id
        self.report.removed.append(known["iri"])


def _messages(exc: ValidationFailed) -> list[str]:
    report = exc.extra.get("report") or {}
    found = [f.get("message", "") for group in report.get("records", []) for f in group.get("findings", [])]
    return [m for m in found if m][:10] or [exc.detail]


def harvest_council(settings: Settings, store: Store, *, full: bool = False, client: OParlClient | None = None,
                    progress: Progress | None = None) -> CouncilReport:
    """One harvest of the council's OParl endpoint into ``store``."""
    return CouncilHarvester(settings, store, client=client, progress=progress).run(full=full)


def title_conflicts(store: Store, iris: Iris) -> list[dict[str, str]]:
    """Vorlagen a concept page cites by another text than the council's title: both texts and both sources
    (the record graph of the citing page, the council's OParl object or the shipped file), for
    ``/datenqualitaet``. Warnings, never refusals: the page's text is what the page says."""
    rows = store.query(f"""SELECT DISTINCT ?v ?zitiert ?titel ?g ?oparl WHERE {{
        GRAPH ?g {{ ?v <{OB.zitiertAls}> ?zitiert }}
        ?v <http://purl.org/dc/terms/title> ?titel .
        FILTER (LANG(?titel) = LANG(?zitiert) && STR(?titel) != STR(?zitiert))
        OPTIONAL {{ ?v <{OB.oparlObjekt}> ?oparl }}
    }} ORDER BY ?v ?g""", dataset="asserted")
    return [{"vorlage": r["v"].value, "wiki": r["zitiert"].value, "council": r["titel"].value,
             "wiki_source": r["g"].value,
             "council_source": r["oparl"].value if r["oparl"] is not None else "data/rat/vorlagen.oparl.json"}
            for r in rows]
