"""The ways in: a list page for every kind at its parent path (``/konzept``, ``/vorlage``, ``/organisation``,
``/raum/sozialraum`` …; sortable, filterable, ``?format=csv``), the index of all lists, and ``/downloads``,
the address the README gives for the dumps."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from graph.errors import BadRequest
from graph.pages import lists
from web.capacity import page_store
from web.context import settings
from web.i18n import lang

bp = Blueprint("lists", __name__)
MAX_FILTER = 200


@bp.get("/verzeichnis")
def index():
    """Every list page with the number of its records."""
    entries = [(path, lists.title(path, lang()), lists.listing(page_store(), path, lang()).total)
               for path in lists.KINDS]
    return render_template("lists.html", entries=entries)


def listing(kind: str):
    text = request.args.get("q", "")
    if len(text) > MAX_FILTER:
        raise BadRequest(f"Filtertext länger als {MAX_FILTER} Zeichen / filter longer than {MAX_FILTER} characters")
    result = lists.listing(page_store(), kind, lang(), sort=request.args.get("sort", ""), query=text,
                           descending=request.args.get("order") == "desc")
    if request.args.get("format") == "csv":
        name = kind.replace("/", "-")
        return Response(lists.to_csv(result, settings().base_iri), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    tree = lists.unit_tree(result) if kind == "organisation" and not text else None
    timeline = lists.timeline(result) if kind == "vorlage" and not text and result.sort == "datum" else None
    return render_template("listing.html", r=result, path=kind, tree=tree, timeline=timeline)


for _path in lists.KINDS:
    bp.add_url_rule("/" + _path, f"list_{_path.replace('/', '_')}", listing, defaults={"kind": _path},
                    methods=["GET"])


@bp.get("/downloads")
def downloads():
    """The dumps under the address the README names (the same page as ``/dumps``)."""
    from web.catalog import dumps

    return dumps()
