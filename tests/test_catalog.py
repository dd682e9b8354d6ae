"""The DCAT-AP.de catalog harvested the way ckanext-dcat does, its conformance, its all-or-nothing
generation, and the VoID description."""
from __future__ import annotations

import importlib.util
import math
import time

import pytest
import rdflib
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

from graph.namespaces import DCATDE, HYDRA, OB
from graph.publish import catalog as dcat_catalog
from graph.settings import DEFAULT_BASE, PROJECT_ROOT
from tests.fixtures.publishing import make_client, make_settings, make_store, pub_client, pub_settings, pub_store  # noqa: F401
from tests.history_data import CONCEPT, CONCEPT_GRAPH, UNIT_AFTER, UNIT_BEFORE, WOHNEN, current, edit, writable_app

CONFORMANCE = PROJECT_ROOT / "tests" / "fixtures" / "conformance"
PROFILE = CONFORMANCE / "dcat-ap-de-2.0" / "shacl"
PROFILE_3 = CONFORMANCE / "dcat-ap-de-3.0" / "shacl"


def checker():
    """The conformance script of ``tests/fixtures/conformance`` (a copy of the official shapes and checker)."""
    script = CONFORMANCE / "dcat_ap_de_check.py"
    spec = importlib.util.spec_from_file_location("dcat_ap_de_check", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def harvest(client, *, follow: tuple = (HYDRA.next, HYDRA.nextPage), start: str = "http://localhost/catalog",
            accept: str = "text/turtle", syntax: str = "turtle") -> tuple[rdflib.Graph, list[rdflib.Graph]]:
    """ckanext-dcat's paging: take the PagedCollection's hydra:next, else hydra:nextPage; stop when none.
    Every page is read in the one ``syntax`` the harvest started with, as the harvester does."""
    url, seen, pages, union = start, set(), [], rdflib.Graph()
    while url and url not in seen and len(pages) < 50:
        seen.add(url)
        r = client.get(url.removeprefix("http://localhost"), headers={"Accept": accept})
        assert r.status_code == 200, r.text
        page = rdflib.Graph().parse(data=r.data, format=syntax, publicID=url)
        pages.append(page)
        union += page
        nxt = None
        for coll in page.subjects(RDF.type, HYDRA.PagedCollection):
            for prop in follow:
                nxt = nxt or page.value(coll, prop)
        url = str(nxt) if nxt else None
    return union, pages


def datasets_per_page(pages: list[rdflib.Graph]) -> list[set]:
    return [set(p.subjects(RDF.type, DCAT.Dataset)) for p in pages]


@pytest.mark.parametrize("follow", [(HYDRA.next,), (HYDRA.nextPage,)], ids=["hydra:next", "hydra:nextPage"])
def test_harvest_reaches_every_dataset_exactly_once(pub_client, pub_settings, follow):
    union, pages = harvest(pub_client, follow=follow)
    per_page = datasets_per_page(pages)
    everything = set().union(*per_page)
    # 3 Themenfelder + 2 Sozialräume + knowledge graph, ontology, shapes
    assert len(everything) == 8
    assert sum(len(p) for p in per_page) == len(everything)  # none twice
    assert len(pages) == math.ceil(8 / pub_settings.catalog_page_size)
    catalog = next(union.subjects(RDF.type, DCAT.Catalog))
    assert set(union.objects(catalog, DCAT.dataset)) == everything


def test_paging_says_where_it_is(pub_client):
    _, pages = harvest(pub_client)
    first, last = pages[0], pages[-1]
    node = next(first.subjects(RDF.type, HYDRA.PagedCollection))
    assert int(first.value(node, HYDRA.totalItems)) == 8
    assert int(first.value(node, HYDRA.itemsPerPage)) == 4
    assert str(first.value(node, HYDRA.lastPage)) == "http://localhost/catalog?page=2"
    end = next(last.subjects(RDF.type, HYDRA.PagedCollection))
    assert last.value(end, HYDRA.next) is None and last.value(end, HYDRA.nextPage) is None
    assert str(last.value(end, HYDRA.previous)) == "http://localhost/catalog?page=1"


def test_fixture_catalog_conforms_to_dcat_ap_de(pub_client):
    check = checker()
    union, _ = harvest(pub_client)
    assert_conforms(check, union)


def assert_conforms(check, union: rdflib.Graph, profile=PROFILE) -> None:
    import pyshacl

    conforms, report, _ = pyshacl.validate(union + check.background(profile, union), shacl_graph=check.shapes(profile),
                                           inference="rdfs", meta_shacl=False, advanced=True)
    messages = [str(report.value(r, check.SH.resultMessage))
                for r in report.subjects(check.SH.resultSeverity, check.SH.Violation)]
    assert messages == []


@pytest.mark.slow
def test_shipped_catalog_conforms_to_dcat_ap_de(built_store, settings, tmp_path):
    check = checker()
    client = make_client(settings.replace(catalog_page_size=5, dump_dir=str(tmp_path)), built_store)
    union, pages = harvest(client)
    per_page = datasets_per_page(pages)
    assert len(pages) > 1 and sum(map(len, per_page)) == len(set().union(*per_page))
    themenfelder = {r["t"].value for r in built_store.query(
        "SELECT ?t WHERE { ?t a <https://daten.oberhausen.de/stadtgraph/ontology#Themenfeld> }")}
    subsets = {str(o) for ds in union.subjects(RDF.type, DCAT.Dataset) for o in union.objects(ds, DCAT.landingPage)}
    assert {"http://localhost/" + t[len(settings.base_iri):] for t in themenfelder} <= subsets
    assert_conforms(check, union)


@pytest.mark.slow
def test_shipped_catalog_conforms_to_dcat_ap_de_3_when_asked_for_it(built_store, settings, tmp_path):
    """DCAT-AP.de 3.0 types dcat:byteSize as xsd:nonNegativeInteger where 2.0 asks xsd:decimal: one literal
    cannot satisfy both, so the catalog is cut per profile (``?profile=`` or ``Accept-Profile``)."""
    check = checker()
    client = make_client(settings.replace(catalog_page_size=5, dump_dir=str(tmp_path)), built_store)
    union, pages = harvest(client, start="http://localhost/catalog?profile=dcat-ap-de-3.0")
    assert len(pages) > 1 and len(set(union.subjects(RDF.type, DCAT.Dataset))) == 17
    assert_conforms(check, union, PROFILE_3)
    sizes = {o.datatype for o in union.objects(None, DCAT.byteSize)}
    assert sizes == {rdflib.XSD.nonNegativeInteger}


def test_the_profile_is_negotiated_and_named(pub_client):
    default = pub_client.get("/catalog", headers={"Accept": "text/turtle"})
    assert default.headers["Content-Profile"] == "<http://dcat-ap.de/def/dcatde/2.0>"
    by_header = pub_client.get("/catalog", headers={"Accept": "text/turtle",
                                                    "Accept-Profile": "<http://dcat-ap.de/def/dcatde/3.0>"})
    assert by_header.headers["Content-Profile"] == "<http://dcat-ap.de/def/dcatde/3.0>"
    g = rdflib.Graph().parse(data=by_header.data, format="turtle")
    assert {o.datatype for o in g.objects(None, DCAT.byteSize)} == {rdflib.XSD.nonNegativeInteger}
    unknown = pub_client.get("/catalog?profile=dcat-ap-9")
    assert unknown.status_code == 400 and "dcat-ap-de-3.0" in unknown.get_json()["detail"]


@pytest.mark.parametrize(("fmt", "syntax"), [("rdfxml", "xml"), ("jsonld", "json-ld"), ("turtle", "turtle")])
def test_paging_links_keep_the_format_the_harvest_started_with(pub_client, fmt, syntax):
    union, pages = harvest(pub_client, start=f"http://localhost/catalog?format={fmt}", accept="*/*", syntax=syntax)
    assert len(pages) == 2 and len(set(union.subjects(RDF.type, DCAT.Dataset))) == 8
    node = next(pages[0].subjects(RDF.type, HYDRA.PagedCollection))
    assert str(pages[0].value(node, HYDRA.next)) == f"http://localhost/catalog?format={fmt}&page=2"


def test_every_distribution_has_a_format_and_every_dataset_a_spatial_coverage(pub_client):
    union, _ = harvest(pub_client)
    for dist in union.subjects(RDF.type, DCAT.Distribution):
        assert union.value(dist, DCTERMS["format"]) is not None, dist
    for ds in union.subjects(RDF.type, DCAT.Dataset):
        assert union.value(ds, DCTERMS.spatial) == union.value(ds, DCATDE.politicalGeocodingURI)


def test_every_dataset_carries_what_govdata_needs(pub_client):
    union, _ = harvest(pub_client)
    licences = rdflib.Graph().parse(CONFORMANCE / "dcat-ap-de-2.0" / "mirror" / "dcat-ap-de-licenses-open.rdf")
    for ds in union.subjects(RDF.type, DCAT.Dataset):
        publisher = union.value(ds, DCTERMS.publisher)
        assert str(union.value(publisher, rdflib.FOAF.name)) == "Stadt Oberhausen"
        assert union.value(ds, DCATDE.contributorID) == rdflib.URIRef("http://dcat-ap.de/def/contributors/openNRW")
        assert str(union.value(ds, DCATDE.politicalGeocodingURI)).endswith("/municipalityKey/05119000")
        assert str(union.value(ds, DCATDE.politicalGeocodingLevelURI)).endswith("/Level/municipality")
        assert union.value(ds, DCAT.contactPoint) is not None
        assert union.value(ds, DCAT.theme) is not None and union.value(ds, DCTERMS.modified) is not None
        dists = list(union.objects(ds, DCAT.distribution))
        assert dists
        for dist in dists:
            licence = union.value(dist, DCTERMS.license)
            assert (licence, None, None) in licences


def test_the_endpoint_and_the_change_feed_are_data_services(pub_client):
    union, _ = harvest(pub_client)
    services = {str(union.value(s, DCAT.endpointURL)): s for s in union.subjects(RDF.type, DCAT.DataService)}
    assert set(services) == {"http://localhost/sparql", "http://localhost/ldes"}
    for url, service in services.items():
        assert union.value(service, DCAT.endpointDescription) is not None
        assert union.value(service, DCAT.servesDataset) == rdflib.URIRef(DEFAULT_BASE + "datensatz/wissensgraph")
        assert pub_client.get(url.removeprefix("http://localhost")).status_code == 200, url
    assert union.value(services["http://localhost/ldes"], DCTERMS.conformsTo) == dcat_catalog.LDES_SPEC
    # the feed is also a distribution of the knowledge graph, so a portal lists it beside the dumps
    feed = next(union.subjects(DCAT.accessService, services["http://localhost/ldes"]))
    assert (rdflib.URIRef(DEFAULT_BASE + "datensatz/wissensgraph"), DCAT.distribution, feed) in union
    # and VoID points at it
    void_doc = rdflib.Graph().parse(data=pub_client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data,
                                    format="turtle")
    assert rdflib.URIRef("http://localhost/ldes") in set(void_doc.objects(None, rdflib.RDFS.seeAlso))


def test_dct_modified_is_the_time_of_the_latest_version(settings, built_store, tmp_path):
    """The whole graph's and a subset's ``dct:modified`` move with an edit of one of their records; a subset
    the record is not in keeps its time; VoID says the same as the catalog."""
    app, _, _ = writable_app(settings, built_store, tmp_path)
    client = app.test_client()
    concept = rdflib.URIRef(CONCEPT)
    edit(client, CONCEPT_GRAPH, add=[(concept, OB.zustaendigeEinheit, rdflib.URIRef(UNIT_AFTER))],
         remove=[(concept, OB.zustaendigeEinheit, rdflib.URIRef(UNIT_BEFORE))])
    before = modified_by_landing(client)
    time.sleep(1.1)  # the catalog gives seconds
    edit(client, CONCEPT_GRAPH, add=[(concept, OB.themenfeld, rdflib.URIRef(WOHNEN))])
    after = modified_by_landing(client)
    newest = max(after.values())
    assert after["http://localhost/"] == newest > before["http://localhost/"]
    assert after["http://localhost/themenfeld/wohnen"] == newest > before["http://localhost/themenfeld/wohnen"]
    theirs = set(current(client, CONCEPT_GRAPH).objects(concept, OB.themenfeld))
    untouched = [url for url in after if "/themenfeld/" in url and rdflib.URIRef(
        DEFAULT_BASE + url.removeprefix("http://localhost/")) not in theirs]
    assert untouched and all(after[url] == before[url] < newest for url in untouched)
    void_doc = rdflib.Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data,
                                    format="turtle")
    assert str(void_doc.value(rdflib.URIRef(DEFAULT_BASE + "datensatz/wissensgraph"), DCTERMS.modified)) == newest


