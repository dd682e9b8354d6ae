"""Dereferenceable IRIs: every IRI minted under the base answers at its path below the base, the
ontology at ``/ontology`` and the shapes at ``/shapes``; HTML for browsers, RDF by negotiation.
"""
from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, redirect, render_template, url_for

from graph.errors import Gone, NotFound
from graph.formats import ox_triples
from graph.iris import Iris
from graph.namespaces import OB
from graph.pages import concept as concepts
from graph.pages import summary as summaries
from graph.pages.describe import Description, Resource
from graph.pipeline import council
from graph.publish import vocab_docs
from web.capacity import page_store
from web.catalog import publication
from web.context import settings
from web.i18n import lang
from web.linked import linked_response, own_url, page_format, root_url

bp = Blueprint("resources", __name__)


@bp.get("/ontology")
@bp.get("/ontology/<path:version>")
def ontology(version: str | None = None):
    """The ontology (and its version IRI): RDF by negotiation, a documentation page for people."""
    graph = vocab_docs.ontology_graph(page_store(), settings())
    if version is not None and not vocab_docs.is_version(graph, version):
        raise NotFound(f"Keine Version {version!r} der Ontologie / no such ontology version")
    return linked_response(
        lambda: ox_triples(graph),
        lambda links: render_template("ontology.html", doc=vocab_docs.ontology_doc(graph, lang()), links=links),
    )


@bp.get("/shapes")
def shapes():
    """The SHACL shapes every record is checked against, as RDF and as a readable list."""
    graph = vocab_docs.shapes_graph(settings())
    return linked_response(
        lambda: ox_triples(graph),
        lambda links: render_template("shapes.html", doc=vocab_docs.shapes_doc(graph, lang()), links=links),
    )


@bp.get("/<path:subpath>")
def resource(subpath: str):
    """Any IRI under the base: the request path is the IRI's path below the base, whatever the base."""
    iri = settings().base_iri + subpath
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise NotFound(f"Keine gültige Adresse / not a valid IRI: {subpath}") from None
    fmt = page_format()  # an unacceptable format is refused before any work is done
    res = Resource(page_store(), iri)
    deleted = council.gone(page_store(), Iris(settings().base_iri), iri)
    if deleted is not None:  # its record is gone; wiki pages may still cite it, but the paper is no more
        raise Gone(f"Die Vorlage wurde im Ratsinformationssystem gelöscht ({deleted}); {iri} ist nicht mehr im "
                   f"Graphen / the council system deleted the paper; {iri} is no longer in the graph")
    if not res.exists:
        published = publication().describe(iri, root_url())
        if published is None:
            moved = _moved_or_gone(iri)
            if moved is not None:
                return moved
            raise NotFound(f"Der Graph enthält {iri} nicht / the graph does not hold {iri}")
        return linked_response(lambda: published.triples(), lambda links: _page(published, links), fmt=fmt,
                               url=own_url())
    return linked_response(res.triples, lambda links: _page(res, links), fmt=fmt, url=own_url())


def _moved_or_gone(iri: str):
    """A harvested wiki page that moved answers 301 at its old IRI; one that was deleted, 410 Gone."""
    from graph.pipeline.harvest import moved_or_gone

    found = moved_or_gone(page_store(), Iris(settings().base_iri), iri)
    if found is None:
        return None
    kind, value = found
    if kind == "moved":
        return redirect(root_url() + value[len(settings().base_iri):], code=301)
    raise Gone(f"Die Wiki-Seite „{value}“ wurde gelöscht; {iri} ist nicht mehr im Graphen / the wiki page was "
               f"deleted; {iri} is no longer in the graph", page=value)


def _page(res: Resource, links: list) -> str:
    description = res.describe(lang())
    facts = _concept_facts(res, description) if str(OB.Konzept) in [t.iri for t in description.types] else None
    props, inverse = summaries.readable(description, lang())
    return render_template("resource.html", d=description, c=facts, links=links, quality=_quality(res),
                           s=summaries.summarize(res.store, description, lang()), props=props, inverse=inverse,
                           provenance=summaries.readable_provenance(description, lang()))


def _quality(res: Resource) -> dict | None:
    """The record's open findings (the rules over its graph now) and the refused newer revisions of its wiki
    page; None when there are none (the page then shows no section)."""
    from graph.gate import quality, reports
    from graph.pipeline.harvest import refusals_about
    from web.validation import validator

    report = quality.record_findings(settings(), res.store, res.iri, validator=validator())
    findings = []
    if report is not None:
        findings = [f for g in reports.as_json(report, lang())["records"] if g.get("iri") == res.iri
                    for f in g["findings"]]
    refused = refusals_about(res.store, settings(), res.iri)
    return {"findings": findings, "refused": refused} if findings or refused else None


def _concept_facts(res: Resource, d: Description) -> dict:
    """The concept's page header: the properties a planner looks for first, then resolutions and synergies."""
    scope = d.values(str(OB.geltungsbereich))
    scope_iris = {v.iri for v in scope}
    synergies = concepts.synergies(res.store, res.iri, lang())
    themen = [v.iri for v in d.values(str(OB.themenfeld)) if v.iri and v.iri.startswith(settings().base_iri)]
    picture = url_for("home.synergies", themenfeld=themen[0][len(settings().base_iri):] if themen else None)
    return {
        "picture": picture,
        "themenfelder": d.values(str(OB.themenfeld)),
        "leitziele": d.values(str(OB.leitziel)),
        "scope": scope,
        "touches": [v for v in d.values(str(OB.betrifftRaum)) if v.iri not in scope_iris],
        "units": d.values(str(OB.zustaendigeEinheit)),
        "years": d.values(str(OB.veroeffentlichungsjahr)),
        "vorlagen": concepts.vorlagen(res.store, res.iri, lang()),
        "explicit": [s for s in synergies if s.explicit],
        "derived": [s for s in synergies if not s.explicit],
    }
