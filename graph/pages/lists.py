"""The list pages at the parent paths (``/konzept``, ``/vorlage``, ``/organisation``, ``/raum/sozialraum`` …):
every record of a kind with the columns a reader compares, sortable, filterable, as a table or CSV; the
council papers as a timeline and the units as the tree their codes form.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from graph.labels import fetch_labels, local_name
from graph.namespaces import DCTERMS, OB, ORG, SCHEMA, SKOS, sparql_prologue
from graph.pages.summary import decision_kind, long_date, place_rank, word
from graph.store import Store


@dataclass(frozen=True)
class Column:
    key: str
    de: str
    en: str
    predicate: str
    inverse: bool = False
    mode: str = "names"  # names (linked), count, date, text, kind (decision kind from the title)


@dataclass(frozen=True)
class Kind:
    path: str
    de: str
    en: str
    classes: tuple[str, ...]
    columns: tuple[Column, ...]
    sort: str = "label"
    label_column: str = ""  # a column whose text names the row better than the label (a paper's subject)
    intro_de: str = ""
    intro_en: str = ""


_YEAR = Column("jahr", "Jahr", "Year", str(OB.veroeffentlichungsjahr), mode="text")
_THEMEN = Column("themenfeld", "Themenfelder", "Thematic fields", str(OB.themenfeld))
_CONCEPTS_IN = Column("konzepte", "Konzepte", "Concepts", str(OB.themenfeld), inverse=True, mode="count")
_PLACE_IN = Column("liegt_in", "Liegt in", "Lies in", str(OB.liegtIn))
_CONCERNED = Column("konzepte", "Konzepte, die ihn betreffen", "Concepts concerning it", str(OB.betrifftRaum),
                    inverse=True, mode="count")


def _raum(path: str, de: str, en: str, cls: str) -> Kind:
    return Kind(path, de, en, (str(OB[cls]),), (_PLACE_IN, _CONCERNED))


KINDS: dict[str, Kind] = {k.path: k for k in (
    Kind("konzept", "Konzepte", "Planning concepts", (str(OB.Konzept),),
         (_YEAR, _THEMEN, Column("einheit", "Zuständigkeit", "Responsible unit", str(OB.zustaendigeEinheit)),
          Column("vorlagen", "Ratsvorlagen", "Council papers", str(OB.beschlossenDurch), mode="count"))),
    Kind("themenfeld", "Themenfelder", "Thematic fields", (str(OB.Themenfeld),),
         (_CONCEPTS_IN, Column("leitziele", "Leitziele", "Guiding goals", str(OB.hatLeitziel), mode="count"))),
    Kind("leitziel", "Leitziele", "Guiding goals", (str(OB.Leitziel),),
         (Column("themenfeld", "Themenfeld", "Thematic field", str(OB.gehoertZuThemenfeld)),
          Column("konzepte", "Konzepte", "Concepts", str(OB.leitziel), inverse=True, mode="count"))),
    Kind("vorlage", "Ratsvorlagen", "Council papers", (str(OB.Vorlage),),
         (Column("datum", "Datum", "Date", str(DCTERMS.date), mode="date"),
          Column("drucksache", "Drucksache", "Number", str(OB.drucksache), mode="text"),
          Column("betreff", "Betreff", "Subject", str(DCTERMS.title), mode="text"),
          Column("gremium", "Gremium", "Committee", str(OB.gremium), mode="text"),
          Column("art", "Art des Beschlusses", "Kind of decision", str(DCTERMS.title), mode="kind"),
          Column("konzepte", "Beschließt", "Adopts", str(OB.beschliesst))),
         sort="datum", label_column="betreff",
         intro_de="Alle Ratsvorlagen, die der Graph kennt, in zeitlicher Folge (ohne erfasstes Datum am Ende).",
         intro_en="Every council paper the graph knows, in order of time (those without a recorded date last)."),
    Kind("organisation", "Organisationseinheiten", "Organisational units",
         (str(OB.Organisationseinheit), str(OB.Kommune)),
         (Column("code", "Kürzel", "Code", str(SKOS.notation), mode="text"),
          Column("teil_von", "Teil von", "Part of", str(ORG.subOrganizationOf)),
          Column("konzepte", "Zuständig für Konzepte", "Responsible for concepts", str(OB.zustaendigeEinheit),
                 inverse=True, mode="count"),
          Column("art", "Art", "Kind", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", mode="class")),
         sort="code"),
    Kind("raum", "Räume", "Places", (str(OB.Raum),),
         (Column("art", "Art", "Kind", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", mode="class"),
          _PLACE_IN, _CONCERNED)),
    _raum("raum/stadt", "Stadt", "City", "Stadt"),
    _raum("raum/stadtbezirk", "Stadtbezirke", "Districts", "Stadtbezirk"),
    _raum("raum/sozialraum", "Sozialräume", "Social areas", "Sozialraum"),
    _raum("raum/sozialquartier", "Sozialquartiere", "Social quarters", "Sozialquartier"),
    Kind("indikator", "Indikatoren des Sozialberichts", "Indicators of the social report", (str(OB.Indikator),),
         (Column("index", "Teil des Index", "Part of the index", str(OB.indexKomponente), mode="text"),)),
    Kind("glossar", "Glossar", "Glossary", (str(OB.Glossarbegriff),),
         (Column("definition", "Definition", "Definition", str(SKOS.definition), mode="text"),)),
    Kind("expertendialog", "Expert*innendialoge", "Expert dialogues", (str(OB.Expertendialog),),
         (Column("datum", "Beginn", "Start", str(SCHEMA.startDate), mode="date"),
          Column("ort", "Ort", "Place", str(SCHEMA.location)))),
    Kind("synergie", "Synergien", "Synergies", (str(OB.Synergiebegruendung),),
         (Column("zwischen", "Zwischen", "Between", str(OB.zwischen)),
          Column("regel", "Art", "Kind", str(OB.regel)),
          Column("gemeinsam", "Gemeinsam", "Shared", str(OB.gemeinsam))), label_column="zwischen"),
)}

_OUT = sparql_prologue() + """
SELECT ?s ?p ?o WHERE { VALUES ?c { {classes} } ?s a ?c . FILTER(isIRI(?s))
  OPTIONAL { VALUES ?p { {preds} } ?s ?p ?o } }"""
_IN = sparql_prologue() + """
SELECT ?s ?p ?o WHERE { VALUES ?c { {classes} } VALUES ?p { {preds} } ?s a ?c . ?o ?p ?s . FILTER(isIRI(?s)) }"""


@dataclass
class Cell:
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (IRI, name)
    sort: object = ""


@dataclass
class Row:
    iri: str
    label: str
    cells: dict[str, Cell]


@dataclass
class Listing:
    kind: Kind
    title: str
    intro: str
    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[Row]
    total: int
    sort: str
    query: str


def title(path: str, lang: str = "de") -> str:
    kind = KINDS[path]
    return kind.de if lang == "de" else kind.en


def listing(store: Store, path: str, lang: str = "de", *, sort: str = "", query: str = "",
            descending: bool = False) -> Listing:
    """Every record of the kind at ``path`` with its columns; ``query`` filters by any cell's text."""
    kind = KINDS[path]
    classes = " ".join(f"<{c}>" for c in kind.classes)
    values: dict[str, dict[str, list]] = {}
    outs = {c.predicate for c in kind.columns if not c.inverse}
    ins = {c.predicate for c in kind.columns if c.inverse}
    preds = " ".join(f"<{p}>" for p in outs) or "<urn:x:none>"
    for row in store.query(_OUT.replace("{classes}", classes).replace("{preds}", preds)):
        got = values.setdefault(row["s"].value, {})
        if row["p"] is not None:
            got.setdefault(row["p"].value, []).append(row["o"])
    if ins:
        for row in store.query(_IN.replace("{classes}", classes).replace("{preds}", " ".join(f"<{p}>" for p in ins))):
            values.setdefault(row["s"].value, {}).setdefault("^" + row["p"].value, []).append(row["o"])
    iris = set(values) | {o.value for got in values.values() for os in got.values() for o in os
                          if hasattr(o, "value") and type(o).__name__ == "NamedNode"}
    names = fetch_labels(store, iris, lang)
    rows = []
    for iri, got in values.items():
        cells = {}
        for col in kind.columns:
            terms = got.get(("^" if col.inverse else "") + col.predicate, [])
            cells[col.key] = _cell(col, terms, names, lang)
        label = names.get(iri, local_name(iri))
        if kind.label_column:
            named = cells[kind.label_column]
            label = " – ".join(n for _, n in named.links) if named.links else (named.text or label)
        rows.append(Row(iri, label, cells))
    total = len(rows)
    needle = query.strip().lower()
    if needle:
        rows = [r for r in rows if needle in r.label.lower()
                or any(needle in c.text.lower() or any(needle in n.lower() for _, n in c.links) for c in r.cells.values())]
    keys = [c.key for c in kind.columns]
    sort = sort if sort in keys or sort == "label" else kind.sort
    rows.sort(key=lambda r: (r.label.lower(),))
    if sort != "label":
        rows.sort(key=lambda r: (r.cells[sort].sort in ("", None), r.cells[sort].sort))
    if descending:
        rows.reverse()
    heads = [(c.key, c.de if lang == "de" else c.en) for c in kind.columns if c.key != kind.label_column]
    return Listing(kind, kind.de if lang == "de" else kind.en, kind.intro_de if lang == "de" else kind.intro_en,
                   heads, rows, total, sort, query)


