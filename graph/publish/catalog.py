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

from graph.errors import NotFound, StadtgraphError
from graph.iris import Iris, slugify
from graph.namespaces import DCATDE, HYDRA, VCARD
from graph.publish.dumps import FULL_DUMPS, DumpFile, DumpSet

EU = "http://publications.europa.eu/resource/authority/"
LICENSE = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
CONTRIBUTOR = URIRef("http://dcat-ap.de/def/contributors/openNRW")
GEOCODING = URIRef("http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05119000")
GEOCODING_LEVEL = URIRef("http://dcat-ap.de/def/politicalGeocoding/Level/municipality")
GERMAN = URIRef(EU + "language/DEU")
IANA = "https://www.iana.org/assignments/media-types/"
FILE_TYPES = {"turtle": "RDF_TURTLE", "ntriples": "RDF_N_TRIPLES", "jsonld": "JSON_LD", "nquads": "RDF_N_QUADS",
              "rdfxml": "RDF_XML"}
# The city's page on its urban development process (facts.yaml, OB_STEP): the contact the sources name.
CONTACT_PAGE = "https://oberhausen.de/de/index/stadtentwicklung-umwelt/stadtentwicklung/stadtentwicklungsprozess.php"
ISSUED = "2026-11-22"  # first publication of the stadtgraph (the ontology's dcterms:created)

# EU data themes for the Themenfelder, by a word of their name; Sozialräume are about society.
THEMES_BY_WORD: tuple[tuple[str, str], ...] = (
    ("wirtschaft", "ECON"), ("arbeit", "ECON"), ("mobilit", "TRAN"), ("bildung", "EDUC"), ("kultur", "EDUC"),
    ("umwelt", "ENVI"), ("klima", "ENVI"), ("freiraum", "ENVI"), ("gesundheit", "HEAL"), ("sport", "HEAL"),
    ("teilhabe", "SOCI"), ("chancen", "SOCI"), ("wohnen", "REGI"), ("stadtstruktur", "REGI"),
)


class CatalogIncomplete(StadtgraphError):
    """The catalog could not be built whole; no page is served rather than a partial one."""

    status = 503
    slug = "catalog-incomplete"
    title = "Katalog nicht vollständig / catalog incomplete"


@dataclass(frozen=True)
class Urls:
    """Where things are served: ``root`` is this service's public URL with a trailing slash."""

    root: str

    def page(self, number: int) -> str:
        return f"{self.root}catalog?page={number}"

    def dump(self, name: str) -> str:
        return f"{self.root}dumps/{name}"


def theme_of(label: str) -> str:
    low = slugify(label)
    return next((theme for word, theme in THEMES_BY_WORD if word in low), "REGI")


