"""YASGUI in a real headless Chromium: ``/sparql`` opens the editor served by the service itself, a
curated query opens in a tab, runs, and its rows appear; no request leaves for another host."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

WAIT = 30


def test_curated_query_runs_in_yasgui_and_shows_rows(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, WAIT)
    browser.get(live_server.sparql)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#yasgui .yasqe")))
    # The project's prefixes are set in the starting query.
    editor_text = browser.execute_script("return window.stadtgraphYasgui.getTab().getYasqe().getValue()")
    assert "PREFIX ob: <https://daten.oberhausen.de/stadtgraph/ontology#>" in editor_text
    # German labels where YASGUI allows them.
    assert browser.execute_script("return window.stadtgraphYasgui.getTab().getName()") == "Anfrage"

    browser.find_element(By.CSS_SELECTOR, 'button.curated-query[data-query="raeume-und-sozialquartiere"]').click()
    wait.until(lambda d: "Räume der Stadt" in d.execute_script(
        "return window.stadtgraphYasgui.getTab().getName()"))
    assert "ob:Sozialquartier" in browser.execute_script(
        "return window.stadtgraphYasgui.getTab().getYasqe().getValue()")
    panel = browser.execute_script("return window.stadtgraphYasgui.getTab().rootEl")
    panel.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    wait.until(lambda d: len(panel.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr")) > 1)
    table_text = panel.find_element(By.CSS_SELECTOR, ".yasr table").text
    assert "Osterfeld" in table_text and "Sozialquartier" in table_text
    assert any(tab.text == "Tabelle" for tab in panel.find_elements(By.CSS_SELECTOR, ".yasr .select_table"))

    # Everything the page loaded came from this service.
    hosts = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).host)")
    assert hosts and set(hosts) == {f"127.0.0.1:{live_server.port}"}
    # No script error and nothing the page's Content-Security-Policy had to block.
    problems = [e["message"] for e in browser.get_log("browser")
                if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]
    assert not problems, problems


# ---- curated queries with parameters, and YASR's words in the page's language (issue 16) -----------------

def _wait(browser):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, WAIT)


def _open(browser, live_server, query: str = "?lang=de"):
    from selenium.webdriver.common.by import By

    browser.get(live_server.sparql + query)
    _wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#yasgui .yasqe"))


def _choose(browser, name: str):
    from selenium.webdriver.common.by import By

    browser.find_element(By.CSS_SELECTOR, f'button.curated-query[data-query="{name}"]').click()
    _wait(browser).until(lambda d: d.execute_script(
        "return window.stadtgraphYasgui.getTab().getYasqe().getValue()").startswith("#+"))
    return browser.execute_script("return window.stadtgraphYasgui.getTab().rootEl")


def _select(live_server, query: str) -> list[dict]:
    r = live_server.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    r.raise_for_status()
    return r.json()["results"]["bindings"]


def test_query_with_a_parameter_shows_its_form_and_runs_with_the_value_bound(browser, live_server):
    from selenium.webdriver.common.by import By

    # A social area that some concept names explicitly, from the data; how many rows it has, from the API.
    raum = _select(live_server, "PREFIX ob: <https://daten.oberhausen.de/stadtgraph/ontology#> "
                                "SELECT ?r (COUNT(?k) AS ?n) WHERE { ?k ob:betrifftRaum ?r . ?r a ob:Sozialraum } "
                                "GROUP BY ?r ORDER BY DESC(?n) ?r LIMIT 1")[0]["r"]["value"]
    api = live_server.get("/api/queries/konzepte-im-raum", params={"raum": raum},
                          headers={"Accept": "application/sparql-results+json"})
    expected = len(api.json()["results"]["bindings"])
    assert expected > 0
    assert live_server.get("/api/queries/konzepte-im-raum").status_code == 400  # unbound it does not run

    _open(browser, live_server)
    form = browser.find_element(By.ID, "params-konzepte-im-raum")
    assert not form.is_displayed()
    panel = _choose(browser, "konzepte-im-raum")
    assert form.is_displayed()
    assert not browser.find_element(By.ID, "params-suche-konzepte").is_displayed()
    field = form.find_element(By.NAME, "raum")
    label = form.find_element(By.CSS_SELECTOR, f'label[for="{field.get_attribute("id")}"]').text
    assert "Raum" in label and "Pflichtangabe" in label
    field.clear()
    field.send_keys(raum)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait(browser).until(lambda d: panel.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr"))
    assert form.find_element(By.CSS_SELECTOR, ".param-message").text == f"{expected} Zeilen gefunden."
    assert panel.find_element(By.CSS_SELECTOR, ".yasr .dt-info").text.endswith(f"von {expected} Einträgen")
    shown = {a.get_attribute("href") for a in panel.find_elements(By.CSS_SELECTOR, ".yasr table a.iri")}
    concepts = {b["konzept"]["value"] for b in api.json()["results"]["bindings"]}
    assert concepts & shown

    # The editor's own run button, on the unchanged query, runs it through the form too (not unbound).
    browser.execute_script("arguments[0].value = ''", field)
    panel.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    message = form.find_element(By.CSS_SELECTOR, ".param-message")
    _wait(browser).until(lambda d: "angeben" in message.text)


def test_an_empty_required_parameter_is_named_in_german_and_nothing_runs(browser, live_server):
    from selenium.webdriver.common.by import By

    _open(browser, live_server)
    _choose(browser, "suche-konzepte")
    form = browser.find_element(By.ID, "params-suche-konzepte")
    field = form.find_element(By.NAME, "stichwort")
    assert field.get_attribute("value") == "Klima"  # the header's example
    field.clear()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    message = form.find_element(By.CSS_SELECTOR, ".param-message")
    assert message.text == "Bitte „Das Stichwort“ angeben – ohne diesen Wert läuft die Anfrage nicht."
    assert field.get_attribute("aria-invalid") == "true"
    assert browser.execute_script("return !window.stadtgraphYasgui.getTab().getYasr().results")


def _run_curated(browser, name: str):
    """Choose a curated query, run it with the editor's button, wait for YASR to draw; its root element."""
    from selenium.webdriver.common.by import By

    panel = _choose(browser, name)
    panel.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    _wait(browser).until(lambda d: panel.find_elements(By.CSS_SELECTOR, ".yasr_results > *")
                         and panel.find_element(By.CSS_SELECTOR, ".yasr_response_chip").text)
    return panel


