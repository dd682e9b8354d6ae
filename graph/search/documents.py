"""What the search index holds of one record: its title, its text, and its facets, read from the store.

A record is the entity of one record graph (``{base}graph/<path>`` holds ``{base}<path>``). Its title is
its German name (labels, titles, alternative names, the Drucksache number); its text is every German or
untagged string of its graph, plus the names of what it links to (Leitziele, Themenfelder, places, units).
Facets: kind, Themenfeld, Sozialraum, Jahr, Einheit, from the record and what it links to (inferred links
included: a concept in a Sozialquartier is in its Sozialraum).
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from graph.iris import Iris
from graph.labels import iri_values, local_name
from graph.namespaces import DCTERMS, OB, ORG, RDFS, SCHEMA, SKOS, sparql_prologue
from graph.store import Store

#: Properties whose values are the record's name (best first); the first found is the result's title.
TITLE_PROPERTIES = (str(SKOS.prefLabel), str(DCTERMS.title), str(RDFS.label), str(SKOS.altLabel),
                    str(SKOS.hiddenLabel), str(OB.wikiBezeichnung))
#: Strings that are no prose: addresses, file names, revision ids, the wiki page title (the name already).
SKIPPED_PROPERTIES = {str(OB.iconDatei), str(OB.wikiSeitentitel), str(OB.wikiKategorie), str(OB.wikiRevision),
                      str(OB.volfdnr), str(OB.gemeindeschluessel)}
YEAR_PROPERTIES = (str(OB.veroeffentlichungsjahr), str(DCTERMS.date), str(DCTERMS.issued), str(SCHEMA.startDate),
                   str(DCTERMS.created))
#: The kind a result shows, most specific first (a Sozialraum is also a Raum).
KINDS = ("Konzept", "Vorlage", "Themenfeld", "Leitziel", "Indikator", "Glossarbegriff", "Expertendialog",
         "Sozialquartier", "Sozialraum", "Stadtbezirk", "Stadt", "Fachbereich", "Bereich", "Dezernat", "Kommune",
         "Organisationseinheit", "Raum")
UNIT_CLASSES = (str(OB.Organisationseinheit), str(ORG.OrganizationalUnit), str(ORG.Organization))
FACETS = ("art", "themenfeld", "sozialraum", "jahr", "einheit")
STRING_TYPES = {"http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
YEAR = re.compile(r"^(\d{4})")
BATCH = 400


@dataclass
class Document:
    """One record as the index sees it."""

    iri: str
    graph: str
    title: str = ""
    names: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    drucksachen: list[str] = field(default_factory=list)
    facets: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @property
    def body(self) -> str:
        return "\n".join(dict.fromkeys(t for t in self.text if t))


def record_of(graph: str, iris: Iris) -> str | None:
    """The entity a record graph holds, None for the graphs the service writes itself."""
    own = {str(iris.inferred_graph), str(iris.ontology_graph), str(iris.provenance_graph), str(iris.update_graph)}
    if graph in own or not graph.startswith(iris.base):
        return None
    # {base}graph/<path> holds {base}<path>; a sub-base ({base}stadt-0001/graph/<path>, as in bench/) likewise.
    head, found, path = graph[len(iris.base):].partition("graph/")
    if not found or (head and not head.endswith("/")) or not path or path.startswith("quelle/"):
        return None
    return iris.base + head + path


def _german(lang: str | None) -> bool:
    return not lang or lang.lower().split("-")[0] == "de"


def documents(store: Store, iris: Iris, graphs: Iterable[str]) -> Iterator[Document]:
    """The documents of the given record graphs (a graph without its entity yields nothing)."""
    pairs = [(g, e) for g in graphs if (e := record_of(g, iris))]
    for start in range(0, len(pairs), BATCH):
        yield from _batch(store, pairs[start:start + BATCH])


def _batch(store: Store, pairs: list[tuple[str, str]]) -> Iterator[Document]:
    docs = {e: Document(e, g) for g, e in pairs}
    values = " ".join(f"(<{e}> <{g}>)" for g, e in pairs)
    iri_values(docs)  # each IRI checked by pyoxigraph before it goes into a query
    iri_values(g for g, _ in pairs)
    present: set[str] = set()
    names: dict[str, list[tuple[int, str]]] = defaultdict(list)
    # The record's own strings: everything in its graph (hash IRIs and blank nodes too). ``GRAPH ?g`` with
    # ?g bound to record graphs needs no "asserted" dataset, which lists every asserted graph per query
    # (at 300k triples 0.19 s a batch instead of 0.014 s).
    for row in store.query(f"SELECT ?e ?s ?p ?o WHERE {{ VALUES (?e ?g) {{ {values} }} GRAPH ?g {{ ?s ?p ?o "
                           "FILTER(isLiteral(?o)) } }"):
        doc, prop, lit = docs[row["e"].value], row["p"].value, row["o"]
        own = row["s"].value == doc.iri
        present.add(doc.iri)
        if own and prop in YEAR_PROPERTIES and (year := YEAR.match(lit.value)):
            doc.facets["jahr"].add(year.group(1))
            continue
        if prop in SKIPPED_PROPERTIES or lit.datatype.value not in STRING_TYPES or not _german(lit.language):
            continue
        if lit.value.startswith(("http://", "https://")):
            continue
        if own and prop == str(OB.drucksache):
            doc.drucksachen.append(lit.value)
        if own and prop in TITLE_PROPERTIES:
            names[doc.iri].append((TITLE_PROPERTIES.index(prop), lit.value))
        else:
            doc.text.append(lit.value)
    for iri, found in names.items():
        ranked = [text for _, text in sorted(found)]
        docs[iri].title = ranked[0]
        docs[iri].names = list(dict.fromkeys(ranked))
    # Types: the kind facet, and the record itself as its own Themenfeld, Sozialraum or Einheit.
    own_labels = {e: d.title for e, d in docs.items()}
    for row in store.query(f"SELECT ?e ?t WHERE {{ VALUES (?e ?g) {{ {values} }} ?e a ?t }}"):
        _typed(docs[row["e"].value], row["t"].value, own_labels[row["e"].value])
    # What the record links to: names into the text (asserted links only), facets (inferred links too).
    query = sparql_prologue() + f"""