def modified_by_landing(client) -> dict[str, str]:
    union, _ = harvest(client)
    return {str(union.value(ds, DCAT.landingPage)): str(union.value(ds, DCTERMS.modified))
            for ds in union.subjects(RDF.type, DCAT.Dataset) if union.value(ds, DCTERMS.isPartOf) is not None
            or str(ds).endswith("/datensatz/wissensgraph")}


def test_distributions_point_at_dumps_that_are_served(pub_client):
    union, _ = harvest(pub_client)
    downloads = {str(o) for o in union.objects(None, DCAT.downloadURL)}
    assert "http://localhost/dumps/stadtgraph.nt.gz" in downloads
    assert "http://localhost/dumps/themenfeld-wohnen.ttl" in downloads
    for url in downloads:
        assert pub_client.get(url.removeprefix("http://localhost")).status_code == 200, url


def test_catalog_is_all_or_nothing(tmp_path, monkeypatch):
    settings = make_settings(DEFAULT_BASE, tmp_path, catalog_page_size=4)
    client = make_client(settings, make_store(settings))
    missing = dcat_catalog.FULL_DUMPS + (dcat_catalog.FULL_DUMPS[0].__class__("fehlt.ttl", "turtle", "text/turtle"),)
    monkeypatch.setattr(dcat_catalog, "FULL_DUMPS", missing)
    for page in ("/catalog", "/catalog?page=2"):
        r = client.get(page, headers={"Accept": "text/turtle"})
        assert r.status_code == 503
        assert r.mimetype == "application/problem+json"
        assert "dcat:Dataset" not in r.text and "Dataset" not in r.text
    monkeypatch.undo()
    assert client.get("/catalog", headers={"Accept": "text/turtle"}).status_code == 200