def test_result_chrome_speaks_german_and_english_with_lang_en(browser, live_server):
    from selenium.webdriver.common.by import By

    _open(browser, live_server)
    yasr = _run_curated(browser, "themenfelder-und-leitziele").find_element(By.CSS_SELECTOR, ".yasr")
    _wait(browser).until(lambda d: yasr.find_elements(By.CSS_SELECTOR, ".dt-info"))
    assert [b.text for b in yasr.find_elements(By.CSS_SELECTOR, ".yasr_btnGroup button")] == ["Tabelle", "Antwort"]
    assert " Ergebnisse in " in yasr.find_element(By.CSS_SELECTOR, ".yasr_response_chip").text
    assert yasr.find_element(By.CSS_SELECTOR, ".tableFilter").get_attribute("placeholder") == "Ergebnisse filtern"
    assert " bis " in yasr.find_element(By.CSS_SELECTOR, ".dt-info").text
    assert yasr.find_element(By.CSS_SELECTOR, ".yasr_downloadIcon").get_attribute("title") == "Ergebnis herunterladen"
    german = yasr.find_element(By.CSS_SELECTOR, ".yasr_header").text + yasr.find_element(By.CSS_SELECTOR, ".dt-info").text
    for english in ("Showing", "results", "Simple view", "Page size", "Table", "Response"):
        assert english not in german

    _open(browser, live_server, "?lang=en")
    yasr = _run_curated(browser, "themenfelder-und-leitziele").find_element(By.CSS_SELECTOR, ".yasr")
    _wait(browser).until(lambda d: yasr.find_elements(By.CSS_SELECTOR, ".dt-info"))
    assert [b.text for b in yasr.find_elements(By.CSS_SELECTOR, ".yasr_btnGroup button")] == ["Table", "Response"]
    assert " results in " in yasr.find_element(By.CSS_SELECTOR, ".yasr_response_chip").text
    assert yasr.find_element(By.CSS_SELECTOR, ".tableFilter").get_attribute("placeholder") == "Filter query results"
    assert yasr.find_element(By.CSS_SELECTOR, ".dt-info").text.startswith("Showing 1 to ")


def test_curated_buttons_are_legible_and_every_query_without_parameters_runs(browser, live_server):
    from selenium.webdriver.common.by import By

    from tests.browser_checks import axe_source

    queries = live_server.get("/api/queries").json()
    plain = [q["name"] for q in queries if not q["params"]]
    assert plain
    _open(browser, live_server)
    buttons = browser.find_elements(By.CSS_SELECTOR, "button.curated-query")
    assert len(buttons) == len(queries) and all(b.is_displayed() and b.text for b in buttons)
    browser.execute_script(axe_source())
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run({include: [['.curated']]}, {runOnly: ['color-contrast']}).then(r => done(r.violations.map(v => "
        "v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))")
    assert not violations, violations
    failed = []
    for name in plain:
        panel = _run_curated(browser, name)
        if panel.find_elements(By.CSS_SELECTOR, ".yasr .errorResult") or not panel.find_elements(
                By.CSS_SELECTOR, ".yasr table thead th, .yasr .booleanResult"):
            failed.append(f"{name}: {panel.find_element(By.CSS_SELECTOR, '.yasr').text[:300]}")
    assert not failed, "\n".join(failed)