def _cell(col: Column, terms: list, names: dict[str, str], lang: str) -> Cell:
    iris = sorted({t.value for t in terms if type(t).__name__ == "NamedNode"})
    literals = [t for t in terms if type(t).__name__ == "Literal"]
    texts: list[str] = []
    for want in (lang, None, "de"):
        texts = sorted({t.value for t in literals if t.language == want})
        if texts:
            break
    texts = texts or sorted({t.value for t in literals})
    if col.mode == "count":
        n = len({t.value for t in terms})
        return Cell(str(n) if n else "", sort=n)
    if col.mode == "date":
        value = min(texts) if texts else ""
        return Cell(long_date(value, lang), sort=value)
    if col.mode == "kind":
        return Cell(word(decision_kind(texts[0] if texts else ""), lang) if texts else "", sort=texts[0] if texts else "")
    if col.mode == "text":
        text = texts[0] if texts else ""
        sort: object = text
        if col.key == "code":
            sort = tuple(int(p) if p.isdigit() else 0 for p in text.split("-")) if text else ""
        return Cell(text, sort=sort)
    if col.mode == "class":
        mine = [i for i in iris if i.startswith(str(OB)) and not i.endswith("#Raum")]
        return Cell(", ".join(names.get(i, local_name(i)) for i in mine), sort=",".join(mine))
    links = sorted(((i, names.get(i, local_name(i))) for i in iris), key=lambda x: (_rank_iri(x[0]), x[1].lower()))
    return Cell(", ".join(n for _, n in links), links=links, sort=", ".join(n.lower() for _, n in links))


