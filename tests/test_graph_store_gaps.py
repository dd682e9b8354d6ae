"""Graph Store Protocol cases beyond the W3C sequence (issue 20.3): POST to the store itself creates a graph
(§5.5, 201 with ``Location``), ``multipart/form-data`` POST writes several files at once through the one gate
(atomic: one bad file writes nothing), HEAD negotiates as GET, and PUT on the union default graph is a 405
with ``Allow`` and a problem+json saying why."""
from __future__ import annotations

import io

import rdflib

from graph.pipeline import audit
from tests.graph_store_data import AUTH, BASE, GOOD_CONCEPT, MALFORMED_VORLAGE, NEW_CONCEPT, SYNERGY_ASK
from tests.test_graph_store import writable  # noqa: F401

PERSON = """@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://example.org/gsp/alice> a foaf:Person ; foaf:name "Alice" ."""
BOB_NT = b'<http://example.org/gsp/bob> <http://xmlns.com/foaf/0.1/name> "Bob" .\n'
BOB_JSONLD = b'{"@id": "http://example.org/gsp/carol", "http://xmlns.com/foaf/0.1/name": "Carol"}'


def _dump(store) -> list[bytes]:
    buf = io.BytesIO()
    store.dump(buf)
    return sorted(buf.getvalue().splitlines())


def test_post_to_the_store_itself_creates_a_graph_under_the_base(writable):  # noqa: F811
    client, store, s = writable
    r = client.post("/graph-store", data=GOOD_CONCEPT, headers={"Content-Type": "text/turtle", **AUTH})
    assert r.status_code == 201, r.text
    location = r.headers["Location"]
    assert location.startswith(BASE + "graph/eingang/") and store.has_graph(location)
    got = client.get("/graph-store", query_string={"graph": location}, headers={"Accept": "text/turtle"})
    assert got.status_code == 200
    assert (rdflib.URIRef(NEW_CONCEPT), None, None) in rdflib.Graph().parse(data=got.data, format="turtle")
    assert store.query(SYNERGY_ASK)  # the same write path: inference refreshed
    assert audit.entries(s)[-1]["graph"] == location
    second = client.post("/graph-store", data=PERSON, headers={"Content-Type": "text/turtle", **AUTH})
    assert second.status_code == 201 and second.headers["Location"] != location


def test_post_to_the_store_itself_needs_a_token_and_passes_the_gate(writable):  # noqa: F811
    client, store, _ = writable
    before = _dump(store)
    anonymous = client.post("/graph-store", data=PERSON, headers={"Content-Type": "text/turtle"})
    assert anonymous.status_code == 401
    refused = client.post("/graph-store", data=MALFORMED_VORLAGE, headers={"Content-Type": "text/turtle", **AUTH})
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert _dump(store) == before


def test_multipart_post_writes_several_files_in_one_write(writable):  # noqa: F811
    client, store, s = writable
    graph = BASE + "graph/gsp/viele"
    files = {
        "a": (io.BytesIO(PERSON.encode()), "alice.ttl", "text/turtle"),
        "b": (io.BytesIO(BOB_NT), "bob.nt", "application/octet-stream"),  # read by its ending
        "c": (io.BytesIO(BOB_JSONLD), "carol.jsonld", "application/ld+json"),
    }
    r = client.post("/graph-store", query_string={"graph": graph}, data=files, headers=AUTH,
                    content_type="multipart/form-data")
    assert r.status_code == 201, r.text
    names = {str(o) for o in store.graph(graph).objects(None, rdflib.URIRef("http://xmlns.com/foaf/0.1/name"))}
    assert names == {"Alice", "Bob", "Carol"}
    assert len([e for e in audit.entries(s) if e["graph"] == graph]) == 1  # one write, one audit line


def test_multipart_post_to_the_store_itself_creates_one_graph(writable):  # noqa: F811
    client, store, _ = writable
    files = {"f": [(io.BytesIO(PERSON.encode()), "alice.ttl", "text/turtle"),
                   (io.BytesIO(BOB_NT), "bob.nt", "application/n-triples")]}
    r = client.post("/graph-store", data=files, headers=AUTH, content_type="multipart/form-data")
    assert r.status_code == 201 and len(store.graph(r.headers["Location"])) == 3


def test_multipart_post_with_one_bad_file_writes_nothing(writable):  # noqa: F811
    client, store, _ = writable
    before = _dump(store)
    graph = BASE + "graph/vorlage/b-14-3293-01"
    invalid = {"a": (io.BytesIO(PERSON.encode()), "alice.ttl", "text/turtle"),
               "b": (io.BytesIO(MALFORMED_VORLAGE.encode()), "vorlage.ttl", "text/turtle")}
    r = client.post("/graph-store", query_string={"graph": graph}, data=invalid, headers=AUTH,
                    content_type="multipart/form-data")
    assert r.status_code == 422 and r.get_json()["report"]["records"]
    unreadable = {"a": (io.BytesIO(PERSON.encode()), "alice.ttl", "text/turtle"),
                  "b": (io.BytesIO(b"<http://x/s> <http://x/p> ."), "kaputt.ttl", "text/turtle")}
    r = client.post("/graph-store", query_string={"graph": BASE + "graph/gsp/x"}, data=unreadable,
                    headers=AUTH, content_type="multipart/form-data")
    assert r.status_code == 400 and r.get_json()["file"] == "kaputt.ttl"
    pdf = {"a": (io.BytesIO(b"%PDF"), "plan.pdf", "application/pdf")}
    r = client.post("/graph-store", query_string={"graph": BASE + "graph/gsp/x"}, data=pdf, headers=AUTH,
                    content_type="multipart/form-data")
    assert r.status_code == 415 and "plan.pdf" in r.get_json()["detail"]
    assert _dump(store) == before


def test_head_negotiates_as_get(writable):  # noqa: F811
    client, _, _ = writable
    target = {"graph": BASE + "graph/konzept/einzelhandelskonzept"}
    for accept in ("application/ld+json", "application/rdf+xml;q=0.9, text/turtle;q=0.5", "application/n-triples"):
        get = client.get("/graph-store", query_string=target, headers={"Accept": accept})
        head = client.head("/graph-store", query_string=target, headers={"Accept": accept})
        assert (head.status_code, head.mimetype, head.headers["Vary"]) == (get.status_code, get.mimetype, "Accept")
        assert head.data == b""
    assert client.head("/graph-store", query_string=target, headers={"Accept": "image/png"}).status_code == 406


def test_put_on_the_union_default_graph_is_405_with_allow_and_a_reason(writable):  # noqa: F811
    client, store, _ = writable
    before = _dump(store)
    for method in (client.put, client.post, client.delete):
        r = method("/graph-store?default", data=PERSON, headers={"Content-Type": "text/turtle", **AUTH})
        assert r.status_code == 405 and r.mimetype == "application/problem+json"
        assert r.headers["Allow"] == "GET, HEAD"
        assert "union" in r.get_json()["detail"] and "Vereinigung" in r.get_json()["detail"]
    assert _dump(store) == before
