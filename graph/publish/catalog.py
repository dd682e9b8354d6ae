"""The DCAT-AP.de 2.0 catalog: the knowledge graph, the ontology, the shapes and one subset per
Themenfeld and Sozialraum, with their dumps and the SPARQL endpoint as a ``dcat:DataService``.

GovData deletes a dataset that vanishes from a harvest, so the catalog is built whole and checked
before any page of it is cut (:func:`page`); an error means no page, never a short one.
Spec: https://www.dcat-ap.de/def/dcatde/2.0/spec/ ; paging: https://www.hydra-cg.com/spec/latest/core/
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from graph.errors import BadRequest, NotFound, StadtgraphError
from graph.iris import Iris
from graph.namespaces import DCATDE, HYDRA, VCARD
from graph.publish.catalog_texts import ONTOLOGY, ONTOLOGY_FORMATS, SHAPES, WHOLE, DatasetText, subset_text
from graph.publish.dumps import FULL_DUMPS, DumpFile, DumpSet

EU = "http://publications.europa.eu/resource/authority/"
LICENSE = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
LICENSE_PAGE = "https://www.govdata.de/dl-de/by-2-0"  # the licence's text, for people
CONTRIBUTOR = URIRef("http://dcat-ap.de/def/contributors/openNRW")
GEOCODING = URIRef("http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05119000")
GEOCODING_LEVEL = URIRef("http://dcat-ap.de/def/politicalGeocoding/Level/municipality")
GERMAN = URIRef(EU + "language/DEU")
IANA = "https://www.iana.org/assignments/media-types/"
FILE_TYPES = {"turtle": "RDF_TURTLE", "ntriples": "RDF_N_TRIPLES", "jsonld": "JSON_LD", "nquads": "RDF_N_QUADS",
              "rdfxml": "RDF_XML", "sparql": "SPARQLQ", "trig": "RDF_TRIG"}
LDES_SPEC = URIRef("https://w3id.org/ldes/specification")  # what the change feed at /ldes follows
SPARQL_FORMAT = "sparql"  # the endpoint: EU file type "SPARQL query", answers as SPARQL results
# The city's page on its urban development process (facts.yaml, OB_STEP): the contact the sources name.
CONTACT_PAGE = "https://oberhausen.de/de/index/stadtentwicklung-umwelt/stadtentwicklung/stadtentwicklungsprozess.php"
ISSUED = "2026-11-22"  # first publication of the stadtgraph (the ontology's dcterms:created)

class CatalogIncomplete(StadtgraphError):
    """The catalog could not be built whole; no page is served rather than a partial one."""

    status = 503
    slug = "catalog-incomplete"
    title = "Katalog nicht vollständig / catalog incomplete"


@dataclass(frozen=True)
class Urls:
    """Where things are served: ``root`` is this service's public URL with a trailing slash; ``query`` the
    catalog request's other parameters (``format=``, ``profile=``), kept in every paging link so a harvester
    that started with them reads every page the same way."""

    root: str
    query: str = ""

    def page(self, number: int) -> str:
        return f"{self.root}catalog?{self.query + '&' if self.query else ''}page={number}"

    def dump(self, name: str) -> str:
        return f"{self.root}dumps/{name}"


@dataclass(frozen=True)
class Profile:
    """An application profile the catalog is cut for. The two differ where DCAT-AP 3 changed a range:
    ``dcat:byteSize`` is an ``xsd:decimal`` in DCAT-AP.de 2.0 and an ``xsd:nonNegativeInteger`` in 3.0."""

    token: str
    uri: str
    byte_size: URIRef


PROFILES: dict[str, Profile] = {p.token: p for p in (
    Profile("dcat-ap-de-2.0", "http://dcat-ap.de/def/dcatde/2.0", XSD.decimal),
    Profile("dcat-ap-de-3.0", "http://dcat-ap.de/def/dcatde/3.0", XSD.nonNegativeInteger),
)}
DEFAULT_PROFILE = "dcat-ap-de-2.0"  # what GovData's harvester reads today


def profile_for(given: str | None, accept_profile: str | None = None) -> Profile:
    """The profile asked for by ``?profile=`` (a token or URI), else by an ``Accept-Profile`` header
    (https://www.w3.org/TR/dx-prof-conneg/), else the default. :raises BadRequest: for an unknown
    ``?profile=``."""
    by_uri = {p.uri: p for p in PROFILES.values()}
    if given:
        found = PROFILES.get(given) or by_uri.get(given.rstrip("/"))
        if found is None:
            raise BadRequest(f"Unbekanntes Profil {given!r}; möglich / known: {', '.join(PROFILES)}")
        return found
    for part in (accept_profile or "").split(","):
        uri = part.split(";")[0].strip().strip("<>").rstrip("/")
        if uri in by_uri:
            return by_uri[uri]
    return PROFILES[DEFAULT_PROFILE]


@dataclass
class _Catalog:
    """The graph being built and what every dataset and distribution of it shares."""

    g: Graph
    base: str
    urls: Urls
    profile: Profile
    when: Literal
    issued: Literal

    @property
    def node(self) -> URIRef:
        return URIRef(self.base + "katalog")

    @property
    def publisher(self) -> URIRef:
        return Iris(self.base).stadt()

    @property
    def contact(self) -> URIRef:
        return URIRef(self.base + "katalog/kontakt")

    @property
    def service(self) -> URIRef:
        return URIRef(self.base + "dienst/sparql")

    @property
    def change_feed(self) -> URIRef:
        return URIRef(self.base + "dienst/ldes")


def build(settings_base: str, urls: Urls, dumps: DumpSet, *, modified: str,
          subset_modified: dict[str, str] | None = None, shapes_available: bool = True,
          profile: Profile | None = None) -> Graph:
    """The whole catalog as one graph, cut for ``profile`` (default DCAT-AP.de 2.0). ``modified`` is when the
    graph last changed; ``subset_modified`` when each subset (by Themenfeld or Sozialraum IRI) did, where
    known. :raises CatalogIncomplete: if any dataset lacks what the profile requires (checked here, before
    anything is served)."""
    c = _Catalog(Graph(), settings_base, urls, profile or PROFILES[DEFAULT_PROFILE],
                 Literal(modified, datatype=XSD.dateTime), Literal(ISSUED, datatype=XSD.date))
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("dcatde", DCATDE), ("vcard", VCARD),
                       ("hydra", HYDRA)):
        c.g.bind(prefix, ns)
    _catalog_and_service(c)
    whole = _dataset(c, WHOLE, urls.root)
    for spec in FULL_DUMPS:
        file = dumps.files.get(spec.name)
        if file is None:
            raise CatalogIncomplete(f"Dump {spec.name} fehlt / missing")
        _distribution(c, whole, spec.format, spec.title_de, urls.dump(spec.name), fmt=spec.format,
                      media=spec.media_type, file=file, gzip=spec.gzip)
    sparql = _distribution(c, whole, "sparql", "SPARQL-Endpunkt", urls.root + "sparql", fmt=SPARQL_FORMAT,
                           media="application/sparql-results+json", download=False)
    c.g.add((sparql, DCAT.accessService, c.service))
    feed = _distribution(c, whole, "ldes", "Änderungsstrom (Linked Data Event Stream)", urls.root + "ldes",
                         fmt="trig", media="application/trig", download=False)
    c.g.add((feed, DCAT.accessService, c.change_feed))
    c.g.add((feed, DCTERMS.conformsTo, LDES_SPEC))
    ontology = _dataset(c, ONTOLOGY, urls.root + "ontology")
    for fmt, media in ONTOLOGY_FORMATS:
        _distribution(c, ontology, fmt, f"Ontologie ({FILE_TYPES[fmt]})", f"{urls.root}ontology?format={fmt}",
                      fmt=fmt, media=media)
    if shapes_available:
        shapes = _dataset(c, SHAPES, urls.root + "shapes")
        _distribution(c, shapes, "turtle", "Prüfregeln (Turtle)", f"{urls.root}shapes?format=turtle",
                      fmt="turtle", media="text/turtle")
    for file in sorted((f for f in dumps.files.values() if f.subset), key=lambda f: f.name):
        when = (subset_modified or {}).get(file.subset or "")
        when = Literal(when, datatype=XSD.dateTime) if when else c.when
        ds = _dataset(c, subset_text(file), _landing(urls, settings_base, file.subset), when=when)
        c.g.add((ds, DCTERMS.isPartOf, whole))
        _distribution(c, ds, "turtle", file.title_de, urls.dump(file.name), fmt="turtle", media="text/turtle",
                      file=file, when=when)
    check(c.g)
    return c.g


def _catalog_and_service(c: _Catalog) -> None:
    """The catalog node, its publisher and contact (the city's page: it publishes no e-mail address for
    this), and the SPARQL endpoint as a ``dcat:DataService``."""
    g = c.g
    g.add((c.publisher, RDF.type, FOAF.Organization))
    g.add((c.publisher, FOAF.name, Literal("Stadt Oberhausen")))
    g.add((c.publisher, FOAF.homepage, URIRef("https://www.oberhausen.de/")))
    g.add((c.contact, RDF.type, VCARD.Organization))
    g.add((c.contact, VCARD.fn, Literal("Stadt Oberhausen, Stadtentwicklung")))
    g.add((c.contact, VCARD.hasURL, URIRef(CONTACT_PAGE)))
    g.add((c.node, RDF.type, DCAT.Catalog))
    _texts(g, c.node, DCTERMS.title, "Stadtgraph Oberhausen: Wissensgraph der Stadtentwicklungsplanung",
           "Stadtgraph Oberhausen: knowledge graph of urban development planning")
    _texts(g, c.node, DCTERMS.description,
           "Konzepte, Themenfelder, Leitziele, Zuständigkeiten, Räume und Ratsbeschlüsse des integrierten "
           "Stadtentwicklungsprozesses (iSTEP) der Stadt Oberhausen als Linked Open Data.",
           "Planning concepts, thematic fields, guiding goals, responsibilities, places and council resolutions of "
           "the integrated urban development process (iSTEP) of the City of Oberhausen as linked open data.")
    for p, o in ((DCTERMS.publisher, c.publisher), (FOAF.homepage, URIRef(c.urls.root)),
                 (DCTERMS.language, GERMAN), (DCAT.themeTaxonomy, URIRef(EU + "data-theme")),
                 (DCTERMS.license, LICENSE), (DCTERMS.modified, c.when), (DCTERMS.issued, c.issued),
                 (DCAT.service, c.service), (DCAT.service, c.change_feed), (DCTERMS.spatial, GEOCODING)):
        g.add((c.node, p, o))
    # Two services over the knowledge graph: the SPARQL endpoint, and the change feed portals follow
    # to take only what changed (its stream description is the endpoint's own description).
    for node, path, spec, de, en in (
            (c.service, "sparql", URIRef("https://www.w3.org/TR/sparql11-protocol/"),
             "SPARQL-Endpunkt des Stadtgraphen", "SPARQL endpoint of the stadtgraph"),
            (c.change_feed, "ldes", LDES_SPEC, "Änderungsstrom des Stadtgraphen (Linked Data Event Stream)",
             "Change feed of the stadtgraph (Linked Data Event Stream)")):
        _texts(g, node, DCTERMS.title, de, en)
        g.add((node, RDF.type, DCAT.DataService))
        for p, o in ((DCAT.endpointURL, URIRef(c.urls.root + path)),
                     (DCAT.endpointDescription, URIRef(c.urls.root + path)),
                     (DCAT.servesDataset, URIRef(c.base + "datensatz/" + WHOLE.slug)), (DCTERMS.license, LICENSE),
                     (DCTERMS.publisher, c.publisher), (DCAT.contactPoint, c.contact), (DCTERMS.conformsTo, spec)):
            g.add((node, p, o))


def _dataset(c: _Catalog, text: DatasetText, landing: str, *, when: Literal | None = None) -> URIRef:
    ds = URIRef(c.base + "datensatz/" + text.slug)
    g = c.g
    g.add((c.node, DCAT.dataset, ds))
    g.add((ds, RDF.type, DCAT.Dataset))
    _texts(g, ds, DCTERMS.title, *text.title)
    _texts(g, ds, DCTERMS.description, *text.description)
    for p, o in ((DCTERMS.identifier, Literal(str(ds))), (DCTERMS.publisher, c.publisher),
                 (DCATDE.maintainer, c.publisher), (DCAT.contactPoint, c.contact),
                 (DCATDE.contributorID, CONTRIBUTOR), (DCATDE.politicalGeocodingURI, GEOCODING),
                 (DCATDE.politicalGeocodingLevelURI, GEOCODING_LEVEL), (DCTERMS.spatial, GEOCODING),
                 (DCATDE.geocodingDescription, Literal("Stadt Oberhausen", lang="de")),
                 (DCTERMS.language, GERMAN), (DCTERMS.issued, c.issued), (DCTERMS.modified, when or c.when),
                 (DCTERMS.accrualPeriodicity, URIRef(EU + "frequency/IRREG")), (DCAT.landingPage, URIRef(landing))):
        g.add((ds, p, o))
    for theme in text.themes:
        g.add((ds, DCAT.theme, URIRef(EU + "data-theme/" + theme)))
    for word in text.keywords:
        g.add((ds, DCAT.keyword, Literal(word, lang="de")))
    return ds


def _distribution(c: _Catalog, ds: URIRef, key: str, title: str, access: str, *, fmt: str, media: str,
                  download: bool = True, file: DumpFile | None = None, gzip: bool = False,
                  when: Literal | None = None) -> URIRef:
    dist = URIRef(c.base + "distribution/" + str(ds)[len(c.base + "datensatz/"):] + "/" + key)
    g = c.g
    g.add((ds, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal(title, lang="de")))
    g.add((dist, DCAT.accessURL, URIRef(access)))
    if download:
        g.add((dist, DCAT.downloadURL, URIRef(access)))
    g.add((dist, DCTERMS.format, URIRef(EU + "file-type/" + FILE_TYPES[fmt])))
    g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
    if gzip:
        g.add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    if file is not None:
        g.add((dist, DCAT.byteSize, Literal(file.size, datatype=c.profile.byte_size)))
    g.add((dist, DCTERMS.license, LICENSE))
    g.add((dist, DCATDE.licenseAttributionByText, Literal("Stadt Oberhausen")))
    g.add((dist, DCTERMS.modified, when or c.when))
    return dist


def _landing(urls: Urls, base: str, iri: str | None) -> str:
    return urls.root + iri[len(base):] if iri and iri.startswith(base) else urls.root


def _texts(g: Graph, node: URIRef, prop: URIRef, de: str, en: str) -> None:
    g.add((node, prop, Literal(de, lang="de")))
    g.add((node, prop, Literal(en, lang="en")))


REQUIRED_DATASET = (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCATDE.contributorID,
                    DCATDE.politicalGeocodingURI, DCATDE.politicalGeocodingLevelURI, DCAT.distribution,
                    DCAT.contactPoint)
REQUIRED_DISTRIBUTION = (DCAT.accessURL, DCTERMS.license)


def check(g: Graph) -> None:
    """What GovData needs of every dataset and distribution. :raises CatalogIncomplete:"""
    missing = []
    for ds in g.subjects(RDF.type, DCAT.Dataset):
        missing += [f"{ds} {p}" for p in REQUIRED_DATASET if g.value(ds, p) is None]
        for dist in g.objects(ds, DCAT.distribution):
            missing += [f"{dist} {p}" for p in REQUIRED_DISTRIBUTION if g.value(dist, p) is None]
    if missing:
        raise CatalogIncomplete("Pflichtangaben fehlen / required statements missing: " + "; ".join(missing[:5]))


@dataclass
class Page:
    graph: Graph
    number: int
    last: int
    datasets: list[URIRef]
    total: int


def datasets(g: Graph) -> list[URIRef]:
    """The datasets in catalog order: the whole graph first, then by IRI (stable across rebuilds)."""
    found = sorted(g.subjects(RDF.type, DCAT.Dataset), key=str)
    first = [d for d in found if str(d).endswith("/datensatz/wissensgraph")]
    return first + [d for d in found if d not in first]


def page(whole: Graph, urls: Urls, number: int, size: int) -> Page:
    """Page ``number`` (from 1) of the catalog: the catalog's own statements, the datasets of the page
    with everything they point to, and Hydra paging with both the current (``hydra:next``) and the
    ckanext-dcat (``hydra:nextPage``) terms. :raises NotFound: for a page beyond the last."""
    order = datasets(whole)
    last = max(1, math.ceil(len(order) / size))
    if number < 1 or number > last:
        raise NotFound(f"Den Katalog gibt es auf den Seiten 1 bis {last} / pages 1 to {last} only")
    mine = order[(number - 1) * size: number * size]
    others = set(order) - set(mine)
    out = Graph(namespace_manager=whole.namespace_manager)
    catalog = next(whole.subjects(RDF.type, DCAT.Catalog))
    for s, p, o in whole.triples((catalog, None, None)):
        if p != DCAT.dataset or o in mine:
            out.add((s, p, o))
    seen: set = set()
    todo = [catalog, *mine]
    while todo:  # everything reachable from the catalog and this page's datasets, but not other datasets
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for s, p, o in whole.triples((node, None, None)):
            if node == catalog and p == DCAT.dataset:
                continue
            out.add((s, p, o))
            if isinstance(o, (URIRef, BNode)) and o not in others and (o, None, None) in whole:
                todo.append(o)
    here = URIRef(urls.page(number))
    out.add((catalog, HYDRA.view, here))
    out.add((here, RDF.type, HYDRA.PagedCollection))
    out.add((here, RDF.type, HYDRA.PartialCollectionView))
    out.add((here, HYDRA.totalItems, Literal(len(order), datatype=XSD.integer)))
    out.add((here, HYDRA.itemsPerPage, Literal(size, datatype=XSD.integer)))
    links = {"first": 1, "last": last}
    if number < last:
        links["next"] = number + 1
    if number > 1:
        links["previous"] = number - 1
    for name, target in links.items():
        # Hydra's current terms link IRIs; ckanext-dcat's older "…Page" terms carry the URL as a string.
        out.add((here, HYDRA[name], URIRef(urls.page(target))))
        out.add((here, HYDRA[name + "Page"], Literal(urls.page(target))))
    return Page(out, number, last, mine, len(order))


@dataclass
class DatasetSummary:
    iri: str
    title: str
    description: str
    landing: str | None
    distributions: list[tuple[str, str, str | None]]  # (title, URL, media type)
    themes: list[str]


def _pick(g: Graph, node, prop, lang: str) -> str:
    found = {(o.language or ""): str(o) for o in g.objects(node, prop)}
    return next((found[k] for k in (lang, "", "de", "en") if k in found), "")


def summary(p: Page, lang: str = "de") -> list[DatasetSummary]:
    """The datasets of a page as the catalog's HTML lists them."""
    g = p.graph
    out = []
    for ds in p.datasets:
        dists = []
        for dist in sorted(g.objects(ds, DCAT.distribution), key=str):
            media = g.value(dist, DCAT.mediaType)
            dists.append((_pick(g, dist, DCTERMS.title, lang), str(g.value(dist, DCAT.accessURL)),
                          str(media).removeprefix(IANA) if media else None))
        landing = g.value(ds, DCAT.landingPage)
        out.append(DatasetSummary(str(ds), _pick(g, ds, DCTERMS.title, lang), _pick(g, ds, DCTERMS.description, lang),
                                  str(landing) if landing else None, dists,
                                  sorted(str(t).rsplit("/", 1)[-1] for t in g.objects(ds, DCAT.theme))))
    return out