def _rank_iri(iri: str) -> int:
    from graph.pages.describe import Term

    return place_rank(Term("", iri=iri))


def to_csv(result: Listing, base: str) -> str:
    """The listing as CSV (RFC 4180): the IRI, the name, then each column's text (names joined by "; ")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["iri", "name", *[head for _, head in result.columns]])
    for row in result.rows:
        writer.writerow([row.iri, row.label, *[
            "; ".join(n for _, n in row.cells[k].links) if row.cells[k].links else row.cells[k].text
            for k, _ in result.columns]])
    return out.getvalue()


@dataclass
class TreeNode:
    iri: str
    label: str
    code: str
    count: str
    children: list[TreeNode] = field(default_factory=list)


def unit_tree(result: Listing) -> list[TreeNode]:
    """The units as the tree their codes draw (``5-1-10`` below ``5-1`` below ``5``), else as
    ``org:subOrganizationOf`` says; the city's administration (the Kommune) at the root."""
    nodes = {r.iri: TreeNode(r.iri, r.label, r.cells["code"].text, r.cells["konzepte"].text) for r in result.rows}
    by_code = {r.cells["code"].text: r.iri for r in result.rows if r.cells["code"].text}
    root = next((r.iri for r in result.rows if "Kommune" in r.cells["art"].sort), None)
    roots = []
    ordered = sorted(result.rows, key=lambda r: (r.cells["code"].sort == "", r.cells["code"].sort, r.label.lower()))
    for row in ordered:
        if row.iri == root:
            continue
        code = row.cells["code"].text
        parent = None
        while code and "-" in code and parent is None:
            code = code.rsplit("-", 1)[0]
            parent = by_code.get(code)
        if parent is None:
            parent = next((i for i, _ in row.cells["teil_von"].links if i in nodes and i != row.iri), None)
        if parent is None:
            parent = root
        if parent is None:
            roots.append(nodes[row.iri])
        else:
            nodes[parent].children.append(nodes[row.iri])
    return ([nodes[root]] if root else []) + roots


def timeline(result: Listing) -> list[tuple[str, list[Row]]]:
    """The council papers by year of decision, oldest first; papers without a date as the last group."""
    groups: dict[str, list[Row]] = {}
    for row in sorted(result.rows, key=lambda r: (r.cells["datum"].sort == "", r.cells["datum"].sort)):
        year = str(row.cells["datum"].sort)[:4] if row.cells["datum"].sort else ""
        groups.setdefault(year, []).append(row)
    return list(groups.items())