def build(settings_base: str, urls: Urls, dumps: DumpSet, *, modified: str, shapes_available: bool = True) -> Graph:
    """The whole catalog as one graph. :raises CatalogIncomplete: if any dataset lacks what the
    profile requires (checked here, before anything is served)."""
    iris = Iris(settings_base)
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("dcatde", DCATDE), ("vcard", VCARD),
                       ("hydra", HYDRA)):
        g.bind(prefix, ns)
    base = settings_base
    catalog = URIRef(base + "katalog")
    publisher = iris.stadt()
    contact = URIRef(base + "katalog/kontakt")
    service = URIRef(base + "dienst/sparql")
    when = Literal(modified, datatype=XSD.dateTime)
    issued = Literal(ISSUED, datatype=XSD.date)

    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal("Stadt Oberhausen")))
    g.add((publisher, FOAF.homepage, URIRef("https://www.oberhausen.de/")))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal("Stadt Oberhausen, Stadtentwicklung")))
    g.add((contact, VCARD.hasURL, URIRef(CONTACT_PAGE)))

    g.add((catalog, RDF.type, DCAT.Catalog))
    _texts(g, catalog, DCTERMS.title, "Stadtgraph Oberhausen: Wissensgraph der Stadtentwicklungsplanung",
           "Stadtgraph Oberhausen: knowledge graph of urban development planning")
    _texts(g, catalog, DCTERMS.description,
           "Konzepte, Themenfelder, Leitziele, Zuständigkeiten, Räume und Ratsbeschlüsse des integrierten "
           "Stadtentwicklungsprozesses (iSTEP) der Stadt Oberhausen als Linked Open Data.",
           "Planning concepts, thematic fields, guiding goals, responsibilities, places and council resolutions of "
           "the integrated urban development process (iSTEP) of the City of Oberhausen as linked open data.")
    for p, o in ((DCTERMS.publisher, publisher), (FOAF.homepage, URIRef(urls.root)), (DCTERMS.language, GERMAN),
                 (DCAT.themeTaxonomy, URIRef(EU + "data-theme")), (DCTERMS.license, LICENSE),
                 (DCTERMS.modified, when), (DCTERMS.issued, issued), (DCAT.service, service)):
        g.add((catalog, p, o))

    # The SPARQL endpoint as a data service (DCAT 2): its URL and its service description.
    graph_ds = URIRef(base + "datensatz/wissensgraph")
    g.add((service, RDF.type, DCAT.DataService))
    _texts(g, service, DCTERMS.title, "SPARQL-Endpunkt des Stadtgraphen", "SPARQL endpoint of the stadtgraph")
    for p, o in ((DCAT.endpointURL, URIRef(urls.root + "sparql")),
                 (DCAT.endpointDescription, URIRef(urls.root + "sparql")),
                 (DCAT.servesDataset, graph_ds), (DCTERMS.license, LICENSE), (DCTERMS.publisher, publisher),
                 (DCAT.contactPoint, contact),
                 (DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/"))):
        g.add((service, p, o))

    def dataset(slug: str, title: tuple[str, str], description: tuple[str, str], themes: list[str],
                keywords: list[str], landing: str) -> URIRef:
        ds = URIRef(base + "datensatz/" + slug)
        g.add((catalog, DCAT.dataset, ds))
        g.add((ds, RDF.type, DCAT.Dataset))
        _texts(g, ds, DCTERMS.title, *title)
        _texts(g, ds, DCTERMS.description, *description)
        for p, o in ((DCTERMS.identifier, Literal(str(ds))), (DCTERMS.publisher, publisher),
                     (DCATDE.maintainer, publisher), (DCAT.contactPoint, contact),
                     (DCATDE.contributorID, CONTRIBUTOR), (DCATDE.politicalGeocodingURI, GEOCODING),
                     (DCATDE.politicalGeocodingLevelURI, GEOCODING_LEVEL),
                     (DCATDE.geocodingDescription, Literal("Stadt Oberhausen", lang="de")),
                     (DCTERMS.language, GERMAN), (DCTERMS.issued, issued), (DCTERMS.modified, when),
                     (DCTERMS.accrualPeriodicity, URIRef(EU + "frequency/IRREG")),
                     (DCAT.landingPage, URIRef(landing))):
            g.add((ds, p, o))
        for theme in themes:
            g.add((ds, DCAT.theme, URIRef(EU + "data-theme/" + theme)))
        for word in keywords:
            g.add((ds, DCAT.keyword, Literal(word, lang="de")))
        return ds

    def distribution(ds: URIRef, key: str, title: str, access: str, *, fmt: str | None, media: str | None,
                     download: bool = True, file: DumpFile | None = None, gzip: bool = False) -> URIRef:
        dist = URIRef(base + "distribution/" + str(ds)[len(base + "datensatz/"):] + "/" + key)
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(title, lang="de")))
        g.add((dist, DCAT.accessURL, URIRef(access)))
        if download:
            g.add((dist, DCAT.downloadURL, URIRef(access)))
        if fmt:
            g.add((dist, DCTERMS.format, URIRef(EU + "file-type/" + FILE_TYPES[fmt])))
        if media:
            g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
        if gzip:
            g.add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
        if file is not None:
            g.add((dist, DCAT.byteSize, Literal(file.size, datatype=XSD.decimal)))
        g.add((dist, DCTERMS.license, LICENSE))
        g.add((dist, DCATDE.licenseAttributionByText, Literal("Stadt Oberhausen")))
        g.add((dist, DCTERMS.modified, when))
        return dist

    whole = dataset(
        "wissensgraph",
        ("Wissensgraph der Stadtentwicklungsplanung Oberhausen", "Knowledge graph of Oberhausen's urban development planning"),
        ("Alle Konzepte, Themenfelder, Leitziele, Organisationseinheiten, Räume, Ratsvorlagen, Indikatoren, "
         "Expert*innendialoge und Glossarbegriffe des iSTEP mit ihrer Herkunft, dazu die abgeleiteten Synergien "
         "zwischen Konzepten in einem eigenen benannten Graphen.",
         "All planning concepts, thematic fields, guiding goals, organisational units, places, council papers, "
         "indicators, expert dialogues and glossary terms of the iSTEP with their provenance, plus the derived "
         "synergies between concepts in a named graph of their own."),
        ["REGI", "SOCI", "GOVE"], ["Stadtentwicklung", "iSTEP", "Linked Data", "Oberhausen", "Synergien"], urls.root)
    for spec in FULL_DUMPS:
        file = dumps.files.get(spec.name)
        if file is None:
            raise CatalogIncomplete(f"Dump {spec.name} fehlt / missing")
        distribution(whole, spec.format, spec.title_de, urls.dump(spec.name), fmt=spec.format,
                     media=spec.media_type, file=file, gzip=spec.gzip)
    sparql = distribution(whole, "sparql", "SPARQL-Endpunkt", urls.root + "sparql", fmt=None, media=None,
                          download=False)
    g.add((sparql, DCAT.accessService, service))

    ontology = dataset(
        "ontologie",
        ("Ontologie der Stadtentwicklungsplanung Oberhausen", "Ontology of Oberhausen's urban development planning"),
        ("Klassen und Eigenschaften des Stadtgraphen (OWL 2 RL) mit den Axiomen, aus denen die Synergien "
         "abgeleitet werden.",
         "Classes and properties of the stadtgraph (OWL 2 RL) with the axioms the synergies are derived from."),
        ["GOVE", "REGI"], ["Ontologie", "OWL", "Stadtentwicklung"], urls.root + "ontology")
    for fmt, media in (("turtle", "text/turtle"), ("rdfxml", "application/rdf+xml"), ("jsonld", "application/ld+json")):
        distribution(ontology, fmt, f"Ontologie ({FILE_TYPES[fmt]})", f"{urls.root}ontology?format={fmt}",
                     fmt=fmt, media=media)
    if shapes_available:
        shapes = dataset(
            "pruefregeln",
            ("Prüfregeln (SHACL) des Stadtgraphen", "Validation shapes (SHACL) of the stadtgraph"),
            ("Die SHACL-Regeln, gegen die jeder Datensatz vor dem Laden geprüft wird.",
             "The SHACL shapes every record is checked against before it is loaded."),
            ["GOVE"], ["SHACL", "Datenqualität"], urls.root + "shapes")
        distribution(shapes, "turtle", "Prüfregeln (Turtle)", f"{urls.root}shapes?format=turtle",
                     fmt="turtle", media="text/turtle")

    for file in sorted((f for f in dumps.files.values() if f.subset), key=lambda f: f.name):
        kind, label = file.subset_kind, file.subset_label or ""
        if kind == "themenfeld":
            title = (f"Konzepte im Themenfeld „{label}“", f"Planning concepts in the thematic field “{label}”")
            description = (f"Das Themenfeld „{label}“, seine Leitziele und die Konzepte, die sich darauf beziehen, "
                           "mit ihren abgeleiteten Synergien.",
                           f"The thematic field “{label}”, its guiding goals and the concepts relating to it, "
                           "with their derived synergies.")
            themes = [theme_of(label)]
        else:
            title = (f"Konzepte im Sozialraum „{label}“", f"Planning concepts in the social area “{label}”")
            description = (f"Der Sozialraum „{label}“, seine Sozialquartiere und die Konzepte, die ihn betreffen.",
                           f"The social area “{label}”, its social quarters and the concepts touching it.")
            themes = ["SOCI", "REGI"]
        ds = dataset(f"{kind}/{slugify(label)}", title, description, themes, [label, "Stadtentwicklung"],
                     _landing(urls, settings_base, file.subset))
        g.add((ds, DCTERMS.isPartOf, whole))
        distribution(ds, "turtle", file.title_de, urls.dump(file.name), fmt="turtle", media="text/turtle", file=file)
    check(g)
    return g


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
