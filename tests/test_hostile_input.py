"""Bounded and refused input: every route of the app refuses an over-long URL, too many parameters and an
over-large body; query and search texts have a limit; hostile RDF (entity bombs, remote JSON-LD contexts,
literal subjects, bad UTF-8, truncated documents) is a 400 naming the line, in the library and on /validate.
"""
from __future__ import annotations

import json
import re
import socket
import threading
import time

import pytest

from graph.errors import LoaderError, ParseError
from graph.rdfparse import parse_rdf, parse_upload

MACHINE = {"Accept": "application/json"}
SAMPLE_ARGUMENTS = {"subpath": "konzept/klimaanpassungskonzept", "name": "zustaendigkeiten",
                    "filename": "css/site.css", "version": "0.1.0", "vid": "1", "k": "0"}


@pytest.fixture
def small_app(settings, built_store):
    from server import create_app

    app = create_app(settings.replace(max_body_bytes=1000, max_upload_bytes=5000, max_query_length=500),
                     store=built_store)
    app.config["TESTING"] = True
    return app


def every_route(app) -> list[tuple[str, str, int]]:
    """(method, concrete path, body limit) for every rule of the app and each of its methods."""
    from web.security import limit_for_route

    out = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: SAMPLE_ARGUMENTS[m.group(1)], rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, path, limit_for_route(app, method, path)))
    return out


def test_the_route_list_covers_the_app(small_app):
    routes = every_route(small_app)
    assert len({path for _, path, _ in routes}) >= 20
    assert ("POST", "/validate", 5000) in routes and ("POST", "/sparql", 1000) in routes


def test_every_route_refuses_an_overlong_url(small_app):
    client = small_app.test_client()
    limit = small_app.config["SETTINGS"].max_url_length
    for method, path, _ in every_route(small_app):
        response = client.open(path + "?x=" + "a" * limit, method=method, headers=MACHINE)
        assert response.status_code == 414, (method, path)
        assert response.mimetype == "application/problem+json"


def test_every_route_refuses_too_many_parameters(small_app):
    client = small_app.test_client()
    limit = small_app.config["SETTINGS"].max_parameters
    query = "&".join(f"p{i}=1" for i in range(limit + 1))
    for method, path, _ in every_route(small_app):
        response = client.open(f"{path}?{query}", method=method, headers=MACHINE)
        assert response.status_code == 400, (method, path)
        assert response.get_json()["limit"] == limit


def test_every_route_refuses_a_body_over_its_limit(small_app):
    client = small_app.test_client()
    for method, path, limit in every_route(small_app):
        response = client.open(path, method=method, data=b"x" * (limit + 1), headers=MACHINE,
                               content_type="application/octet-stream")
        assert response.status_code == 413, (method, path)
        assert response.get_json()["limit"] == limit


def test_sparql_query_length_is_bounded(small_app):
    client = small_app.test_client()
    query = "ASK { }" + " " * 494  # 501 characters
    response = client.post("/sparql", data=query, content_type="application/sparql-query", headers=MACHINE)
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert client.post("/sparql", data=query[:500], content_type="application/sparql-query").status_code == 200


def test_search_text_and_curated_parameters_are_bounded(client):
    from graph.pages.browse import MAX_SEARCH_LENGTH
    from graph.query.curated import MAX_PARAMETER_LENGTH

    response = client.get("/suche?q=" + "k" * (MAX_SEARCH_LENGTH + 1), headers=MACHINE)
    assert response.status_code == 400 and response.get_json()["limit"] == MAX_SEARCH_LENGTH
    assert client.get("/suche?q=" + "k" * MAX_SEARCH_LENGTH).status_code == 200
    response = client.get("/api/queries/suche-konzepte?stichwort=" + "k" * (MAX_PARAMETER_LENGTH + 1))
    assert response.status_code == 400 and response.get_json()["parameter"] == "stichwort"
    assert client.get("/api/queries/suche-konzepte?stichwort=Klima").status_code == 200


