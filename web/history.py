"""What changed, and when: a record's history page and the diff of two versions, Memento (RFC 7089) on
every record IRI, the "Was hat sich geändert?" page with its Atom feed, and the LDES change feed.

Routes: ``/verlauf/<path>`` (history, ``?von=&zu=`` a diff), ``/timemap/<path>`` (TimeMap),
``/memento/<id>/<path>`` (a memento), ``/aenderungen`` and ``/aenderungen.atom``, ``/ldes`` and
``/ldes/<k>``. The record IRI is its own TimeGate: a request with ``Accept-Datetime`` is redirected
before the record view runs (:func:`_timegate`), and every record answer carries the Memento links.
"""
from __future__ import annotations

import hashlib
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, redirect, render_template, request

from graph.errors import Gone, NotFound
from graph.formats import DATASET_FORMATS, HTML, by_name, negotiate, ox_triples, serialize_triples
from graph.iris import Iris
from graph.labels import fetch_labels
from graph.pipeline.versions import Version, VersionLog, version_log
from graph.publish import history, ldes
from web.capacity import page_store
from web.context import settings, store
from web.i18n import lang
from web.linked import PUBLISHING_PREFIXES, alternates, link_header, page_format, root_url

bp = Blueprint("history", __name__)
RECORD_VIEW = "resources.resource"
IMMUTABLE = "public, max-age=31536000, immutable"
FRESH = "public, max-age=60"


def log() -> VersionLog:
    return version_log(settings(), store())


def _graph(subpath: str) -> str:
    return str(Iris(settings().base_iri).record_graph(settings().base_iri + subpath))


def _versions(subpath: str) -> list[Version]:
    found = log().versions(_graph(subpath))
    if not found:
        raise NotFound(f"Zu {settings().base_iri + subpath} sind keine Fassungen verzeichnet / no versions are "
                       "recorded for it")
    return found


def original_url(subpath: str) -> str:
    return root_url() + subpath


def timemap_url(subpath: str) -> str:
    return root_url() + "timemap/" + subpath


def memento_url(version: Version) -> str:
    return f"{root_url()}memento/{version.id}/{version.record[len(settings().base_iri):]}"


def memento_links(subpath: str, versions: list[Version], version: Version | None = None) -> str:
    """The Memento ``Link`` header (RFC 7089 §2.2): original, TimeGate (the original itself), TimeMap, and
    the first and last mementos (and this one, for a memento)."""
    links = [f'<{original_url(subpath)}>; rel="original timegate"',
             f'<{timemap_url(subpath)}>; rel="timemap"; type="{history.LINK_FORMAT}"']
    first, last = versions[0], versions[-1]
    for v, rel in ((first, "first memento"), (last, "last memento")):
        if version is not None and v.id == version.id:
            continue
        links.append(f'<{memento_url(v)}>; rel="{rel}"; datetime="{history.http_date(v.at)}"')
    if version is not None:
        rel = " ".join(r for r, hit in (("first", version.id == first.id), ("last", version.id == last.id)) if hit)
        links.append(f'<{memento_url(version)}>; rel="{(rel + " ") if rel else ""}memento"; '
                     f'datetime="{history.http_date(version.at)}"')
    return ", ".join(links)


# ---- Memento: the record IRI as its own TimeGate ------------------------------------------------------------
@bp.before_app_request
def _timegate():
    if request.endpoint != RECORD_VIEW or "Accept-Datetime" not in request.headers:
        return None
    subpath = (request.view_args or {}).get("subpath", "")
    wanted = history.parse_accept_datetime(request.headers["Accept-Datetime"])
    versions = log().versions(_graph(subpath))
    if not versions:
        return None  # nothing kept of it (not a record): the current answer, without Memento
    chosen = history.choose(versions, wanted)
    response = redirect(memento_url(chosen) + (f"?{request.query_string.decode()}" if request.query_string else ""),
                        code=302)
    response.headers["Link"] = memento_links(subpath, versions)
    response.vary.add("Accept-Datetime")
    return response


