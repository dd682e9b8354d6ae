"""What a dereferenced IRI answers: its triples as RDF (a symmetric concise bounded description) and the
data of its HTML page (every property with named, linkable values, the inverse links, the provenance).

Spec: https://www.w3.org/submissions/CBD/ (SCBD); concept-specific facts live in :mod:`graph.pages.concept`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.iris import Iris
from graph.labels import fetch_labels, pick
from graph.namespaces import DCTERMS, OB, RDF, RDFS, SKOS, sparql_prologue
from graph.store import Store

INVERSE_LIMIT = 500  # inverse links on a page; beyond that the page says how to ask SPARQL for all
BNODE_DEPTH = 3

_OUT = "SELECT ?s ?p ?o ?g WHERE { ?s ?p ?o OPTIONAL { GRAPH ?g { ?s ?p ?o } } } LIMIT {limit}"
_IN = "SELECT ?x ?p ?o ?g WHERE { ?x ?p ?o OPTIONAL { GRAPH ?g { ?x ?p ?o } } } LIMIT {limit}"
_GRAPH_SIZE = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c } } GROUP BY ?g"
_PROVENANCE = sparql_prologue() + "SELECT ?g ?p ?o WHERE { VALUES ?g { {graphs} } ?g ?p ?o }"

COMMENT_PROPERTIES = (str(RDFS.comment), str(DCTERMS.description), str(SKOS.definition))
CONFIDENCE = str(OB.konfidenz)


@dataclass
class Term:
    """One value on a page: an IRI with its name, a literal, or a blank node with its own properties."""

    text: str
    iri: str | None = None
    lang: str | None = None
    datatype: str | None = None
    inferred: bool = False
    nested: list[Property] | None = None

    @property
    def is_literal(self) -> bool:
        return self.iri is None and self.nested is None


@dataclass
class Property:
    iri: str
    label: str
    values: list[Term] = field(default_factory=list)
    inferred: bool = False  # every value of it is inferred


@dataclass
class Description:
    iri: str
    label: str
    comment: str | None
    types: list[Term]
    properties: list[Property]
    inverse: list[Property]
    inverse_cut: bool
    provenance: list[Property]
    graph_size: int | None = None  # set when the IRI names a graph of the store
    confidence: str | None = None  # IRI of ob:Beobachtet / ob:Sekundaer / ob:Abgeleitet

    def values(self, predicate: str) -> list[Term]:
        for prop in self.properties:
            if prop.iri == predicate:
                return prop.values
        return []


class Resource:
    """The triples held about one IRI, read once and then given as RDF or as page data."""

    def __init__(self, store: Store, iri: str, *, inverse_limit: int = INVERSE_LIMIT) -> None:
        self.store = store
        self.iri = iri
        self.node = ox.NamedNode(iri)
        self.inferred_graph = str(Iris(store.settings.base_iri).inferred_graph)
        self.provenance_graph = str(Iris(store.settings.base_iri).provenance_graph)
        # (predicate, object) -> set of graphs holding it; insertion order kept for stable output
        self.outgoing: dict[tuple[ox.NamedNode, ox.Term], set[str]] = {}
        out = _OUT.replace("{limit}", str(store.settings.row_limit))  # a page, like a query, has a row cap
        for row in store.query(out, substitutions={"s": _rdflib(self.node)}):
            self.outgoing.setdefault((row["p"], row["o"]), set()).add(_graph(row["g"]))
        self.incoming: dict[tuple[ox.Term, ox.NamedNode], set[str]] = {}
        query = _IN.replace("{limit}", str(inverse_limit + 1))
        for row in store.query(query, substitutions={"o": _rdflib(self.node)}):
            self.incoming.setdefault((row["x"], row["p"]), set()).add(_graph(row["g"]))
        self.inverse_cut = len(self.incoming) > inverse_limit
        if self.inverse_cut:
            self.incoming = dict(list(self.incoming.items())[:inverse_limit])
        self.bnodes: dict[ox.BlankNode, list[tuple[ox.NamedNode, ox.Term]]] = {}
        self._close_bnodes([o for (_, o) in self.outgoing] + [x for (x, _) in self.incoming])
        self.graph_size: int | None = None
        if iri.startswith(store.settings.base_iri + "graph/"):
            # A record graph is a minted IRI too: it answers with its provenance and its size.
            rows = list(store.query(_GRAPH_SIZE, substitutions={"g": _rdflib(self.node)}))
            self.graph_size = int(rows[0]["n"].value) if rows else None

    def _close_bnodes(self, start: list[ox.Term]) -> None:
        """Blank nodes have no IRI to dereference: their own triples travel with the description."""
        todo = [t for t in start if isinstance(t, ox.BlankNode)]
        for _ in range(BNODE_DEPTH):
            found: list[ox.Term] = []
            for bnode in todo:
                if bnode in self.bnodes:
                    continue
                rows = [(r["p"], r["o"]) for r in self.store.query(
                    "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", substitutions={"s": _rdflib(bnode)})]
                self.bnodes[bnode] = rows
                found.extend(o for _, o in rows if isinstance(o, ox.BlankNode))
            todo = found

    @property
    def exists(self) -> bool:
        return bool(self.outgoing or self.incoming or self.graph_size is not None)

    # ---- RDF ----------------------------------------------------------------------------------
    def triples(self) -> list[ox.Triple]:
        out = [ox.Triple(self.node, p, o) for (p, o) in self.outgoing]
        out += [ox.Triple(x, p, self.node) for (x, p) in self.incoming]
        for bnode, rows in self.bnodes.items():
            out += [ox.Triple(bnode, p, o) for (p, o) in rows]
        return list(dict.fromkeys(out))

    # ---- page data ----------------------------------------------------------------------------
    def is_inferred(self, graphs: set[str]) -> bool:
        """Inferred when no asserted graph holds the triple (only the inference graph does)."""
        return bool(graphs) and graphs <= {self.inferred_graph}

    def describe(self, lang: str = "de") -> Description:
        names = self._names(lang)
        name = lambda i: names.get(i) or i  # noqa: E731
        props: dict[str, Property] = {}
        literals: dict[str, list[tuple[str, str | None]]] = {}
        for (p, o), graphs in self.outgoing.items():
            prop = props.setdefault(p.value, Property(p.value, name(p.value)))
            prop.values.append(self._term(o, names, self.is_inferred(graphs)))
            if isinstance(o, ox.Literal):
                literals.setdefault(p.value, []).append((o.value, o.language))
        for prop in props.values():
            prop.inferred = all(v.inferred for v in prop.values)
            prop.values.sort(key=lambda v: (v.inferred, v.text.lower()))
        inverse: dict[str, Property] = {}
        for (x, p), graphs in self.incoming.items():
            if graphs == {self.provenance_graph}:
                continue  # the record graph's "dcterms:subject" back-link: shown as provenance
            prop = inverse.setdefault(p.value, Property(p.value, name(p.value)))
            prop.values.append(self._term(x, names, self.is_inferred(graphs)))
        for prop in inverse.values():
            prop.inferred = all(v.inferred for v in prop.values)
            prop.values.sort(key=lambda v: (v.inferred, v.text.lower()))
        types = props.pop(str(RDF.type), Property(str(RDF.type), "")).values
        label = names.get(self.iri) or self.iri
        comment = None
        for pred in COMMENT_PROPERTIES:
            if pred in literals:
                comment = pick(literals[pred], lang)
                break
        confidence = next((o.value for (p, o) in self.outgoing if p.value == CONFIDENCE
                           and isinstance(o, ox.NamedNode)), None)
        return Description(
            iri=self.iri, label=label, comment=comment, types=types,
            properties=sorted(props.values(), key=lambda p: (p.inferred, p.label.lower())),
            inverse=sorted(inverse.values(), key=lambda p: (p.inferred, p.label.lower())),
            inverse_cut=self.inverse_cut, provenance=self._provenance(names, lang),
            graph_size=self.graph_size, confidence=confidence,
        )

    def _names(self, lang: str) -> dict[str, str]:
        wanted = {self.iri}
        for (p, o) in self.outgoing:
            wanted.add(p.value)
            if isinstance(o, ox.NamedNode):
                wanted.add(o.value)
        for (x, p) in self.incoming:
            wanted.add(p.value)
            if isinstance(x, ox.NamedNode):
                wanted.add(x.value)
        for rows in self.bnodes.values():
            for p, o in rows:
                wanted.add(p.value)
                if isinstance(o, ox.NamedNode):
                    wanted.add(o.value)
        wanted |= self._record_graphs()
        return fetch_labels(self.store, wanted, lang)

    def _term(self, term: ox.Term, names: dict[str, str], inferred: bool, depth: int = 0) -> Term:
        if isinstance(term, ox.NamedNode):
            return Term(names.get(term.value) or term.value, iri=term.value, inferred=inferred)
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value if not term.language else None
            return Term(term.value, lang=term.language, datatype=datatype, inferred=inferred)
        nested: list[Property] = []
        if depth < BNODE_DEPTH:
            by_pred: dict[str, Property] = {}
            for p, o in self.bnodes.get(term, []):
                prop = by_pred.setdefault(p.value, Property(p.value, names.get(p.value) or p.value))
                prop.values.append(self._term(o, names, inferred, depth + 1))
            nested = list(by_pred.values())
        return Term("", inferred=inferred, nested=nested)

    def _record_graphs(self) -> set[str]:
        graphs = set().union(*self.outgoing.values()) if self.outgoing else set()
        return {g for g in graphs if g and g not in (self.inferred_graph, self.provenance_graph)}

    def _provenance(self, names: dict[str, str], lang: str) -> list[Property]:
        """Where the record came from: the provenance of each graph holding its asserted triples."""
        graphs = sorted(self._record_graphs())
        if not graphs:
            return []
        query = _PROVENANCE.replace("{graphs}", " ".join(str(ox.NamedNode(g)) for g in graphs))
        extra: set[str] = set()
        rows = list(self.store.query(query))
        for row in rows:
            extra.add(row["p"].value)
            if isinstance(row["o"], ox.NamedNode):
                extra.add(row["o"].value)
        names = {**names, **fetch_labels(self.store, extra - set(names), lang)}
        props: dict[str, Property] = {}
        for row in rows:
            if row["p"].value == str(RDF.type):
                continue
            prop = props.setdefault(row["p"].value, Property(row["p"].value, names.get(row["p"].value, "")))
            prop.values.append(self._term(row["o"], names, False))
        return sorted(props.values(), key=lambda p: p.label.lower())


def _graph(term: ox.Term | None) -> str:
    return term.value if isinstance(term, ox.NamedNode) else ""


def _rdflib(term: ox.Term):
    """Store.substitutions takes rdflib terms (the interface is backend-neutral)."""
    from graph.store import to_rdflib

    return to_rdflib(term)


SHAPES_IRI = "https://daten.oberhausen.de/stadtgraph/shapes"


def local_path(iri: str, base: str) -> str | None:
    """The request path (without leading slash) that dereferences ``iri`` on this service, or None
    for IRIs served elsewhere. The ontology and the shapes keep their fixed IRIs whatever the base.

    >>> local_path("https://x.org/sg/konzept/a", "https://x.org/sg/")
    'konzept/a'
    >>> local_path("https://daten.oberhausen.de/stadtgraph/ontology#Konzept", "https://x.org/sg/")
    'ontology#Konzept'
    """
    from graph.namespaces import ONTOLOGY_IRI

    for fixed, path in ((ONTOLOGY_IRI, "ontology"), (SHAPES_IRI, "shapes")):
        if iri == fixed or iri.startswith(fixed + "#") or iri.startswith(fixed + "/"):
            return path + iri[len(fixed):]
    if iri.startswith(base) and len(iri) > len(base):
        return iri[len(base):]
    return None