def test_catalog_bad_pages(pub_client):
    assert pub_client.get("/catalog?page=0").status_code == 404
    assert pub_client.get("/catalog?page=3").status_code == 404
    assert pub_client.get("/catalog?page=zwei").status_code == 400


def test_catalog_resources_dereference(pub_client):
    r = pub_client.get("/datensatz/themenfeld/wohnen", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.data, format="turtle")
    ds = rdflib.URIRef(DEFAULT_BASE + "datensatz/themenfeld/wohnen")
    assert (ds, RDF.type, DCAT.Dataset) in g
    html = pub_client.get("/datensatz/themenfeld/wohnen", headers={"Accept": "text/html"}).text
    assert "Konzepte im Themenfeld „Wohnen“" in html


def test_catalog_html_lists_the_page(pub_client):
    html = pub_client.get("/catalog", headers={"Accept": "text/html"}).text
    assert "Wissensgraph der Stadtentwicklungsplanung Oberhausen" in html
    assert 'rel="next" href="/catalog?page=2"' in html


def test_void_describes_the_graph(pub_client, pub_store):
    r = pub_client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.data, format="turtle")
    ds = rdflib.URIRef(DEFAULT_BASE + "datensatz/wissensgraph")
    distinct = len({(q.subject, q.predicate, q.object) for q in pub_store.raw})
    assert int(g.value(ds, VOID.triples)) == distinct
    assert str(g.value(ds, VOID.sparqlEndpoint)) == "http://localhost/sparql"
    assert str(g.value(ds, VOID.uriSpace)) == DEFAULT_BASE
    assert "http://localhost/dumps/stadtgraph.nq" in {str(d) for d in g.objects(ds, VOID.dataDump)}
    konzept = next(p for p in g.objects(ds, VOID.classPartition) if g.value(p, VOID["class"]) == OB.Konzept)
    assert int(g.value(konzept, VOID.entities)) == 4
    assert int(g.value(ds, VOID.classes)) > 5 and int(g.value(ds, VOID.properties)) > 20
    linksets = {(str(g.value(ls, VOID.linkPredicate)), str(g.value(g.value(ls, VOID.objectsTarget), VOID.uriSpace)))
                for ls in g.subjects(RDF.type, VOID.Linkset)}
    assert (str(OB.allrisSeite), "https://allris.oberhausen.de/") in linksets
    assert (str(OB.ratsinfoSeite), "https://ratsinfo.oberhausen.de/") in linksets
    inferred = next(s for s in g.objects(ds, VOID.subset) if (s, RDF.type, VOID.Dataset) in g
                    and str(s).endswith("/abgeleitet"))
    assert int(g.value(inferred, VOID.triples)) > 0
