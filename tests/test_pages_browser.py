"""A real browser (headless Chromium) on the live service: a concept page shows the concept's Themenfeld
and its synergy, and the synergy picture draws both the concept in its Themenfeld and the synergy."""
from __future__ import annotations

import pytest
import rdflib

from graph.namespaces import OB, SKOS
from graph.settings import DEFAULT_BASE

pytestmark = pytest.mark.browser

CONCEPT = "konzept/freiraumentwicklungskonzept-osterfeld"
WAIT = 30


def rdf(live_server, iri: str) -> rdflib.Graph:
    text = live_server.get("/" + iri[len(DEFAULT_BASE):], headers={"Accept": "text/turtle"}).text
    return rdflib.Graph().parse(data=text, format="turtle")


def facts(live_server) -> tuple[list[tuple[str, str]], set[str], str]:
    """From the service's own RDF: the concept's Themenfelder (path, name), its synergy partners, and a
    Themenfeld it shares with one of them (to filter the picture by), else ''."""
    me = rdflib.URIRef(DEFAULT_BASE + CONCEPT)
    g = rdf(live_server, str(me))
    themen = []
    for tf in sorted(g.objects(me, OB.themenfeld)):
        tg = rdflib.Graph().parse(data=live_server.get("/" + str(tf)[len(DEFAULT_BASE):],
                                                       headers={"Accept": "text/turtle"}).text, format="turtle")
        label = next(str(lit) for lit in tg.objects(tf, SKOS.prefLabel) if lit.language in ("de", None))
        themen.append((str(tf)[len(DEFAULT_BASE):], label))
    partners = {str(o) for o in g.objects(me, OB.synergieMit)} | {str(s) for s in g.subjects(OB.synergieMit, me)}
    shared = ""
    for partner in sorted(partners):
        theirs = {str(t)[len(DEFAULT_BASE):] for t in rdf(live_server, partner).objects(rdflib.URIRef(partner),
                                                                                         OB.themenfeld)}
        shared = shared or next((path for path, _ in themen if path in theirs), "")
    return themen, partners, shared


def test_concept_page_and_synergy_picture(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    themen, partners, shared = facts(live_server)
    assert themen and partners, "the shipped data gives this concept a Themenfeld and an explicit synergy"

    browser.get(f"{live_server.url}/{CONCEPT}")
    wait = WebDriverWait(browser, WAIT)
    glance = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "section.glance")))
    shown = glance.find_element(By.CSS_SELECTOR, "dd.themenfelder").text
    for _, name in themen:
        assert name in shown
    explicit = glance.find_elements(By.CSS_SELECTOR, "ul.synergies.explicit li > a")
    linked = {a.get_attribute("href").split("/", 3)[3] for a in explicit}
    assert {p[len(DEFAULT_BASE):] for p in partners} <= linked
    assert all(a.is_displayed() for a in explicit)

    browser.get(f"{live_server.url}/synergien?themenfeld={shared}")
    svg = wait.until(ec.visibility_of_element_located((By.ID, "synergy-network")))
    if shared:
        selected = browser.find_element(By.CSS_SELECTOR, 'select[name="themenfeld"] option:checked').text
        assert selected == dict(themen)[shared]
    node = svg.find_element(By.CSS_SELECTOR, f'a.node[data-iri="{DEFAULT_BASE}{CONCEPT}"]')
    assert node.find_element(By.TAG_NAME, "circle").rect["width"] > 0
    # the explicit synergy is drawn as a line between the two concepts
    me = DEFAULT_BASE + CONCEPT
    lines = svg.find_elements(By.CSS_SELECTOR, "line.edge.explicit")
    ends = [{line.get_attribute("data-a"), line.get_attribute("data-b")} for line in lines]
    assert any(me in pair and pair - {me} <= partners for pair in ends)
    # a click on the concept opens its page
    node.click()
    wait.until(ec.url_contains(CONCEPT))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Freiraumentwicklungskonzept")
