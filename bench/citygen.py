"""One synthetic city of :mod:`bench.synthetic`: its records (reference data, concepts, Vorlagen) as raw
triples in dependency order, from the city's own random stream; optionally with seeded defects.
"""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import quote

from rdflib import URIRef

from bench import vocab
from graph.iris import Iris, slugify
from graph.namespaces import DCTERMS, OB, ORG, RDF, RDFS, SKOS, XSD

# Predicates and classes as plain strings: the N-Quads fast path never builds rdflib terms.
_T = str(RDF.type)
_X = str(XSD)
DEFECTS: tuple[str, ...] = (
    "drucksache-malformed",   # a Vorlage number that breaks the pattern (letter O for zero, no period)
    "title-missing",          # a concept without dcterms:title
    "year-not-gyear",         # the year as a plain string "20x0"
    "themenfeld-unknown",     # a Themenfeld IRI no record defines
    "volfdnr-url-mismatch",   # the ratsinfo URL carries another VOLFDNR than ob:volfdnr
    "geltungsbereich-not-raum",  # the spatial scope points at an organisational unit
)


class Lit(NamedTuple):
    """A literal in the generator's own light form (no rdflib objects on the fast path)."""

    value: str
    datatype: str | None = None
    lang: str | None = None


Raw = tuple[str, str, "str | Lit"]  # subject IRI, predicate IRI, object IRI or Lit


@dataclass
class Stats:
    """What a generation run produced."""

    triples: int = 0
    graphs: int = 0
    concepts: int = 0
    vorlagen: int = 0
    cities: int = 0
    defects: Counter = field(default_factory=Counter)
    defective_graphs: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"triples": self.triples, "graphs": self.graphs, "concepts": self.concepts,
                "vorlagen": self.vorlagen, "cities": self.cities, "defects": dict(self.defects),
                "defective_graphs": list(self.defective_graphs)}


# ---- one city ---------------------------------------------------------------------------------------
def _de(text: str) -> Lit:
    return Lit(text, None, "de")


