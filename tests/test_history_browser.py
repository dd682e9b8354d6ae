"""History pages in a real browser (headless Chromium) on a live server, after three edits made through
the Graph Store: from the record page to its history, each edit said in German, two chosen versions
compared, an old version opened, "Was hat sich geändert?" listing the edits; at desktop and phone width,
without sideways scrolling and without a serious accessibility violation (axe-core)."""
from __future__ import annotations

import pytest

from tests.browser_checks import axe_source, page_problems
from tests.history_data import AsTestClient, three_edits

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PATH = "konzept/einzelhandelskonzept"
WAIT = 30
EDITS = ["Themenfeld „Wohnen“ hinzugefügt", "Zuständigkeit geändert von „Fachbereich 5-1-10“ zu „Stadtplanung“",
         "Themenfeld „Wohnen“ entfernt"]


@pytest.mark.parametrize("width", (1366, 390))
def test_history_pages_in_a_browser(browser, live_writer, width):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    three_edits(AsTestClient(live_writer))
    axe, problems = axe_source(), []
    wait = WebDriverWait(browser, WAIT)
    browser.set_window_size(width, 900)

    # from the record page to its history
    browser.get(f"{live_writer.url}/{PATH}")
    wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "a[rel=version-history]"))).click()
    wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "table.versions")))
    problems += page_problems(browser, axe, f"history @{width}")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.versions tbody tr")
    assert len(rows) == 4  # the state before the edits, then the three edits (newest first)

    # each edit, newest first, is said in German
    for row, said in zip(rows[:3], reversed(EDITS), strict=True):
        row.find_element(By.LINK_TEXT, "Änderungen").click()
        changes = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "section.diff ul.changes")))
        assert [li.text for li in changes.find_elements(By.TAG_NAME, "li")] == [said]
        browser.back()
        rows = wait.until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "table.versions tbody tr")))
    rows = browser.find_elements(By.CSS_SELECTOR, "table.versions tbody tr")

    # two chosen versions: from the state before the edits to the newest, only the unit changed
    rows[-1].find_element(By.CSS_SELECTOR, "input[name=von]").click()
    rows[0].find_element(By.CSS_SELECTOR, "input[name=zu]").click()
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    changes = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "section.diff ul.changes")))
    assert [li.text for li in changes.find_elements(By.TAG_NAME, "li")] == [EDITS[1]]
    problems += page_problems(browser, axe, f"diff @{width}")

    # an old version opens as a page of its own: the first edit still has the Themenfeld Wohnen
    rows = browser.find_elements(By.CSS_SELECTOR, "table.versions tbody tr")
    rows[2].find_element(By.LINK_TEXT, "Fassung").click()
    wait.until(ec.url_contains("/memento/"))
    assert "Wohnen" in browser.find_element(By.TAG_NAME, "main").text
    problems += page_problems(browser, axe, f"memento @{width}")

    # what changed across the graph lists the three edits of the concept
    browser.get(f"{live_writer.url}/aenderungen")
    listed = wait.until(ec.visibility_of_element_located((By.TAG_NAME, "main"))).text
    assert listed.count("Einzelhandelskonzept") >= 3
    problems += page_problems(browser, axe, f"/aenderungen @{width}")
    assert not problems, "\n".join(problems)
