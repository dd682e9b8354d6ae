"""What the catalog's datasets say of themselves, in German and English: the three fixed datasets and the
text of each Themenfeld's and Sozialraum's subset, with keywords CKAN can hold and EU data themes."""
from __future__ import annotations

import re
from dataclasses import dataclass

from graph.iris import slugify
from graph.publish.dumps import DumpFile

# EU data themes for the Themenfelder, by a word of their name; Sozialräume are about society.
THEMES_BY_WORD: tuple[tuple[str, str], ...] = (
    ("wirtschaft", "ECON"), ("arbeit", "ECON"), ("mobilit", "TRAN"), ("bildung", "EDUC"), ("kultur", "EDUC"),
    ("umwelt", "ENVI"), ("klima", "ENVI"), ("freiraum", "ENVI"), ("gesundheit", "HEAL"), ("sport", "HEAL"),
    ("teilhabe", "SOCI"), ("chancen", "SOCI"), ("wohnen", "REGI"), ("stadtstruktur", "REGI"),
)


def theme_of(label: str) -> str:
    low = slugify(label)
    return next((theme for word, theme in THEMES_BY_WORD if word in low), "REGI")


_NOT_IN_A_TAG = re.compile(r"[^\w \-.]+")


def keyword(term: str) -> str:
    """A keyword CKAN can hold as a tag (letters, digits, space, ``-``, ``_``, ``.``; 2–100 characters): a
    slash becomes a hyphen, ``&`` the word "und". The exact term stays in the dataset's title.

    >>> keyword("Alstaden/Lirich"), keyword("Bildung & Kultur")
    ('Alstaden-Lirich', 'Bildung und Kultur')
    """
    text = term.replace("&", " und ").replace("/", "-")
    return re.sub(r"\s+", " ", _NOT_IN_A_TAG.sub(" ", text)).strip(" -")[:100]


@dataclass(frozen=True)
class DatasetText:
    """What a dataset says of itself, in German and English."""

    slug: str
    title: tuple[str, str]
    description: tuple[str, str]
    themes: tuple[str, ...]
    keywords: tuple[str, ...]


WHOLE = DatasetText(
    "wissensgraph",
    ("Wissensgraph der Stadtentwicklungsplanung Oberhausen", "Knowledge graph of Oberhausen's urban development planning"),
    ("Alle Konzepte, Themenfelder, Leitziele, Organisationseinheiten, Räume, Ratsvorlagen, Indikatoren, "
     "Expert*innendialoge und Glossarbegriffe des iSTEP mit ihrer Herkunft, dazu die abgeleiteten Synergien "
     "zwischen Konzepten in einem eigenen benannten Graphen.",
     "All planning concepts, thematic fields, guiding goals, organisational units, places, council papers, "
     "indicators, expert dialogues and glossary terms of the iSTEP with their provenance, plus the derived "
     "synergies between concepts in a named graph of their own."),
    ("REGI", "SOCI", "GOVE"), ("Stadtentwicklung", "iSTEP", "Linked Data", "Oberhausen", "Synergien"))
ONTOLOGY = DatasetText(
    "ontologie",
    ("Ontologie der Stadtentwicklungsplanung Oberhausen", "Ontology of Oberhausen's urban development planning"),
    ("Klassen und Eigenschaften des Stadtgraphen (OWL 2 RL) mit den Axiomen, aus denen die Synergien "
     "abgeleitet werden.",
     "Classes and properties of the stadtgraph (OWL 2 RL) with the axioms the synergies are derived from."),
    ("GOVE", "REGI"), ("Ontologie", "OWL", "Stadtentwicklung"))
SHAPES = DatasetText(
    "pruefregeln",
    ("Prüfregeln (SHACL) des Stadtgraphen", "Validation shapes (SHACL) of the stadtgraph"),
    ("Die SHACL-Regeln, gegen die jeder Datensatz vor dem Laden geprüft wird.",
     "The SHACL shapes every record is checked against before it is loaded."),
    ("GOVE",), ("SHACL", "Datenqualität"))
ONTOLOGY_FORMATS = (("turtle", "text/turtle"), ("rdfxml", "application/rdf+xml"), ("jsonld", "application/ld+json"))


def subset_text(file: DumpFile) -> DatasetText:
    """The dataset of one Themenfeld's or Sozialraum's subset dump."""
    label = file.subset_label or ""
    if file.subset_kind == "themenfeld":
        return DatasetText(
            f"themenfeld/{slugify(label)}",
            (f"Konzepte im Themenfeld „{label}“", f"Planning concepts in the thematic field “{label}”"),
            (f"Das Themenfeld „{label}“, seine Leitziele und die Konzepte, die sich darauf beziehen, mit ihren "
             "abgeleiteten Synergien.",
             f"The thematic field “{label}”, its guiding goals and the concepts relating to it, with their derived "
             "synergies."),
            (theme_of(label),), (keyword(label), "Stadtentwicklung"))
    return DatasetText(
        f"{file.subset_kind}/{slugify(label)}",
        (f"Konzepte im Sozialraum „{label}“", f"Planning concepts in the social area “{label}”"),
        (f"Der Sozialraum „{label}“, seine Sozialquartiere und die Konzepte, die ihn betreffen.",
         f"The social area “{label}”, its social quarters and the concepts touching it."),
        ("SOCI", "REGI"), (keyword(label), "Stadtentwicklung"))
