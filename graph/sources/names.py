"""Canonical names of the city's reference entities, and the synonym tables that map the many spellings
found in wiki pages onto them. Loaders mint IRIs only from these canonical names, so that a wiki page
and a reference file name the same Themenfeld, place or unit with the same IRI.
"""
from __future__ import annotations

import re

# ---- Themenfelder: page title (canonical) → every spelling seen (icons, captions, labels) -------------
THEMENFELDER: dict[str, tuple[str, ...]] = {
    "Arbeit, Wirtschaft und Tourismus": (
        "Arbeit, Wirtschaft & Tourismus",
    ),
    "Stadtstruktur & Stadtgestalt": (
        "Stadtstruktur und Stadtgestalt", "Stadtgestalt und Stadtstruktur", "Stadtgestalt & Stadtstruktur",
    ),
    "Mobilität": (),
    "Wohnen": (),
    "Gesellschaftliche Teilhabe und Chancengleichheit": (
        "Gesellschaftliche Teilhabe und Chancengleichheit2", "Gesellschaftliche Teilhabe & Chancengleichheit",
    ),
    "Bildung & Kultur": ("Bildung und Kultur",),
    "Umwelt, Freiraum, Klima": (
        "Umwelt. Freiraum & Klima", "Umwelt, Klima und Freiraum", "Umwelt, Freiraum und Klima",
        "Umwelt, Freiraum & Klima",
    ),
    "Gesundheit, Sport und Bewegung": (
        "Gesundheit, Sport & Bewegung", "Gesundheit Sport & Bewegung", "Gesundheit, Sport und  Bewegung",
    ),
}


def _key(text: str) -> str:
    text = re.sub(r"\.(png|jpe?g|svg|gif)$", "", text.strip(), flags=re.IGNORECASE)
    text = text.replace("_", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


_THEMENFELD_INDEX: dict[str, str] = {}
for _title, _synonyms in THEMENFELDER.items():
    for _name in (_title, *_synonyms):
        _THEMENFELD_INDEX[_key(_name)] = _title


def themenfeld_title(spelling: str) -> str | None:
    """The canonical Themenfeld page title for any known spelling (file names and "Themenfeld X:"
    labels included), or None.

    >>> themenfeld_title("Umwelt, Klima und Freiraum.png")
    'Umwelt, Freiraum, Klima'
    >>> themenfeld_title("Themenfeld Stadtstruktur und Stadtgestalt:")
    'Stadtstruktur & Stadtgestalt'
    """
    text = spelling.strip()
    text = re.sub(r"^(Datei|File|Bild):", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^Themenfeld\s+", "", text).rstrip(":").strip()
    return _THEMENFELD_INDEX.get(_key(text))


# ---- places ------------------------------------------------------------------------------------------
CITY = "Oberhausen"
STADTBEZIRKE: tuple[str, ...] = ("Alt-Oberhausen", "Sterkrade", "Osterfeld")
# Sozialraum → the Stadtbezirk it lies in (assignment derived from the names; see the reference data)
SOZIALRAEUME: dict[str, str] = {
    "Oberhausen-Mitte/Styrum": "Alt-Oberhausen",
    "Oberhausen-Ost": "Alt-Oberhausen",
    "Alstaden/Lirich": "Alt-Oberhausen",
    "Sterkrade-Mitte": "Sterkrade",
    "Sterkrade-Nord": "Sterkrade",
    "Osterfeld": "Osterfeld",
}


def geltungsbereich(value: str) -> list[tuple[str, str]]:
    """The places an infobox ``Räumlicher Geltungsbereich`` names, as (kind, canonical name) pairs for
    :meth:`graph.iris.Iris.raum`. Unknown values give an empty list (the raw text is kept anyway).

    >>> geltungsbereich("Gesamtstadt")
    [('stadt', 'Oberhausen')]
    >>> geltungsbereich("Sozialräume")[:2]
    [('sozialraum', 'Oberhausen-Mitte/Styrum'), ('sozialraum', 'Oberhausen-Ost')]
    """
    v = re.sub(r"\s+", " ", value).strip()
    if not v:
        return []
    if v.casefold() in ("gesamtstadt", "oberhausen", "stadt oberhausen", "stadtgebiet"):
        return [("stadt", CITY)]
    if v.casefold() == "sozialräume":
        return [("sozialraum", name) for name in SOZIALRAEUME]
    out: list[tuple[str, str]] = []
    for part in re.split(r"\s*(?:,|;| und )\s*", v):
        for bezirk in STADTBEZIRKE:
            if part.casefold() == bezirk.casefold():
                out.append(("stadtbezirk", bezirk))
        for raum in SOZIALRAEUME:
            if part.casefold() == raum.casefold() and ("stadtbezirk", raum) not in out:
                out.append(("sozialraum", raum))
    return out


# ---- organisational units ----------------------------------------------------------------------------
UNIT_TYPES = ("Dezernat", "Bereich", "Fachbereich")
_UNIT = re.compile(
    r"^\s*(?P<type>Dezernat|Bereich|Fachbereich)\s+(?P<code>\d+(?:-\d+){0,2})?\s*(?:/\s*)?(?P<name>.*?)\s*$"
)


def parse_unit(label: str) -> tuple[str, str | None, str | None] | None:
    """(type, code, name) from a wiki ``Zuständigkeit`` such as ``Bereich 2-6 / Kommunales
    Integrationszentrum``, ``Bereich 4-4 IT / Smart City Oberhausen`` or legacy ``Bereich Umwelt``.

    >>> parse_unit("Bereich 2-6 / Kommunales Integrationszentrum")
    ('Bereich', '2-6', 'Kommunales Integrationszentrum')
    >>> parse_unit("Bereich 4-4 IT / Smart City Oberhausen")
    ('Bereich', '4-4', 'IT / Smart City Oberhausen')
    >>> parse_unit("Bereich Umwelt")
    ('Bereich', None, 'Umwelt')
    """
    m = _UNIT.match(label or "")
    if not m:
        return None
    return m.group("type"), m.group("code"), (m.group("name") or None)


#: A council paper number (Drucksache): B/16/5505-01 (B, A or M; the council term; the number; an optional
#: revision). Found in running text with spaces around the slashes too; as a field it is written without.
DRUCKSACHE = re.compile(r"\b[BAM]\s*/\s*\d{2}\s*/\s*\d{3,5}(?:-\d{2})?\b")


def is_drucksache(value: str) -> bool:
    """True for a Drucksache number written as a field holds it.

    >>> is_drucksache("B/16/5505-01"), is_drucksache("B / 16 / 5505"), is_drucksache("B/16/55")
    (True, False, False)
    """
    return DRUCKSACHE.fullmatch(value) is not None and not any(c.isspace() for c in value)