# ---- hostile RDF -------------------------------------------------------------------------------------
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&lol9;</ex:p></rdf:Description>
</rdf:RDF>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE r [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&secret;</ex:p></rdf:Description>
</rdf:RDF>
"""


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_xml_entities_are_refused_at_once(payload):
    started = time.perf_counter()
    with pytest.raises(LoaderError, match="DOCTYPE"):
        parse_rdf(payload.encode(), "xml")
    assert time.perf_counter() - started < 0.5


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections (and closes each at once, so a parser that
    does connect fails fast instead of hanging)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.1)
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/context.jsonld"

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def remote_context_documents(url: str) -> dict[str, dict]:
    thing = {"@id": "http://example.org/a", "name": "A"}
    return {
        "context": {"@context": url, **thing},
        "context-list": {"@context": [{"ex": "http://example.org/"}, url], **thing},
        "scoped": {"@context": {"knows": {"@id": "http://example.org/knows", "@context": url}},
                   "@id": "http://example.org/a", "knows": {"@id": "http://example.org/b"}},
        "import": {"@context": {"@version": 1.1, "@import": url}, **thing},
        "nested-node": {"@graph": [{"@context": url, **thing}]},
    }


@pytest.mark.parametrize("form", ["context", "context-list", "scoped", "import", "nested-node"])
def test_remote_jsonld_context_is_never_fetched(listener, form):
    body = json.dumps(remote_context_documents(listener.url)[form]).encode()
    with pytest.raises(LoaderError, match="remote JSON-LD"):
        parse_rdf(body, "json-ld")
    time.sleep(0.05)
    assert listener.connections == 0, "the parser connected to the remote context"


BAD_DOCUMENTS = {
    # name: (media type, body, line)
    "turtle-literal-subject": ("text/turtle", b'@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\n"x" ex:p ex:o .\n', 3),
    "ntriples-literal-subject": ("application/n-triples",
                                 b'<http://e.org/a> <http://e.org/p> "1" .\n\n"x" <http://e.org/p> <http://e.org/o> .\n', 3),
    "turtle-bad-utf8": ("text/turtle", b'@prefix ex: <http://example.org/> .\n\nex:a ex:p "Stra\xdfe" .\n', 3),
    "jsonld-bad-utf8": ("application/ld+json", b'{"@id": "http://example.org/a",\n "http://example.org/p": "\xff"}', 2),
    "turtle-truncated": ("text/turtle", b'@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\nex:c ex:p [ ex:q', 3),
    "turtle-truncated-literal": ("text/turtle", b'@prefix ex: <http://example.org/> .\nex:a ex:p "open\n', 2),
    "ntriples-truncated": ("application/n-triples", b'<http://e.org/a> <http://e.org/p> <http://e.org/b> .\n<http://e.org/a> <http://e.o', 2),
    "rdfxml-truncated": ("application/rdf+xml", (b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
                         b'02/22-rdf-syntax-ns#">\n<rdf:Description rdf:about="http://e.org/a">\n'), 4),
    "jsonld-truncated": ("application/ld+json", b'{"@id": "http://example.org/a",\n "http://example.org/p": "x"\n', 3),
}


@pytest.mark.parametrize("name", sorted(BAD_DOCUMENTS))
def test_bad_rdf_is_a_400_naming_the_line(name):
    media_type, body, line = BAD_DOCUMENTS[name]
    with pytest.raises(ParseError) as caught:
        parse_upload(body, media_type)
    assert caught.value.status == 400
    assert caught.value.extra["line"] == line, caught.value.detail
    assert f"Zeile {line}" in caught.value.detail or f"line {line}" in caught.value.detail


def test_a_literal_subject_never_reaches_a_graph():
    # rdflib's own Turtle parser takes it (N3 allows literal subjects): the strict check comes first.
    import rdflib

    turtle = '@prefix ex: <http://example.org/> .\n"x" ex:p ex:o .\n'
    assert any(isinstance(s, rdflib.Literal) for s, _, _ in rdflib.Graph().parse(data=turtle, format="turtle"))
    with pytest.raises(LoaderError):
        parse_rdf(turtle.encode(), "turtle")


def test_relative_iris_of_an_upload_do_not_show_a_server_path():
    graph = parse_upload(b"<a> <http://example.org/p> <b> .\n", "text/turtle")
    assert all("file:" not in str(term) for triple in graph for term in triple)


# ---- the same through HTTP: POST /validate ----------------------------------------------------------
@pytest.mark.parametrize("name", sorted(BAD_DOCUMENTS))
def test_validate_route_answers_bad_rdf_with_400_and_the_line(client, name):
    media_type, body, line = BAD_DOCUMENTS[name]
    response = client.post("/validate", data=body, content_type=media_type, headers=MACHINE)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.get_json()["line"] == line


def test_validate_route_refuses_an_entity_bomb_fast(client):
    started = time.perf_counter()
    response = client.post("/validate", data=BILLION_LAUGHS, content_type="application/rdf+xml", headers=MACHINE)
    assert response.status_code == 400 and "DOCTYPE" in response.get_json()["detail"]
    assert time.perf_counter() - started < 1.0


def test_validate_route_never_fetches_a_remote_context(client, listener):
    for document in remote_context_documents(listener.url).values():
        response = client.post("/validate", data=json.dumps(document), content_type="application/ld+json",
                               headers=MACHINE)
        assert response.status_code == 400
    time.sleep(0.05)
    assert listener.connections == 0
