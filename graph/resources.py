"""Where the shipped resources are: the ontology, shapes, curated queries, templates, static assets and the
Oberhausen data travel inside the installed package (``graph/shipped/``, put there by the wheel build,
``setup.py``); in a checkout (an editable install, ``make run``) they are read where they are kept.

Nothing here is written to: the store, dumps and logs live in the state directory (``state_dir``).
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: The checkout (or, installed from a wheel, site-packages): the folder holding ``graph/``.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Top-level folders of the checkout that the wheel carries inside the package, under ``graph/shipped/``.
SHIPPED = ("ontology", "shapes", "templates", "static", "data")


def shipped(name: str) -> Path:
    """The folder ``name`` of :data:`SHIPPED`: inside the installed package if it is there, else in the
    checkout.

    >>> shipped("ontology").joinpath("oberhausen.ttl").is_file()
    True
    """
    if name not in SHIPPED:
        raise KeyError(f"{name!r} is not a shipped folder ({', '.join(SHIPPED)})")
    inside = Path(str(files("graph") / "shipped" / name))
    return inside if inside.is_dir() else PROJECT_ROOT / name


def queries() -> Path:
    """The curated queries (``graph/queries/*.rq``, package data of ``graph``)."""
    return Path(str(files("graph") / "queries"))
