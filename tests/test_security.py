"""Safe responses on every route: security headers, problem answers without internals for 404/405/500,
static files only from static/, request limits, and templates that keep inline script out.
"""
from __future__ import annotations

import re

import pytest

from graph.settings import PROJECT_ROOT

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
MACHINE = {"Accept": "application/json"}
CSP_DIRECTIVES = ("script-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'none'",
                  "frame-ancestors 'none'", "form-action 'self'")
# Text of files outside static/ that must never come back, whatever the path says.
OUTSIDE = ("def create_app", "[build-system]", "root:x:0:0")
TRACE_MARKERS = ("Traceback", 'File "', "werkzeug", "Werkzeug/", "Python/")


def plain_get_routes(app) -> list[str]:
    """Every GET route without arguments: new routes are covered by the tests below automatically."""
    return sorted(r.rule for r in app.url_map.iter_rules() if "GET" in r.methods and not r.arguments)


def assert_safe_html_headers(response) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    for directive in CSP_DIRECTIVES:
        assert directive in csp, (response.request.path, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers.get("Referrer-Policy")


def test_every_html_page_carries_the_security_headers(client, app):
    html_pages = 0
    for rule in plain_get_routes(app):
        response = client.get(rule, headers=BROWSER)
        assert response.headers["X-Content-Type-Options"] == "nosniff", rule
        if response.mimetype == "text/html":
            html_pages += 1
            assert_safe_html_headers(response)
    assert html_pages >= 2  # the home page and the query UI at least


@pytest.mark.parametrize("path", ["/gibt/es/nicht", "/static/fehlt.css"])
def test_404_is_problem_json_for_machines_and_a_page_for_browsers(client, path):
    machine = client.get(path, headers=MACHINE)
    assert machine.status_code == 404
    assert machine.mimetype == "application/problem+json"
    body = machine.get_json()
    assert body["status"] == 404 and body["title"].startswith("Nicht gefunden")
    assert body["request_id"] == machine.headers["X-Request-Id"]

    browser = client.get(path, headers=BROWSER)
    assert browser.status_code == 404 and browser.mimetype == "text/html"
    assert browser.headers["X-Request-Id"] in browser.get_data(as_text=True)
    assert_safe_html_headers(browser)


def test_405_keeps_its_allow_header(client):
    response = client.post("/health", headers=MACHINE)
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]
    page = client.delete("/", headers=BROWSER)
    assert page.status_code == 405 and page.mimetype == "text/html" and "GET" in page.headers["Allow"]


@pytest.fixture
def failing_app(settings, built_store):
    from server import create_app

    app = create_app(settings, store=built_store)

    @app.get("/kaputt")
    def broken():
        raise RuntimeError("geheimes Detail /etc/stadtgraph/password")

    return app


def test_500_tells_nothing_of_the_cause(failing_app):
    client = failing_app.test_client()
    for headers in (MACHINE, BROWSER):
        response = client.get("/kaputt", headers=headers)
        text = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "geheimes Detail" not in text and "RuntimeError" not in text
        for marker in TRACE_MARKERS:
            assert marker not in text
        assert response.headers["X-Request-Id"] in text
    assert client.get("/kaputt", headers=MACHINE).get_json()["title"].startswith("Interner Fehler")


def test_no_server_version_in_any_answer(client):
    for path, method in (("/", "GET"), ("/gibt/es/nicht", "GET"), ("/health", "POST"), ("/sparql", "GET")):
        response = client.open(path, method=method, headers=MACHINE)
        assert not re.search(r"\d", response.headers.get("Server", "")), response.headers.get("Server")
        text = response.get_data(as_text=True)
        for marker in TRACE_MARKERS:
            assert marker not in text, (path, marker)


