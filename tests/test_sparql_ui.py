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
