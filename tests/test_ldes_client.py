"""The change feed read by a real LDES client: the TREE community's ``ldes-client`` from the npm registry
(installed by ``scripts/setup-assets.sh``), against a live server that takes Graph Store writes. Read from
the start, the stream gives exactly the store's record graphs; resumed from the client's saved state, it
gives only what is newer, deletions included."""
from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare

from graph.iris import Iris
from graph.pipeline.versions import is_record_graph
from graph.settings import DEFAULT_BASE, PROJECT_ROOT
from tests.graph_store_data import AUTH, GOOD_CONCEPT, NEW_CONCEPT, NEW_GRAPH
from tests.history_data import CONCEPT, AsTestClient, three_edits

pytestmark = pytest.mark.slow

CLIENT = PROJECT_ROOT / "node_modules" / ".bin" / "ldes-client"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
DELETE = "https://www.w3.org/ns/activitystreams#Delete"
BASE = DEFAULT_BASE
IRIS = Iris(BASE)


def read_stream(url: str, state: Path, out: Path, *, members: int | None = None, quiet: float = 2.5,
                longest: float = 120) -> ox.Store:
    """Run the client in follow mode (``--follow``, it polls the mutable fragments), keeping its state in
    ``state``, until it has printed ``members`` members, or (``members`` None) until it has printed
    something and then nothing new for ``quiet`` seconds; stop it as an operator would (SIGTERM), and give
    what it printed as a store."""
    with open(out, "wb") as sink:
        proc = subprocess.Popen([str(CLIENT), "--follow", "--poll-interval", "300", "--save", str(state), url],
                                stdout=sink, stderr=subprocess.DEVNULL)
        try:
            deadline, size, still_since = time.monotonic() + longest, -1, time.monotonic()
            while time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.3)
                text = out.read_bytes()
                if members is not None and text.count(b"/isVersionOf>") >= members:
                    time.sleep(quiet)  # and nothing more after them
                    break
                if len(text) != size:
                    size, still_since = len(text), time.monotonic()
                elif members is None and time.monotonic() - still_since > quiet:
                    break
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    store = ox.Store()
    store.load(as_nquads(out.read_text("utf-8")).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


# The client prints its members with n3's Writer in its default (Turtle) mode: quad lines, but numbers and
# booleans in Turtle's short form (``… <#volfdnr> 13572 <graph> .``), which N-Quads does not allow.
_SHORT = re.compile(r"^(.* )(-?\d+|-?\d*\.\d+|-?\d*\.?\d+[eE][+-]?\d+|true|false)( <[^>]*>)? \.$")
_TYPE = {"true": "boolean", "false": "boolean"}


def as_nquads(text: str) -> str:
    def long_form(match: re.Match) -> str:
        value = match.group(2)
        kind = _TYPE.get(value) or ("double" if "e" in value.lower() else "decimal" if "." in value else "integer")
        return f'{match.group(1)}"{value}"^^<http://www.w3.org/2001/XMLSchema#{kind}>{match.group(3) or ""} .'
    return "\n".join(_SHORT.sub(long_form, line) for line in text.splitlines())


def newest_members(members: ox.Store) -> dict[str, tuple[str, str, bool]]:
    """Per record (``ldes:versionOfPath``): its newest member (``ldes:timestampPath``) and whether it is a
    deletion."""
    newest: dict[str, tuple[str, str, bool]] = {}
    for q in members.quads_for_pattern(None, ox.NamedNode(DCT + "isVersionOf"), None, ox.DefaultGraph()):
        member, record = q.subject, q.object.value
        at = next(members.quads_for_pattern(member, ox.NamedNode(PROV + "generatedAtTime"), None)).object.value
        deleted = any(True for _ in members.quads_for_pattern(member, ox.NamedNode(str(rdflib.RDF.type)),
                                                              ox.NamedNode(DELETE)))
        if record not in newest or newest[record][0] < at:
            newest[record] = (at, member.value, deleted)
    return newest


def member_graph(members: ox.Store, member: str) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(data=ox.serialize(members.quads_for_pattern(None, None, None, ox.NamedNode(member)),
                              format=ox.RdfFormat.N_QUADS).decode().replace(f" <{member}> .", " ."), format="nt")
    return g


def store_graphs(server) -> dict[str, rdflib.Graph]:
    """The record graphs the server holds: their names through SPARQL, their content through the Graph Store."""
    rows = server.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                      headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    out = {}
    for row in rows:
        graph = row["g"]["value"]
        if is_record_graph(IRIS, graph):
            text = server.get("/graph-store", params={"graph": graph}, headers={"Accept": "text/turtle"}).text
            out[graph] = rdflib.Graph().parse(data=text, format="turtle")
    return out


def assert_replica_is_the_store(replica: dict[str, tuple[str, str, bool]], members: ox.Store, server) -> None:
    expected = store_graphs(server)
    got = {BASE + "graph/" + record[len(BASE):]: member for record, (_, member, deleted) in replica.items()
           if not deleted}
    assert set(got) == set(expected), sorted(set(got) ^ set(expected))[:5]
    different = [g for g in expected if not rdflib.compare.isomorphic(expected[g], member_graph(members, got[g]))]
    assert not different, different[:3]


def test_a_real_ldes_client_replays_the_stream_from_scratch_and_resumes(live_writer, tmp_path):
    if not CLIENT.exists():
        pytest.fail("ldes-client is missing: run scripts/setup-assets.sh")
    writer, state = live_writer, tmp_path / "client-state"
    http = AsTestClient(writer)
    # a first write seeds the version log with every record as it is; then the stream is read whole
    response = http.put(f"/graph-store?graph={NEW_GRAPH}", data=GOOD_CONCEPT,
                        headers={"Content-Type": "text/turtle", **AUTH})
    assert response.status_code == 201, response.text
    first = read_stream(writer.url + "/ldes", state, tmp_path / "first.nq")
    replica = newest_members(first)
    assert NEW_CONCEPT in replica and CONCEPT in replica
    assert_replica_is_the_store(replica, first, writer)

    # three edits and a deletion later, the client started again from its state reads only those four
    three_edits(http)
    assert http.delete(f"/graph-store?graph={NEW_GRAPH}", headers=AUTH).status_code == 204
    second = read_stream(writer.url + "/ldes", state, tmp_path / "second.nq", members=4)
    new = newest_members(second)
    records = [q.object.value for q in second.quads_for_pattern(None, ox.NamedNode(DCT + "isVersionOf"), None,
                                                                ox.DefaultGraph())]
    assert sorted(records) == sorted([CONCEPT] * 3 + [NEW_CONCEPT])
    assert new[NEW_CONCEPT][2] is True  # the deletion is a member
    replica.update(new)
    union = ox.Store()
    union.extend(first)
    union.extend(second)
    assert_replica_is_the_store(replica, union, writer)

    # nothing new: nothing read
    assert len(read_stream(writer.url + "/ldes", state, tmp_path / "third.nq", members=1, longest=5)) == 0
