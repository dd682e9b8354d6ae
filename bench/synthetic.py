"""Synthetic municipal planning graphs at a scale factor, shaped like the Oberhausen data, for benchmarks.

Stable API (other benches depend on it)::

    generate_records(target_triples, seed=1, *, base=DEFAULT_BASE, defect_rate=0.0)
        -> Iterator[tuple[URIRef, list[tuple[URIRef, URIRef, Node]]]]   # (record graph IRI, rdflib triples)
    iter_nquads(target_triples, seed=1, *, base=..., defect_rate=0.0, stats=None) -> Iterator[str]
        # one record's N-Quads text at a time (fast path: no rdflib objects at all)
    generate_nquads(path, target_triples, seed=1, *, base=..., defect_rate=0.0) -> dict
        # streams N-Quads to ``path``; returns stats (see :class:`Stats`)
    generate_store(target_triples, seed=1, *, base=..., defect_rate=0.0) -> pyoxigraph.Store
        # an in-memory pyoxigraph store holding the same quads
    city_entities(index=0, seed=1, *, base=...) -> dict[str, str]
        # IRIs of a few entities of one city (a Themenfeld, a unit, places, a concept) for query parameters

Shape, per city ``i`` (IRIs minted by :class:`graph.iris.Iris` under ``{base}stadt-{i:04d}/``, one named
graph per record, ``Iris.record_graph(entity)``): two SKOS schemes; the 8 real Themenfelder with 2–5
Leitziele each (``ob:gehoertZuThemenfeld``); 17 units in a Dezernat > Bereich > Fachbereich hierarchy
(``skos:notation``, ``org:unitOf``) under the city (``ob:Kommune``); places: 1 Stadt, 3 Stadtbezirke,
6 Sozialräume, 27 Sozialquartiere linked by ``ob:liegtIn``; 30–250 concepts (``ob:Konzept`` with
``dcterms:title``, 1–6 Themenfelder, 0–3 Leitziele of those, a unit, a spatial scope, a ``xsd:gYear``,
wiki page and revision, analysis topics, goals, links, ~3 % explicit ``ob:synergieMit`` to an earlier
concept) and 0–2 Vorlagen each (``ob:drucksache`` matching ``^[BAM]/(14|16|17)/\\d{3,5}(-\\d{2})?$`` with
the election period that fits its ``dcterms:date``, ``ob:volfdnr`` as ``xsd:positiveInteger`` unique over
all cities, ``ob:ratsinfoSeite``/``ob:allrisSeite`` URLs carrying that VOLFDNR). A city holds ~4–5k triples.

Records come in dependency order (reference data, then each concept's Vorlagen before the concept), and
output stops after the record that reaches ``target_triples``, so a prefix never references anything
missing. Each city has its own random stream: the same seed gives byte-identical output, and a smaller
scale is a prefix of a larger one. The ontology is not included (load ``ontology/oberhausen.ttl`` if a
bench needs its axioms).

``defect_rate`` (0..1) gives that share of concepts exactly one defect, drawn from :data:`DEFECTS` (the
two Vorlage defects sit in the concept's first Vorlage record, the others in the concept's record); the
stats count them per kind and name each defective graph, so a validation bench can check its findings.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from bench.citygen import DEFECTS, City, Lit, Raw, Stats
from graph.settings import DEFAULT_BASE

__all__ = ["DEFECTS", "Stats", "city_entities", "generate_nquads", "generate_records", "generate_store",
           "iter_nquads"]


# ---- the stream -------------------------------------------------------------------------------------
def _raw_records(target_triples: int, seed: int, base: str, defect_rate: float,
                 stats: Stats) -> Iterator[tuple[str, list[Raw]]]:
    if target_triples <= 0:
        return
    city = 0
    while True:
        c = City(city, seed, base, defect_rate, stats)
        stats.cities += 1
        for kind, graph, triples in c.records():
            stats.graphs += 1
            stats.triples += len(triples)
            stats.concepts += kind == "konzept"
            stats.vorlagen += kind == "vorlage"
            yield graph, triples
            if stats.triples >= target_triples:
                return
        city += 1


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _nq(o: str | Lit) -> str:
    if isinstance(o, Lit):
        if o.lang:
            return f'"{_esc(o.value)}"@{o.lang}'
        if o.datatype:
            return f'"{_esc(o.value)}"^^<{o.datatype}>'
        return f'"{_esc(o.value)}"'
    return f"<{o}>"


def _rdflib(o: str | Lit) -> Node:
    if isinstance(o, Lit):
        return Literal(o.value, lang=o.lang, datatype=URIRef(o.datatype) if o.datatype else None)
    return URIRef(o)


def iter_nquads(target_triples: int, seed: int = 1, *, base: str = DEFAULT_BASE, defect_rate: float = 0.0,
                stats: Stats | None = None) -> Iterator[str]:
    """The N-Quads text of one record at a time; pass a :class:`Stats` to receive the counts."""
    stats = stats if stats is not None else Stats()
    for graph, triples in _raw_records(target_triples, seed, base, defect_rate, stats):
        g = f"<{graph}> .\n"
        yield "".join(f"<{s}> <{p}> {_nq(o)} {g}" for s, p, o in triples)


def generate_records(target_triples: int, seed: int = 1, *, base: str = DEFAULT_BASE, defect_rate: float = 0.0,
                     stats: Stats | None = None) -> Iterator[tuple[URIRef, list[tuple[URIRef, URIRef, Node]]]]:
    """(record graph IRI, rdflib triples) per record, until ``target_triples`` is reached."""
    stats = stats if stats is not None else Stats()
    for graph, triples in _raw_records(target_triples, seed, base, defect_rate, stats):
        yield URIRef(graph), [(URIRef(s), URIRef(p), _rdflib(o)) for s, p, o in triples]


def generate_nquads(path: str | Path, target_triples: int, seed: int = 1, *, base: str = DEFAULT_BASE,
                    defect_rate: float = 0.0) -> dict:
    """Stream the graph to an N-Quads file; returns the stats as a dict (triples, graphs, concepts, cities …)."""
    stats = Stats()
    with open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        out.writelines(iter_nquads(target_triples, seed, base=base, defect_rate=defect_rate, stats=stats))
    return stats.as_dict()


def city_entities(index: int = 0, seed: int = 1, *, base: str = DEFAULT_BASE) -> dict[str, str]:
    """IRIs of some entities of city ``index`` (present at every scale that reaches that city), for
    parameterising benchmark queries: stadt, stadtbezirk, sozialraum, sozialquartier, themenfeld
    (the first, "Arbeit, Wirtschaft und Tourismus"), leitziel, einheit (Bereich 5-1), konzept (the first)."""
    city = City(index, seed, base, 0.0, Stats())
    for kind, _graph, triples in city.records():
        if kind == "konzept":
            return {"stadt": city.stadt, "stadtbezirk": str(city.iris.raum("stadtbezirk", city.bezirke[0])),
                    "sozialraum": city.sozialraeume[0], "sozialquartier": city.quartiere[0],
                    "themenfeld": city.themenfelder[0], "leitziel": city.leitziele[city.themenfelder[0]][0],
                    "einheit": str(city.iris.einheit("Bereich", "5-1")), "konzept": triples[0][0]}
    raise AssertionError("a city always has concepts")


def generate_store(target_triples: int, seed: int = 1, *, base: str = DEFAULT_BASE,
                   defect_rate: float = 0.0) -> ox.Store:
    """An in-memory pyoxigraph store with the synthetic graph (loaded in chunks of ~50k quads)."""
    store = ox.Store()
    chunk: list[str] = []
    size = 0
    for text in iter_nquads(target_triples, seed, base=base, defect_rate=defect_rate):
        chunk.append(text)
        size += text.count("\n")
        if size >= 50_000:
            store.bulk_load("".join(chunk).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
            chunk, size = [], 0
    if chunk:
        store.bulk_load("".join(chunk).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return store