SELECT ?e ?o ?t (SAMPLE(?name) AS ?label) (SAMPLE(?asserted) AS ?own) WHERE {{
  VALUES (?e ?g) {{ {values} }}
  {{ GRAPH ?g {{ ?e ?p ?o }} BIND(true AS ?asserted) }} UNION {{ ?e ?p ?o }}
  FILTER(isIRI(?o) && ?o != ?e && ?p NOT IN (rdf:type, ob:konfidenz))
  ?o a ?t .
  ?o rdfs:label|skos:prefLabel|dcterms:title ?name FILTER(lang(?name) = "de" || lang(?name) = "")
}} GROUP BY ?e ?o ?t"""
    linked: dict[tuple[str, str], tuple[set[str], str, bool]] = {}
    for row in store.query(query):
        key = (row["e"].value, row["o"].value)
        types, label, own = linked.get(key, (set(), row["label"].value, False))
        types.add(row["t"].value)
        linked[key] = (types, label, own or row["own"] is not None)
    for (e, _), (types, label, own) in linked.items():
        doc = docs[e]
        if own:
            doc.text.append(label)
        if str(OB.Themenfeld) in types:
            doc.facets["themenfeld"].add(label)
        if str(OB.Sozialraum) in types:
            doc.facets["sozialraum"].add(label)
        if any(t in types for t in UNIT_CLASSES) and own:
            doc.facets["einheit"].add(label)
    for iri in present:
        doc = docs[iri]
        doc.title = doc.title or local_name(iri)
        if not doc.facets["art"]:
            doc.facets["art"].add("Sonstiges")
        yield doc


def _typed(doc: Document, cls: str, label: str) -> None:
    name = local_name(cls)
    if cls.startswith(str(OB)) and name in KINDS:
        current = next(iter(doc.facets["art"]), None)
        if current is None or KINDS.index(name) < KINDS.index(current):
            doc.facets["art"] = {name}
    if cls == str(OB.Themenfeld):
        doc.facets["themenfeld"].add(label)
    elif cls == str(OB.Sozialraum):
        doc.facets["sozialraum"].add(label)
    elif cls in UNIT_CLASSES:
        doc.facets["einheit"].add(label)
