"""The pages people start from: the home page to browse the graph, the search by title, and the
synergy picture (concepts as a network, filtered by Themenfeld and Sozialraum).
"""
from __future__ import annotations

from flask import Blueprint, render_template, request

from graph.pages import browse, overview
from graph.pages import synergy_map as synergies_net
from web.capacity import page_store
from web.context import settings
from web.i18n import lang
from web.search import page as search_page

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    pages = page_store()
    return render_template("home.html", overview=overview.summary(pages), lists=browse.overview(pages, lang()),
                           settings=settings())


@bp.get("/suche")
def search():
    """Full-text search over every record (:mod:`web.search`)."""
    return search_page()


@bp.get("/synergien")
def synergies():
    """The network; filters are paths below the base (``themenfeld/wohnen``) so links stay short."""
    base = settings().base_iri
    themenfeld = _chosen("themenfeld", base)
    sozialraum = _chosen("sozialraum", base)
    rules = tuple(request.args.getlist("regel")) or synergies_net.DEFAULT_RULES
    net = synergies_net.network(page_store(), themenfeld=themenfeld, sozialraum=sozialraum, rules=rules, lang=lang())
    # A filter value that names nothing in the lists is dropped rather than showing an empty picture.
    if themenfeld and themenfeld not in {i for i, _, _ in net.themenfelder}:
        net = synergies_net.network(page_store(), sozialraum=sozialraum, rules=rules, lang=lang())
    if sozialraum and sozialraum not in {i for i, _ in net.sozialraeume}:
        net = synergies_net.network(page_store(), themenfeld=net.themenfeld, rules=rules, lang=lang())
    return render_template("synergies.html", net=net, base=base, rule_keys=list(synergies_net.RULE_KEYS))


def _chosen(name: str, base: str) -> str | None:
    value = request.args.get(name, "").strip()
    return base + value if value else None