@bp.after_app_request
def _original_links(response: Response) -> Response:
    if request.endpoint != RECORD_VIEW or response.status_code != 200:
        return response
    subpath = (request.view_args or {}).get("subpath", "")
    versions = log().versions(_graph(subpath))
    if versions:
        own = response.headers.get("Link")
        response.headers["Link"] = ", ".join(x for x in (own, memento_links(subpath, versions)) if x)
        response.vary.add("Accept-Datetime")
    return response


@bp.get("/timemap/<path:subpath>")
def timemap(subpath: str):
    versions = _versions(subpath)
    body = history.timemap(original_url(subpath), original_url(subpath), timemap_url(subpath),
                           [(memento_url(v), v) for v in versions])
    return Response(body, content_type=f"{history.LINK_FORMAT}; charset=utf-8")


@bp.get("/memento/<int:vid>/<path:subpath>")
def memento(vid: int, subpath: str):
    """One version of the record as it was: every RDF format and HTML, with ``Memento-Datetime``."""
    versions = _versions(subpath)
    version = next((v for v in versions if v.id == vid), None)
    if version is None:
        raise NotFound(f"Keine Fassung {vid} von {settings().base_iri + subpath} / no such version")
    headers = {"Memento-Datetime": history.http_date(version.at), "Link": memento_links(subpath, versions, version)}
    if version.deleted:
        gone = Gone(f"In dieser Fassung ({history.http_date(version.at)}) war der Datensatz gelöscht / in this "
                    "version the record was deleted")
        gone.headers = headers  # the error funnel sends them with the problem
        raise gone
    fmt = page_format()
    content = log().content(vid)
    links = alternates(request.base_url)
    if fmt is HTML:
        response = Response(_memento_page(subpath, version, versions, content, links), mimetype="text/html")
    else:
        ordered = sorted(ox_triples(content), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        response = Response(serialize_triples(ordered, fmt, PUBLISHING_PREFIXES), content_type=fmt.content_type)
    response.headers.update(headers)
    response.headers["Link"] += ", " + link_header(links)
    response.vary.add("Accept")
    response.cache_control.public = True
    response.cache_control.max_age = 86400  # a memento never changes
    return response


def _memento_page(subpath: str, version: Version, versions: list[Version], content, links) -> str:
    labels = fetch_labels(page_store(), {str(t) for triple in content for t in triple if not hasattr(t, "language")
                                         and str(t).startswith(("http://", "https://"))}, lang())
    rows = sorted(((labels.get(str(s), str(s)), labels.get(str(p), str(p)), str(o), labels.get(str(o), str(o)),
                    str(o).startswith(("http://", "https://")) and not hasattr(o, "language"))
                   for s, p, o in content), key=lambda r: (r[0], r[1], r[3]))
    return render_template("memento.html", subpath=subpath, v=version, versions=versions, rows=rows, links=links,
                           record=settings().base_iri + subpath, label=labels.get(settings().base_iri + subpath),
                           when=history.http_date(version.at), h=history, lang=lang())


@bp.app_template_global()
def history_href(iri: str) -> str | None:
    """The history page of a record IRI, if versions of it are kept (for the record page's link)."""
    base = settings().base_iri
    if not iri or not iri.startswith(base) or not log().versions(_graph(iri[len(base):])):
        return None
    return f"{request.script_root}/verlauf/{iri[len(base):]}"


# ---- history for people ------------------------------------------------------------------------------------
@bp.get("/verlauf/<path:subpath>")
def record_history(subpath: str):
    versions = _versions(subpath)
    record = settings().base_iri + subpath
    by_id = {v.id: v for v in versions}
    sentences, pair = None, None
    if request.args.get("von") or request.args.get("zu"):
        try:
            old_id = int(request.args.get("von") or 0)
            new_id = int(request.args.get("zu") or versions[-1].id)
        except ValueError:
            abort(400)
        if (old_id and old_id not in by_id) or new_id not in by_id:
            raise NotFound("Keine solche Fassung dieses Datensatzes / no such version of this record")
        if old_id > new_id:
            old_id, new_id = new_id, old_id
        old = log().content(old_id) if old_id else _previous(versions, new_id)
        old_v = by_id.get(old_id)
        sentences = history.diff_sentences(page_store(), record, old, log().content(new_id), lang(),
                                           old_deleted=bool(old_v and old_v.deleted),
                                           new_deleted=by_id[new_id].deleted)
        pair = (old_v, by_id[new_id])
    label = fetch_labels(page_store(), [record], lang()).get(record)
    return render_template("history.html", subpath=subpath, record=record, label=label,
                           versions=list(reversed(versions)), sentences=sentences, pair=pair, h=history,
                           memento_url=memento_url, lang=lang())


def _previous(versions: list[Version], vid: int):
    ids = [v.id for v in versions]
    at = ids.index(vid)
    return log().content(ids[at - 1]) if at else log().content(0)


@bp.get("/aenderungen")
def changes():
    kind, source = request.args.get("art") or None, request.args.get("quelle") or None
    entries = _entries(kind, source, 100)
    kinds, sources = log().facets()
    feed = "/aenderungen.atom" + (f"?{urlencode({k: v for k, v in (('art', kind), ('quelle', source)) if v})}"
                                  if kind or source else "")
    return render_template("changes.html", entries=entries, kinds=kinds, sources=sources, kind=kind, source=source,
                           feed=feed, h=history, lang=lang())


def _entries(kind: str | None, source: str | None, limit: int) -> list[dict]:
    versions = log().latest(limit, kind=kind, source=source)
    labels = fetch_labels(page_store(), {v.record for v in versions}, lang())
    out = []
    for v in versions:
        path = v.record[len(settings().base_iri):]
        out.append({"v": v, "label": labels.get(v.record, v.record), "path": path,
                    "diff": f"/verlauf/{path}?zu={v.id}", "record": "/" + path})
    return out


@bp.get("/aenderungen.atom")
def changes_atom():
    kind, source = request.args.get("art") or None, request.args.get("quelle") or None
    entries = []
    for e in _entries(kind, source, 50):
        v = e["v"]
        what = ("gelöscht" if v.deleted else "geändert") if lang() == "de" else ("deleted" if v.deleted else "changed")
        summary = (f"{history.method_name(v.method)} · {history.source_name(v.source)}"
                   f"{f' · Revision {v.revision}' if v.revision else ''} · +{v.added} −{v.removed}")
        entries.append(history.Entry(id=memento_url(v), title=f"{e['label']} {what}", link=root_url() + e["diff"][1:],
                                     updated=v.at, summary=summary))
    body = history.atom(root_url() + "aenderungen", "stadtgraph Oberhausen – Was hat sich geändert?", request.url,
                        root_url() + "aenderungen", entries, log().modified())
    return Response(body, content_type=f"{history.ATOM}; charset=utf-8")


# ---- the LDES change feed ------------------------------------------------------------------------------------
def stream_url() -> str:
    return root_url() + "ldes"


def page_url(k: int) -> str:
    return f"{root_url()}ldes/{k}"


def _dataset_response(quads, cache: str) -> Response:
    fmt = negotiate(request.accept_mimetypes, DATASET_FORMATS, request.args.get("format"), default=by_name("trig"))
    kwargs = {"prefixes": {**PUBLISHING_PREFIXES, **ldes.PREFIXES}} if fmt.name == "trig" else {}
    body = ox.serialize(quads, format=fmt.rdf, **kwargs)
    response = Response(body, content_type=fmt.content_type)
    response.headers["Cache-Control"] = cache
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.vary.add("Accept")
    return response.make_conditional(request)


@bp.get("/ldes")
def ldes_stream():
    quads = ldes.stream_description(stream_url(), page_url(0), settings().history_retention_days)
    return _dataset_response(quads, FRESH)


@bp.get("/ldes/<int:k>")
def ldes_page(k: int):
    found = ldes.fragment(log(), k, size=settings().ldes_page_size, stream=stream_url(), page_url=page_url,
                          member_url=memento_url)
    if found is None:
        raise NotFound(f"Kein Fragment {k} des Änderungsstroms / no such fragment of the change feed")
    return _dataset_response(found.quads, IMMUTABLE if found.immutable else FRESH)
