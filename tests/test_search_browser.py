"""A real browser (headless Chromium) on the live service: on /suche a facet narrows the results to its
count, and paging moves through them without showing a result twice."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
WAIT = 30


def test_facets_narrow_and_pages_move_on(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, WAIT)
    browser.get(f"{live_server.url}/suche")
    box = wait.until(ec.visibility_of_element_located((By.ID, "q")))
    box.send_keys("Oberhausen")
    box.submit()
    total = wait.until(ec.visibility_of_element_located((By.ID, "total")))
    everything = int(total.text.split()[0])

    concept = browser.find_element(By.CSS_SELECTOR, '[data-facet="art"] li:has(a) a[href*="art=Konzept"]')
    count = int(concept.find_element(By.XPATH, "following-sibling::span[@class='count']").text)
    assert 0 < count < everything
    concept.click()
    wait.until(ec.url_contains("art=Konzept"))
    assert int(browser.find_element(By.ID, "total").text.split()[0]) == count
    kinds = {k.text for k in browser.find_elements(By.CSS_SELECTOR, "li.hit .kind")}
    assert kinds == {"Konzept"}
    assert browser.find_element(By.CSS_SELECTOR, '[data-facet="art"] a.chosen').is_displayed()

    first_page = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "li.hit > a")]
    if count > 20:
        browser.find_element(By.CSS_SELECTOR, 'nav.paging a[rel="next"]').click()
    else:  # fewer than a page: page by five
        browser.get(browser.current_url + "&pro_seite=5")
        first_page = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "li.hit > a")]
        browser.find_element(By.CSS_SELECTOR, 'nav.paging a[rel="next"]').click()
    wait.until(ec.url_contains("seite=2"))
    second_page = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "li.hit > a")]
    assert second_page and not set(first_page) & set(second_page)
    assert browser.find_element(By.CSS_SELECTOR, 'nav.paging [aria-current="page"]').text == "2"
    assert browser.find_element(By.CSS_SELECTOR, "mark").is_displayed()  # matched words are marked