def test_request_id_taken_from_the_caller_only_in_a_harmless_shape(client):
    assert client.get("/health", headers={"X-Request-Id": "lb-4711.a"}).headers["X-Request-Id"] == "lb-4711.a"
    hostile = client.get("/health", headers={"X-Request-Id": "<script>x</script>" + "a" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["X-Request-Id"])


# ---- static files -----------------------------------------------------------------------------------
def test_static_files_are_served(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


TRAVERSALS = [
    "/static/../server.py",
    "/static/../../../../etc/passwd",
    "/static/%2e%2e/server.py",
    "/static/%2E%2E/pyproject.toml",
    "/static/..%2fserver.py",
    "/static/..%2F..%2Fetc%2Fpasswd",
    "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/..\\server.py",
    "/static/..%5cserver.py",
    "/static/style.css%00.txt",
    "/static/%00",
    "/static/../static/../server.py",
    "/static/./../pyproject.toml",
    "/static/%252e%252e/server.py",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_static_path_never_leaves_the_static_folder(client, path):
    response = client.get(path, headers=MACHINE)
    assert response.status_code in (400, 404), path
    text = response.get_data(as_text=True)
    for marker in OUTSIDE:
        assert marker not in text


def test_no_route_with_a_path_argument_leaves_its_folder(client, app):
    """Every route taking an argument (dumps, resources, future ones) refuses the same tricks."""
    payloads = ["..%2f..%2fserver.py", "%2e%2e/%2e%2e/pyproject.toml", "../../../../etc/passwd", "x%00"]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.arguments:
            continue
        for payload in payloads:
            path = re.sub(r"<[^>]+>", payload, rule.rule)
            response = client.get(path, headers=MACHINE)
            assert response.status_code < 500, path
            text = response.get_data(as_text=True)
            for marker in OUTSIDE:
                assert marker not in text, path


# ---- limits ------------------------------------------------------------------------------------------
def test_overlong_url_is_414_problem_json(client, settings):
    response = client.get("/suche?q=" + "a" * settings.max_url_length, headers=MACHINE)
    assert response.status_code == 414 and response.mimetype == "application/problem+json"
    assert response.get_json()["limit"] == settings.max_url_length


def test_too_many_parameters_is_400(client, settings):
    query = "&".join(f"p{i}=1" for i in range(settings.max_parameters + 1))
    response = client.get("/health?" + query, headers=MACHINE)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert client.get("/health?" + "&".join(f"p{i}=1" for i in range(10))).status_code == 200


@pytest.fixture
def upload_app(settings, built_store):
    from server import create_app
    from web.security import large_body

    app = create_app(settings.replace(max_body_bytes=1000, max_upload_bytes=5000), store=built_store)

    @app.post("/echo")
    def echo():
        from flask import request

        return {"bytes": len(request.get_data())}

    @large_body
    @app.post("/hochladen")
    def upload():
        from flask import request

        if request.mimetype == "multipart/form-data":
            return {"fields": len(request.form)}
        return {"bytes": len(request.get_data())}

    return app


def test_body_limits_per_route(upload_app):
    client = upload_app.test_client()
    assert client.post("/echo", data=b"x" * 1000).status_code == 200
    refused = client.post("/echo", data=b"x" * 1001, headers=MACHINE)
    assert refused.status_code == 413 and refused.mimetype == "application/problem+json"
    assert client.post("/hochladen", data=b"x" * 5000).get_json() == {"bytes": 5000}
    assert client.post("/hochladen", data=b"x" * 5001).status_code == 413


def test_multipart_form_with_too_many_parts_is_refused(upload_app):
    client = upload_app.test_client()
    limit = upload_app.config["SETTINGS"].max_parameters
    ok = client.post("/hochladen", data={f"f{i}": "1" for i in range(10)}, content_type="multipart/form-data")
    assert ok.get_json() == {"fields": 10}
    fields = {f"f{i}": "" for i in range(limit + 1)}
    response = client.post("/hochladen", data=fields, content_type="multipart/form-data", headers=MACHINE)
    # Werkzeug refuses while parsing the form: 413 problem+json, the view gets no partial form.
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


# ---- templates ---------------------------------------------------------------------------------------
TEMPLATE_RULES = {
    r"\|\s*safe\b": "|safe switches escaping off",
    r"{%-?\s*autoescape\s+false": "autoescape false",
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>": "inline <script>",
    r"\son[a-z]+\s*=": "inline event handler (on…=)",
    r"\sstyle\s*=": "inline style attribute",
    r"<style\b": "inline <style> element",
    r"javascript:": "javascript: URL",
}


def test_templates_have_no_inline_script_and_no_unescaped_output():
    templates = sorted((PROJECT_ROOT / "templates").rglob("*.html"))
    assert templates
    problems = []
    for path in templates:
        text = path.read_text("utf-8")
        for pattern, why in TEMPLATE_RULES.items():
            for match in re.finditer(pattern, text, re.IGNORECASE):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.name}:{line}: {why}")
    assert not problems, "\n".join(problems)


def test_template_scan_catches_what_it_should():
    bad = ['{{ x|safe }}', '<script>alert(1)</script>', '<a onclick="x()">', '<p style="color:red">',
           '<style>p{}</style>', '<a href="javascript:x()">']
    for sample in bad:
        assert any(re.search(p, sample, re.IGNORECASE) for p in TEMPLATE_RULES), sample
    good = ['<script src="/static/x.js" defer></script>', '<script type="application/json" id="c">{}</script>',
            '<meta name="viewport" content="width=device-width">']
    for sample in good:
        assert not any(re.search(p, sample, re.IGNORECASE) for p in TEMPLATE_RULES), sample
