"""Linked-data responses: one negotiation for every page that is also RDF (HTML for browsers, Turtle,
JSON-LD, N-Triples, RDF/XML by ``Accept`` or ``?format=``), with ``Vary: Accept`` and alternate links.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import quote

import pyoxigraph as ox
from flask import Flask, Response, request

from graph.formats import HTML, PAGE_FORMATS, Format, by_name, negotiate, serialize_triples
from graph.namespaces import DCATDE, HYDRA, PREFIXES, VCARD
from graph.pages.describe import local_path
from web.context import settings

SAFE_SCHEMES = ("http://", "https://", "mailto:")
PUBLISHING_PREFIXES = {**PREFIXES, "dcatde": str(DCATDE), "hydra": str(HYDRA), "vcard": str(VCARD)}


def root_url() -> str:
    """The service's own address with a trailing slash: the configured public URL, else the request's."""
    public = settings().public_url
    return (public.rstrip("/") + "/") if public else request.url_root


def own_url(path: str | None = None) -> str:
    """The absolute URL of a path of this service (default: the current one, without query)."""
    path = request.path if path is None else path
    return root_url() + quote(path.lstrip("/"), safe="/#?=&%:@+,;~")


def href(iri: str | None) -> str | None:
    """Where a link to ``iri`` points: our own IRIs to this service (whatever the base), other http(s)
    IRIs to themselves; anything else (``javascript:``, ``urn:``) is no link at all."""
    if not iri:
        return None
    path = local_path(iri, settings().base_iri)
    if path is not None:
        from web.i18n import with_lang

        return with_lang(request.script_root + "/" + quote(path, safe="/#?=&%:@+,;~"))
    return iri if iri.lower().startswith(SAFE_SCHEMES) else None


def page_format() -> Format:
    """The negotiated answer for a page: ``*/*`` (a machine without preference) gets Turtle.

    :raises NotAcceptable: for an ``Accept`` or ``format`` nothing matches.
    """
    return negotiate(request.accept_mimetypes, PAGE_FORMATS, request.args.get("format"), default=by_name("turtle"))


def alternates(url: str | None = None) -> list[tuple[Format, str]]:
    url = url or own_url()
    sep = "&" if "?" in url else "?"
    return [(fmt, f"{url}{sep}format={fmt.name}") for fmt in PAGE_FORMATS]


def link_header(links: Iterable[tuple[Format, str]]) -> str:
    return ", ".join(f'<{url}>; rel="alternate"; type="{fmt.media_type}"' for fmt, url in links)


def linked_response(triples: Callable[[], Iterable[ox.Triple]], html: Callable[[list], str],
                    *, url: str | None = None, fmt: Format | None = None) -> Response:
    """Answer with the page or its RDF, whichever was asked for; both carry the alternate links."""
    fmt = fmt or page_format()
    links = alternates(url)
    if fmt is HTML:
        response = Response(html(links), mimetype="text/html")
    else:
        # Sorted, so that a subject's statements stand together in Turtle and the output is stable.
        ordered = sorted(set(triples()), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        response = Response(serialize_triples(ordered, fmt, PUBLISHING_PREFIXES), content_type=fmt.content_type)
    response.headers["Link"] = link_header(links)
    response.vary.add("Accept")
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(href=href, own_url=own_url)
    app.jinja_env.filters["percent"] = lambda v: f"{round(100 * float(v))} %"
