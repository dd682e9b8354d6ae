"""The change feed for machines: a Linked Data Event Stream of record versions (SEMIC LDES,
https://semiceu.github.io/LinkedDataEventStreams/, on the TREE hypermedia specification,
https://treecg.github.io/specification/).

Every version of the version log (:mod:`graph.pipeline.versions`) is a member: its IRI is the version's
memento, ``dct:isVersionOf`` the record (``ldes:versionOfPath``), ``prov:generatedAtTime`` when it was
accepted (``ldes:timestampPath``); the record graph as that version left it is the named graph of the
member's IRI (TREE's member extraction takes the quads in the graph named by the member). A deletion is a
member too, typed ``as:Delete``, with an empty graph. A client that keeps, per record, the newest member's
graph ends with exactly the store's record graphs.

Fragments by time: fragment *k* holds the versions with ids ``k·n+1 … (k+1)·n`` (``n`` =
``ldes_page_size``), in time order; each links to the next with a ``tree:GreaterThanOrEqualToRelation``
on the timestamp. A full fragment never changes again (immutable, long-lived); the newest is short-lived.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from graph.namespaces import DCTERMS, PROV, RDF, XSD
from graph.pipeline.versions import Version, VersionLog, now_iso

LDES = "https://w3id.org/ldes#"
TREE = "https://w3id.org/tree#"
AS = "https://www.w3.org/ns/activitystreams#"
PREFIXES = {"ldes": LDES, "tree": TREE, "as": AS, "dct": str(DCTERMS), "prov": str(PROV),
            "xsd": str(XSD), "rdf": str(RDF)}


@dataclass(frozen=True)
class Fragment:
    """One page of the stream: its quads and whether it can still change."""

    quads: list[ox.Quad]
    immutable: bool
    members: int


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _stamp(version_or_time) -> ox.Literal:
    at = version_or_time.at if isinstance(version_or_time, Version) else version_or_time
    return ox.Literal(now_iso(at).replace("+00:00", "Z"), datatype=_n(str(XSD.dateTime)))


def stream_description(stream: str, first_page: str, retention_days: float) -> list[ox.Quad]:
    """The event stream itself: its paths and its view (the first fragment)."""
    s = _n(stream)
    quads = [
        ox.Quad(s, _n(str(RDF.type)), _n(LDES + "EventStream")),
        ox.Quad(s, _n(LDES + "timestampPath"), _n(str(PROV.generatedAtTime))),
        ox.Quad(s, _n(LDES + "versionOfPath"), _n(str(DCTERMS.isVersionOf))),
        ox.Quad(s, _n(TREE + "view"), _n(first_page)),
        ox.Quad(_n(first_page), _n(str(RDF.type)), _n(TREE + "Node")),
    ]
    if retention_days:
        policy = ox.BlankNode("retention")
        quads += [ox.Quad(_n(first_page), _n(LDES + "retentionPolicy"), policy),
                  ox.Quad(policy, _n(str(RDF.type)), _n(LDES + "DurationAgoPolicy")),
                  ox.Quad(policy, _n(TREE + "value"),
                          ox.Literal(f"P{int(retention_days)}D", datatype=_n(str(XSD.duration))))]
    return quads


def fragment(log: VersionLog, page: int, *, size: int, stream: str, page_url, member_url) -> Fragment | None:
    """Fragment ``page`` (None past the last one). ``page_url(k)`` and ``member_url(version)`` make the
    addresses (the HTTP layer knows them)."""
    last = log.last_id()
    first_id, last_id = page * size + 1, (page + 1) * size
    if page < 0 or (page > 0 and first_id > last):
        return None
    here = _n(page_url(page))
    quads = [ox.Quad(here, _n(str(RDF.type)), _n(TREE + "Node")),
             ox.Quad(_n(stream), _n(str(RDF.type)), _n(LDES + "EventStream")),
             ox.Quad(_n(stream), _n(LDES + "timestampPath"), _n(str(PROV.generatedAtTime))),
             ox.Quad(_n(stream), _n(LDES + "versionOfPath"), _n(str(DCTERMS.isVersionOf))),
             ox.Quad(_n(stream), _n(TREE + "view"), _n(page_url(0)))]
    versions = log.between(first_id, last_id)
    contents = log.contents([v.id for v in versions])
    for v in versions:
        m = _n(member_url(v))
        quads += [ox.Quad(_n(stream), _n(TREE + "member"), m),
                  ox.Quad(m, _n(str(DCTERMS.isVersionOf)), _n(v.record)),
                  ox.Quad(m, _n(str(PROV.generatedAtTime)), _stamp(v))]
        if v.deleted:
            quads.append(ox.Quad(m, _n(str(RDF.type)), _n(AS + "Delete")))
        text = contents.get(v.id, "")
        if text.strip():
            quads += [ox.Quad(t.subject, t.predicate, t.object, m)
                      for t in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)]
    immutable = last >= last_id  # every id of the fragment is taken: nothing can join it any more
    if last > last_id:
        nxt = log.first_at(last_id)
        relation = ox.BlankNode("next")
        quads += [ox.Quad(here, _n(TREE + "relation"), relation),
                  ox.Quad(relation, _n(str(RDF.type)), _n(TREE + "GreaterThanOrEqualToRelation")),
                  ox.Quad(relation, _n(TREE + "node"), _n(page_url(page + 1))),
                  ox.Quad(relation, _n(TREE + "path"), _n(str(PROV.generatedAtTime))),
                  ox.Quad(relation, _n(TREE + "value"), _stamp(nxt))]
    return Fragment(quads, immutable, len(versions))