def _city_name(i: int) -> str:
    p, s = vocab.CITY_PREFIXES, vocab.CITY_SUFFIXES
    name = p[i % len(p)] + s[(i // len(p)) % len(s)]
    return name if i < len(p) * len(s) else f"{name} {i // (len(p) * len(s)) + 1}"


def _wahlperiode(year: int) -> str:
    return "14" if year <= 2009 else "16" if year <= 2020 else "17"


class City:
    """Generates the records of one city from its own random stream."""

    def __init__(self, index: int, seed: int, base: str, defect_rate: float, stats: Stats) -> None:
        self.i = index
        self.rng = random.Random(f"stadtgraph-synthetic-{seed}-{index}")
        self.iris = Iris(f"{base}stadt-{index:04d}/")
        self.name = _city_name(index)
        self.defect_rate = defect_rate
        self.stats = stats
        self.slugs: set[str] = set()
        self.drucksachen: set[str] = set()
        self.volfdnr = 10_000 + index * 1_000  # 1,000 numbers per city: unique over all cities

    def records(self) -> Iterator[tuple[str, str, list[Raw]]]:
        """(entity kind, graph IRI, raw triples) in dependency order."""
        yield from self._reference()
        for k in range(self.rng.randint(30, 250)):
            yield from self._concept(k)

    def _rec(self, entity: URIRef) -> str:
        return str(self.iris.record_graph(str(entity)))

    # -- reference data: schemes, city, places, units, Themenfelder, Leitziele ------------------------
    def _reference(self) -> Iterator[tuple[str, str, list[Raw]]]:
        rng, iris = self.rng, self.iris
        self.tf_scheme, self.lz_scheme = str(iris.scheme("themenfelder")), str(iris.scheme("leitziele"))
        for scheme, label in ((self.tf_scheme, "Themenfelder"), (self.lz_scheme, "Leitziele")):
            yield "scheme", self._rec(URIRef(scheme)), [
                (scheme, _T, str(SKOS.ConceptScheme)), (scheme, str(SKOS.prefLabel), _de(f"{label} {self.name}"))]

        self.org = str(iris.stadt())
        yield "kommune", self._rec(URIRef(self.org)), [
            (self.org, _T, str(OB.Kommune)), (self.org, str(RDFS.label), _de(f"Stadt {self.name}"))]

        # places: Stadt > 3 Stadtbezirke; 6 Sozialräume (two per borough) > 27 Sozialquartiere
        self.stadt = str(iris.raum("stadt", self.name))
        yield "raum", self._rec(URIRef(self.stadt)), [
            (self.stadt, _T, str(OB.Stadt)), (self.stadt, str(RDFS.label), _de(self.name)),
            (self.stadt, str(OB.gemeindeschluessel), Lit(f"05{self.i % 1000:03d}{rng.randint(0, 999):03d}"))]
        parts = rng.sample(vocab.BOROUGH_PARTS, 3)
        self.bezirke = [f"{self.name}-{p}" for p in parts]
        self.raeume: list[str] = []
        self.raum_names: dict[str, str] = {}
        for b in self.bezirke:
            iri = str(iris.raum("stadtbezirk", b))
            self.raum_names[iri] = b
            yield "raum", self._rec(URIRef(iri)), [
                (iri, _T, str(OB.Stadtbezirk)), (iri, str(RDFS.label), _de(b)), (iri, str(OB.liegtIn), self.stadt)]
        quarters = rng.sample(vocab.QUARTER_NAMES, 27)
        self.sozialraeume, self.quartiere = [], []
        for j in range(6):
            bezirk = self.bezirke[j // 2]
            name = f"{bezirk}/{quarters[j * 4]}" if j % 2 else bezirk.replace("-", " ") + " Kern"
            iri = str(iris.raum("sozialraum", name))
            self.sozialraeume.append(iri)
            self.raum_names[iri] = name
            yield "raum", self._rec(URIRef(iri)), [
                (iri, _T, str(OB.Sozialraum)), (iri, str(RDFS.label), _de(name)),
                (iri, str(OB.liegtIn), str(iris.raum("stadtbezirk", bezirk))),
                (iri, str(OB.einwohnerzahl), Lit(str(rng.randint(18_000, 45_000)), _X + "integer"))]
        for q, name in enumerate(quarters):
            iri = str(iris.raum("sozialquartier", name))
            self.quartiere.append(iri)
            self.raum_names[iri] = name
            yield "raum", self._rec(URIRef(iri)), [
                (iri, _T, str(OB.Sozialquartier)), (iri, str(RDFS.label), _de(name)),
                (iri, str(OB.liegtIn), self.sozialraeume[q * 6 // 27])]

        # units: 17 in a hierarchy, codes as skos:notation, the wiki label as written in infoboxes
        self.units: list[tuple[str, str]] = []  # (IRI, wiki label) of units that can be responsible
        by_code: dict[str, str] = {}
        for kind, code, name, parent in vocab.UNITS:
            iri = str(iris.einheit(kind, code))
            by_code[code] = iri
            label = f"{kind} {code} / {name}"
            yield "einheit", self._rec(URIRef(iri)), [
                (iri, _T, str(OB[kind])), (iri, str(SKOS.prefLabel), _de(name)),
                (iri, str(SKOS.notation), Lit(code)), (iri, str(OB.wikiBezeichnung), Lit(label)),
                (iri, str(ORG.unitOf), by_code[parent] if parent else self.org)]
            if kind != "Dezernat":
                self.units.append((iri, label))

        # Themenfelder and their Leitziele
        self.themenfelder: list[str] = []
        self.leitziele: dict[str, list[str]] = {}
        for title in vocab.THEMENFELD_TITLES:
            iri = str(iris.themenfeld(title))
            self.themenfelder.append(iri)
            yield "themenfeld", self._rec(URIRef(iri)), [
                (iri, _T, str(OB.Themenfeld)), (iri, str(SKOS.prefLabel), _de(title)),
                (iri, str(SKOS.inScheme), self.tf_scheme), (iri, str(SKOS.topConceptOf), self.tf_scheme),
                (iri, str(OB.iconDatei), Lit(f"{title}.png"))]
            self.leitziele[iri] = []
            for lz in vocab.LEITZIELE[title][: rng.randint(2, 5)]:
                lz_iri = str(iris.leitziel(title, lz))
                self.leitziele[iri].append(lz_iri)
                yield "leitziel", self._rec(URIRef(lz_iri)), [
                    (lz_iri, _T, str(OB.Leitziel)), (lz_iri, str(SKOS.prefLabel), _de(lz)),
                    (lz_iri, str(SKOS.inScheme), self.lz_scheme), (lz_iri, str(OB.gehoertZuThemenfeld), iri)]
        self.concepts: list[str] = []

    # -- concepts and their Vorlagen ------------------------------------------------------------------
    def _title(self) -> tuple[str, list[str], str, int]:
        """A title unique (by slug) in this city, its scope (places), the scope as written, topic's field."""
        rng = self.rng
        while True:
            kind = rng.choice(vocab.CONCEPT_KINDS)
            topic, tf = rng.choice(vocab.TOPICS)
            r = rng.random()
            if r < 0.5:
                places, text, where = [self.stadt], "Gesamtstadt", ""
            elif r < 0.65:
                b = rng.randrange(3)
                places, text = [str(self.iris.raum("stadtbezirk", self.bezirke[b]))], self.bezirke[b]
                where = " " + self.bezirke[b]
            elif r < 0.75:
                places, text, where = list(self.sozialraeume), "Sozialräume", " für die Sozialräume"
            elif r < 0.9:
                places = rng.sample(self.sozialraeume, rng.randint(1, 2))
                text = ", ".join(self.raum_names[p] for p in places)
                where = " " + self.raum_names[places[0]]
            else:
                places = rng.sample(self.quartiere, rng.randint(1, 3))
                text = ", ".join(self.raum_names[p] for p in places)
                where = " " + self.raum_names[places[0]]
            title = f"{kind} {topic}{where}"
            if rng.random() < 0.08:
                title += f" „{rng.choice(vocab.MOTTOS)}“" if rng.random() < 0.5 else f' "{rng.choice(vocab.MOTTOS)}"'
            elif rng.random() < 0.3:
                title += f" {rng.choice((2025, 2030, 2035, 2040))}"
            slug = slugify(title)
            if slug not in self.slugs:
                self.slugs.add(slug)
                return title, places, text, tf

    def _vorlage(self, year: int, title: str) -> tuple[str, list[Raw]]:
        rng = self.rng
        year = rng.randint(max(2004, year - 1), min(2025, year + 1))
        if 2010 <= year <= 2013:  # no Drucksache numbers of period 15 are known; keep to the observed ones
            year = 2014
        while True:
            letter = rng.choices("BAM", weights=(85, 8, 7))[0]
            suffix = rng.choices(("-01", "-02", ""), weights=(70, 5, 25))[0]
            number = f"{letter}/{_wahlperiode(year)}/{rng.randint(100, 7999)}{suffix}"
            if number not in self.drucksachen:
                self.drucksachen.add(number)
                break
        self.volfdnr += 1
        iri = str(self.iris.vorlage(number))
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        triples: list[Raw] = [
            (iri, _T, str(OB.Vorlage)), (iri, str(OB.drucksache), Lit(number)),
            (iri, str(OB.volfdnr), Lit(str(self.volfdnr), _X + "positiveInteger")),
            (iri, str(OB.ratsinfoSeite), f"http://ratsinfo.oberhausen.de/vo020?VOLFDNR={self.volfdnr}"),
            (iri, str(DCTERMS.title), _de(f"{rng.choice(vocab.VORLAGE_VERBS)}: {title}")),
            (iri, str(DCTERMS.date), Lit(date, _X + "date")),
            (iri, str(OB.gremium), Lit(rng.choice(vocab.GREMIEN)))]
        if year < 2021:
            triples.append((iri, str(OB.allrisSeite), f"http://allris.oberhausen.de/bi/vo020.asp?VOLFDNR={self.volfdnr}"))
        return iri, triples

    def _concept(self, k: int) -> Iterator[tuple[str, str, list[Raw]]]:
        rng, p = self.rng, str(OB)
        defect = None
        if self.defect_rate and rng.random() < self.defect_rate:
            defect = rng.choice(DEFECTS)
        title, places, scope_text, primary = self._title()
        iri = str(self.iris.konzept(title))
        graph = self._rec(URIRef(iri))
        year = rng.randint(2005, 2025)
        n_vorlagen = rng.choices((0, 1, 2), weights=(35, 45, 20))[0]
        if defect in ("drucksache-malformed", "volfdnr-url-mismatch"):
            n_vorlagen = max(1, n_vorlagen)  # the defect sits in the concept's first Vorlage
        vorlagen = []
        for n in range(n_vorlagen):
            v_iri, v_triples = self._vorlage(year, title)
            vorlagen.append(v_iri)
            if n == 0 and defect in ("drucksache-malformed", "volfdnr-url-mismatch"):
                v_triples = self._defect(defect, v_iri, v_triples)
            yield "vorlage", self._rec(URIRef(v_iri)), v_triples
        tfs = [self.themenfelder[primary]]
        n_tf = rng.choices((1, 2, 3, 4, 5, 6), weights=(30, 25, 20, 12, 8, 5))[0]
        tfs += rng.sample([t for t in self.themenfelder if t != tfs[0]], n_tf - 1)
        pool = [lz for t in tfs for lz in self.leitziele[t]]
        lzs = rng.sample(pool, min(len(pool), rng.choices((0, 1, 2, 3), weights=(30, 35, 25, 10))[0]))
        unit, unit_label = rng.choice(self.units)
        page = f"https://istek.{slugify(self.name)}.example/index.php?title={quote(title.replace(' ', '_'))}"
        t: list[Raw] = [
            (iri, _T, p + "Konzept"), (iri, str(DCTERMS.title), _de(title)), (iri, p + "art", Lit("Konzept")),
            (iri, p + "geltungsbereichText", Lit(scope_text)),
            (iri, p + "zustaendigeEinheit", unit), (iri, p + "zustaendigkeitText", Lit(unit_label)),
            (iri, p + "veroeffentlichungsjahr", Lit(str(year), _X + "gYear")),
            (iri, p + "wikiSeite", page), (iri, p + "wikiRevision", Lit(str(rng.randint(100, 2600)), _X + "integer")),
            (iri, p + "konfidenz", p + "Beobachtet")]
        t += [(iri, p + "geltungsbereich", place) for place in places]
        t += [(iri, p + "themenfeld", tf) for tf in tfs]
        t += [(iri, p + "wikiKategorie", Lit(vocab.THEMENFELD_TITLES[self.themenfelder.index(tf)])) for tf in tfs]
        t += [(iri, p + "leitziel", lz) for lz in lzs]
        t += [(iri, p + "beschlossenDurch", v) for v in vorlagen]
        t += [(iri, p + "analyseschwerpunkt", _de(a)) for a in rng.sample(vocab.ANALYSIS_TOPICS, rng.randint(0, 3))]
        t += [(iri, p + "ziel", _de(g)) for g in rng.sample(vocab.GOALS, rng.randint(0, 4))]
        for n in range(rng.choices((0, 1, 2), weights=(40, 40, 20))[0]):
            link = f"https://www.{slugify(self.name)}.example/{slugify(title)}/dokument-{n + 1}.pdf"
            t += [(iri, p + "weiterfuehrenderLink", link), (link, str(RDFS.label), _de(f"Download {title}"))]
        if self.concepts and rng.random() < 0.03:
            t.append((iri, p + "synergieMit", rng.choice(self.concepts)))
        if defect and defect not in ("drucksache-malformed", "volfdnr-url-mismatch"):
            t = self._defect(defect, iri, t)
        self.concepts.append(iri)
        yield "konzept", graph, t

    def _defect(self, kind: str, iri: str, t: list[Raw]) -> list[Raw]:
        """The record of ``iri`` with one defect of :data:`DEFECTS`; counted and named in the stats."""
        p = str(OB)
        if kind == "drucksache-malformed":  # letter O for a zero and no election period
            t = [x if x[1] != p + "drucksache" else (iri, x[1], Lit(f"B/{self.rng.randint(100, 999)}O5")) for x in t]
        elif kind == "volfdnr-url-mismatch":
            t = [x if x[1] != p + "ratsinfoSeite" else (iri, x[1], "http://ratsinfo.oberhausen.de/vo020?VOLFDNR=1")
                 for x in t]
        elif kind == "title-missing":
            t = [x for x in t if x[1] != str(DCTERMS.title)]
        elif kind == "year-not-gyear":
            t = [x if x[1] != p + "veroeffentlichungsjahr" else (iri, x[1], Lit("20x0")) for x in t]
        elif kind == "themenfeld-unknown":
            t.append((iri, p + "themenfeld", str(self.iris.themenfeld("Themenfeld ohne Seite"))))
        elif kind == "geltungsbereich-not-raum":
            t.append((iri, p + "geltungsbereich", self.units[0][0]))
        self.stats.defects[kind] += 1
        self.stats.defective_graphs.append(str(self.iris.record_graph(iri)))
        return t
