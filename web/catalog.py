"""The open-data face of the service: the DCAT-AP.de catalog at ``/catalog`` (paged with Hydra), VoID
at ``/.well-known/void`` and the dumps at ``/dumps/…`` with ETag, Last-Modified and 304 answers.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, render_template, request, send_file

from graph.errors import BadRequest, NotFound, StadtgraphError
from graph.formats import ox_triples
from graph.publish import catalog as dcat_catalog
from graph.publish import void as void_doc
from graph.publish.cache import Publication
from web.capacity import page_store
from web.context import settings, wants_html
from web.i18n import lang
from web.linked import linked_response, own_url, page_format, root_url

bp = Blueprint("catalog", __name__)


def publication() -> Publication:
    """The app's one :class:`Publication` (its caches live as long as the app)."""
    found = current_app.extensions.get("stadtgraph.publication")
    if found is None:
        found = current_app.extensions.setdefault("stadtgraph.publication", Publication(page_store(), settings()))
    return found


@bp.app_template_global("data_facts")
def data_facts() -> dict:
    """What every page's footer says about the data as open data (the catalog says the same): licence,
    contact and when the data last changed (left out where neither the version log nor a build says it, and
    when the store cannot answer: an error page must still render; never by writing the dumps)."""
    try:
        modified = publication().known_modified()
    except (StadtgraphError, OSError):
        modified = None
    return {"licence": dcat_catalog.LICENSE_PAGE, "contact": dcat_catalog.CONTACT_PAGE, "modified": modified}


@bp.get("/catalog")
def catalog():
    raw = request.args.get("page", "1")
    if not raw.isdigit() or len(raw) > 9:
        raise BadRequest("Parameter 'page' muss eine positive ganze Zahl sein / must be a positive integer")
    fmt = page_format()
    root = root_url()
    profile = dcat_catalog.profile_for(request.args.get("profile"), request.headers.get("Accept-Profile"))
    # Paging links keep every other parameter of the request (format=, profile=, lang=).
    urls = dcat_catalog.Urls(root, urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "page"]))
    # The whole catalog is built (and checked) before a page of it is cut: all or nothing.
    page = dcat_catalog.page(publication().catalog(root, profile), urls, int(raw), settings().catalog_page_size)
    response = linked_response(
        lambda: ox_triples(page.graph),
        lambda links: render_template("catalog.html", page=page, items=dcat_catalog.summary(page, lang()),
                                      urls=urls, links=links),
        url=urls.page(page.number), fmt=fmt)
    response.headers["Content-Profile"] = f"<{profile.uri}>"  # https://www.w3.org/TR/dx-prof-conneg/
    response.headers.add("Vary", "Accept-Profile")
    return response


@bp.get("/.well-known/void")
def void():
    fmt = page_format()
    graph = publication().void(root_url())
    return linked_response(
        lambda: ox_triples(graph),
        lambda links: render_template("void.html", stats=void_doc.summary(graph), links=links),
        fmt=fmt)


@bp.get("/dumps")
def dumps():
    dump_set = publication().dumps()
    files = sorted(dump_set.files.values(), key=lambda f: (f.subset is not None, f.name))
    if wants_html():
        return render_template("dumps.html", files=files, dumps=dump_set)
    return jsonify({"modified": dump_set.written, "files": [
        {"name": f.name, "url": own_url(f"/dumps/{f.name}"), "media_type": f.media_type, "size": f.size,
         "sha256": f.sha256, "gzip": f.gzip, "subset": f.subset} for f in files]})


@bp.get("/dumps/<name>")
def dump(name: str):
    dump_set = publication().dumps()
    path = dump_set.path(name)  # only names of the manifest: nothing else of the disk is reachable
    if path is None:
        raise NotFound(f"Keinen Dump {name!r} / no such dump")
    info = dump_set.files[name]
    response = send_file(
        path, mimetype=info.media_type if not info.gzip else "application/gzip", as_attachment=False,
        download_name=name, etag=info.sha256, last_modified=dump_set.modified, conditional=True, max_age=300)
    if info.media_type.startswith("text/") and not info.gzip:
        response.headers["Content-Type"] = f"{info.media_type}; charset=utf-8"
    return response
