"""SHACL validation of records in the context of the graph they would join, and the gate every write passes.

A :class:`Report` holds the findings of :mod:`graph.gate.engine`, each attributed to the record whose
triples caused it (so a report can name file, wiki page, revision, field and value), and German and
English labels for the nodes it mentions. :class:`Gate` refuses records with violations; the rest load.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef

from graph.gate import engine as shacl_engine
from graph.gate.engine import Finding
from graph.gate.shapes import Shapes, load_shapes
from graph.iris import Iris
from graph.namespaces import DCTERMS, OB, RDF, RDFS, SKOS
from graph.ontology import ontology_classes, ontology_graph
from graph.records import Record
from graph.settings import Settings
from graph.store import Store, to_rdflib

Triple = tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]
Labels = dict[rdflib.term.Node, dict[str, str]]

_LABEL_QUERY = "SELECT ?node ?p ?label WHERE { VALUES ?node { %s } VALUES ?p { %s } ?node ?p ?label . }"
_LABEL_PROPS = (SKOS.prefLabel, DCTERMS.title, RDFS.label, OB.drucksache, SKOS.notation)


# ---- reports -----------------------------------------------------------------------------------------
@dataclass
class Report:
    """Findings, who caused them and how to name things; :mod:`graph.gate.reports` renders it."""

    findings: list[Finding]
    shapes: Shapes
    owners: dict[Finding, list[Record]] = field(default_factory=dict)
    labels: Labels = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    unreadable: list = field(default_factory=list)  # list[LoaderError]

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.is_violation]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_violation]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def label(self, node: rdflib.term.Node | None, lang: str = "de") -> str:
        """A readable name: the node's label, a literal's text, else the IRI (never a blank node id)."""
        if node is None:
            return ""
        if isinstance(node, Literal):
            return str(node)
        names = self.labels.get(node, {})
        if names:
            return names.get(lang) or names.get("de") or names.get("") or next(iter(names.values()))
        if isinstance(node, BNode):
            return "(namenloser Knoten)" if lang == "de" else "(unnamed node)"
        return str(node)

    def groups(self) -> list[tuple[Record | None, list[Finding]]]:
        """Findings grouped by the record that caused them, in record order; unattributed ones last."""
        by_record: dict[int, list[Finding]] = {}
        loose: list[Finding] = []
        order = {id(r): i for i, r in enumerate(self.records)}
        for f in self.findings:
            owners = self.owners.get(f) or []
            if not owners:
                loose.append(f)
            for r in owners:
                by_record.setdefault(id(r), []).append(f)
        records = {id(r): r for r in self.records}
        out: list[tuple[Record | None, list[Finding]]] = [
            (records[k], v) for k, v in sorted(by_record.items(), key=lambda kv: order.get(kv[0], 0))]
        if loose:
            out.append((None, loose))
        return out


@dataclass
class Refusal:
    """A record the gate did not let in, with the findings that say why."""

    record: Record
    findings: list[Finding] = field(default_factory=list)
    report: Report | None = None


@dataclass
class Verdict:
    accepted: list[Record] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    warnings: int = 0
    report: Report | None = None


# ---- validation ----------------------------------------------------------------------------------------
class Validator:
    """Shapes parsed and compiled once; validates records together with a context."""

    def __init__(self, settings: Settings, ontology: rdflib.Graph | None = None) -> None:
        self.settings = settings
        self.iris = Iris(settings.base_iri)
        self.shapes = load_shapes(settings.shapes_dir)
        self.classes = ontology_classes(ontology if ontology is not None else ontology_graph(settings))

    def validate(self, records: list[Record], context: Iterable[Triple] = ()) -> Report:
        """Validate ``records`` joined with ``context`` (the rest of the graph they would join).

        Findings about context nodes that no record touches are kept, unattributed."""
        triples = [t for r in records for t in r.triples]
        data = shacl_engine.dataset([*triples, *context, *self.classes])
        findings = shacl_engine.validate(self.shapes, data)
        report = Report(findings=findings, shapes=self.shapes, records=list(records))
        report.owners = attribute(findings, records)
        named = {r.iri for owners in report.owners.values() for r in owners}
        report.labels = labels(data, _nodes(findings) | named)
        return report

    def context_from_store(self, store: Store, records: list[Record], hops: int = 4,
                           without: Iterable[str] = ()) -> list[Triple]:
        """The part of the store's asserted graph a cross-record rule can reach from ``records``: the triples
        of every node up to ``hops`` links away (a unit's parents up to the city need four). The records'
        own graphs are left out, as the records replace them, and so are the graphs ``without`` (a delete)."""
        exclude = {str(self.iris.inferred_graph), *(str(r.graph_iri) for r in records), *without}
        seen: set[rdflib.term.Node] = set()
        frontier = {o for r in records for s, p, o in r.triples if isinstance(o, URIRef) and p != RDF.type}
        frontier |= {s for r in records for s in r.triples.subjects() if isinstance(s, URIRef)}
        out: list[Triple] = []
        for _ in range(hops + 1):
            frontier -= seen
            if not frontier:
                break
            seen |= frontier
            found = neighbours(store, frontier, exclude)
            out.extend(found)
            frontier = {o for s, p, o in found if isinstance(o, URIRef) and p != RDF.type}
        return out


SAFE_IRI = re.compile(r'^[^<>"{}|^`\\\s]+$')


def neighbours(store: Store, nodes: set[rdflib.term.Node], exclude: set[str]) -> list[Triple]:
    """The asserted triples about ``nodes`` in any named graph but the excluded ones. An IRI that SPARQL
    cannot write (an upload may carry one) has no neighbours in the store anyway."""
    values = " ".join(n.n3() for n in nodes if isinstance(n, URIRef) and SAFE_IRI.match(n))
    if not values:
        return []
    excluded = ", ".join(f"<{g}>" for g in sorted(exclude))
    query = (f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} "
             f"FILTER (?g NOT IN ({excluded})) }}")
    return [(to_rdflib(row["s"]), to_rdflib(row["p"]), to_rdflib(row["o"])) for row in store.query(query)]


class Gate:
    """The gate every write passes: records with violations are refused, every other record gets in."""

    def __init__(self, settings: Settings, ontology: rdflib.Graph | None = None) -> None:
        self.settings = settings
        self.validator = Validator(settings, ontology)

    def check(self, records: list[Record], context: Store | None = None, previous: Store | None = None,
              without: Iterable[str] = ()) -> Verdict:
        """Validate ``records`` as the graph they would join: with each other, with ``context`` (the store
        they are written to) when only some records are written, and with the last good version in
        ``previous`` of each record refused (the store keeps it). Refusing a record changes that graph,
        so the check repeats until nothing more is refused."""
        accepted = list(records)
        refused: list[Refusal] = []
        extra = self.validator.context_from_store(context, accepted, without=without) if context is not None else []
        while True:
            kept = [t for r in refused for t in previous.graph(str(r.record.graph_iri))] if previous else []
            report = self.validator.validate(accepted, [*extra, *kept])
            bad: dict[int, Refusal] = {}
            for f in report.violations:
                for r in report.owners.get(f, []):
                    bad.setdefault(id(r), Refusal(r, report=report)).findings.append(f)
            if not bad:
                break
            refused.extend(bad.values())
            accepted = [r for r in accepted if id(r) not in bad]
        warnings = sum(len(report.owners.get(f, [])) > 0 for f in report.warnings)
        return Verdict(accepted=accepted, refused=refused, warnings=warnings,
                       report=_merged(report, refused, records))


def _merged(last: Report, refused: list[Refusal], records: list[Record]) -> Report:
    """One report of a gate check: the last round's findings and those of every record refused before it."""
    merged = Report(findings=list(last.findings), shapes=last.shapes, owners=dict(last.owners),
                    labels=dict(last.labels), records=list(records))
    for refusal in refused:
        if refusal.report is None or refusal.report is last:
            continue
        merged.labels.update(refusal.report.labels)
        for f in refusal.report.findings:
            if refusal.record in refusal.report.owners.get(f, []) and f not in merged.owners:
                merged.findings.append(f)
                merged.owners[f] = [refusal.record]
    merged.findings.sort(key=Finding.sort_key)
    return merged


# ---- attribution and labels ----------------------------------------------------------------------------
def attribute(findings: list[Finding], records: list[Record]) -> dict[Finding, list[Record]]:
    """The record(s) behind each finding: those holding the offending triple, else those describing the
    focus node (its own record first), else those pointing at a blank focus node."""
    by_subject: dict[rdflib.term.Node, list[Record]] = {}
    by_object: dict[rdflib.term.Node, list[Record]] = {}
    for r in records:
        for s in set(r.triples.subjects()):
            by_subject.setdefault(s, []).append(r)
        for o in set(r.triples.objects()):
            if isinstance(o, BNode):
                by_object.setdefault(o, []).append(r)
    out: dict[Finding, list[Record]] = {}
    for f in findings:
        candidates = by_subject.get(f.focus, []) or by_object.get(f.focus, [])
        if f.path is not None and f.value is not None:
            holding = [r for r in candidates if (f.focus, f.path, f.value) in r.triples]
            candidates = holding or candidates
        own = [r for r in candidates if r.iri == f.focus]
        out[f] = own or candidates
    return out


def _nodes(findings: list[Finding]) -> set[rdflib.term.Node]:
    nodes: set[rdflib.term.Node] = set()
    for f in findings:
        nodes.add(f.focus)
        if isinstance(f.value, (URIRef, BNode)):
            nodes.add(f.value)
    return nodes


def labels(data: ox.Store, nodes: set[rdflib.term.Node]) -> Labels:
    """German and English labels of ``nodes`` from the data (best label property first)."""
    out: Labels = {}
    iris = [n for n in nodes if isinstance(n, URIRef)]
    rank = {str(p): i for i, p in enumerate(_LABEL_PROPS)}
    props = " ".join(p.n3() for p in _LABEL_PROPS)
    best: dict[tuple, int] = {}
    for start in range(0, len(iris), 500):
        values = " ".join(n.n3() for n in iris[start:start + 500])
        for row in data.query(_LABEL_QUERY % (values, props)):
            node, label = to_rdflib(row["node"]), row["label"]
            lang = getattr(label, "language", None) or ""
            r = rank.get(row["p"].value, 99)
            if r < best.get((node, lang), 100):
                best[(node, lang)] = r
                out.setdefault(node, {})[lang] = label.value
    for n in nodes:
        if isinstance(n, BNode):
            _blank_label(data, n, out)
    return out


def _blank_label(data: ox.Store, node: BNode, out: Labels) -> None:
    """A blank node is named by what points at it: "<subject label> → <property>"."""
    for q in data.quads_for_pattern(None, None, ox.BlankNode(str(node)), None):
        subject = to_rdflib(q.subject)
        name = out.get(subject, {}).get("de") or str(subject)
        out[node] = {"de": f"{name} → {q.predicate.value.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}"}
        return
