"""The OpenAPI 3 description of the query API: ``/sparql`` and one path per curated query.

Generated from the curated-query catalog, so the description and the routes cannot drift apart.
https://spec.openapis.org/oas/v3.1.0
"""
from __future__ import annotations

from typing import Any

from graph.formats import RDF_FORMATS, RESULT_FORMATS
from graph.query.curated import PARAM_TYPES, CuratedQuery

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _content(graph: bool) -> dict[str, Any]:
    formats = RDF_FORMATS if graph else RESULT_FORMATS
    return {f.media_type: {"schema": {"type": "string" if f.name not in ("json",) else "object"}} for f in formats}


def _errors() -> dict[str, Any]:
    return {
        "400": {"description": "Fehlerhafte Anfrage / bad request", "content": _PROBLEM},
        "406": {"description": "Kein passendes Format / not acceptable", "content": _PROBLEM},
        "503": {"description": "Zeitlimit überschritten oder ausgelastet / time limit exceeded or busy",
                "content": _PROBLEM},
    }


def _format_param(graph: bool) -> dict[str, Any]:
    names = [f.name for f in (RDF_FORMATS if graph else RESULT_FORMATS)]
    return {"name": "format", "in": "query", "required": False,
            "description": "Antwortformat statt Accept / answer format instead of Accept",
            "schema": {"type": "string", "enum": names}}


def _success(graph: bool) -> dict[str, Any]:
    return {"description": "Ergebnis (ggf. gekürzt, dann mit X-Result-Truncated) / result (if cut, with "
                           "X-Result-Truncated)",
            "headers": {"X-Result-Truncated": {"schema": {"type": "string"},
                                               "description": "true, wenn das Zeilenlimit griff / if cut"},
                        "X-Result-Rows": {"schema": {"type": "integer"}}},
            "content": _content(graph)}


def curated_operation(query: CuratedQuery) -> dict[str, Any]:
    params = []
    for p in query.params:
        schema = dict(PARAM_TYPES[p.type][1])
        if p.example is not None:
            schema["example"] = p.example
        params.append({"name": p.name, "in": "query", "required": p.required,
                       "description": f"{p.description_de} / {p.description_en}".strip(" /"), "schema": schema})
    params.append(_format_param(query.returns_graph))
    return {
        "operationId": query.name,
        "summary": f"{query.title_de} / {query.title_en}",
        "description": f"{query.description_de}\n\n{query.description_en}",
        "tags": ["Kuratierte Anfragen / curated queries"],
        "parameters": params,
        "responses": {"200": _success(query.returns_graph), **_errors()},
    }


def search_operation() -> dict[str, Any]:
    """The full-text search (:mod:`graph.search`) as JSON."""
    def param(name: str, description: str, schema: dict, many: bool = False) -> dict[str, Any]:
        out = {"name": name, "in": "query", "required": False, "description": description,
               "schema": {"type": "array", "items": schema} if many else schema}
        return {**out, "explode": True} if many else out

    text = {"type": "string"}
    facet = "Facette {}: nur Treffer mit diesem Wert (wiederholbar, alle müssen gelten) / only results with this value"
    hit = {"type": "object", "properties": {
        "iri": text, "title": text, "kind": text, "score": {"type": "number"}, "snippet": text,
        "snippet_html": {"type": "string", "description": "Treffer in <mark> / matched words in <mark>"},
        "title_html": text}}
    counts = {"type": "array", "items": {"type": "object", "properties": {"value": text,
                                                                          "count": {"type": "integer"}}}}
    return {
        "operationId": "search",
        "summary": "Volltextsuche (Deutsch) über alle Einträge / full-text search (German) over every record",
        "description": 'Alle Wörter müssen vorkommen; "…" Wortgruppe, -Wort schließt aus, OR/ODER verbindet. '
                       "Groß-/Kleinschreibung, Umlaute (ue = ü), ß = ss, Wortformen und Wortteile von "
                       "Zusammensetzungen werden gefunden, eine Drucksachennummer wie geschrieben oder ohne "
                       "Schrägstriche. Rangfolge BM25, Titel stärker gewichtet. Findet die Suche nichts und liegt "
                       "ein bekanntes Wort eine Änderung entfernt, kommen dessen Treffer (corrected). / All words "
                       "must occur; see the German text for the syntax.",
        "tags": ["Suche / search"],
        "parameters": [
            param("q", "Suchtext (höchstens 200 Zeichen, 12 Begriffe) / search text", {**text, "maxLength": 200,
                                                                                        "example": "Quartiere"}),
            *[param(name, facet.format(name), text, many=True)
              for name in ("art", "themenfeld", "sozialraum", "jahr", "einheit")],
            param("von", "Frühestes Jahr / earliest year", {"type": "string", "pattern": "^[0-9]{4}$"}),
            param("bis", "Spätestes Jahr / latest year", {"type": "string", "pattern": "^[0-9]{4}$"}),
            param("seite", "Seite / page", {"type": "integer", "minimum": 1, "maximum": 50}),
            param("pro_seite", "Treffer je Seite / results per page", {"type": "integer", "minimum": 1,
                                                                      "maximum": 100}),
        ],
        "responses": {"200": {"description": "Treffer / results", "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "q": text, "corrected": {"type": ["string", "null"]}, "suggestions": {"type": "array", "items": text},
                "total": {"type": "integer"}, "page": {"type": "integer"}, "page_size": {"type": "integer"},
                "pages": {"type": "integer"}, "chosen": {"type": "object"},
                "facets": {"type": "object", "additionalProperties": counts},
                "results": {"type": "array", "items": hit}}}}}},
            **_errors()},
    }


def openapi_document(catalog: dict[str, CuratedQuery], server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document for the given catalog, served from ``server_url``."""
    paths: dict[str, Any] = {}
    for name, query in sorted(catalog.items()):
        paths[f"/api/queries/{name}"] = {"get": curated_operation(query)}
    paths["/api/queries"] = {"get": {
        "operationId": "listQueries",
        "summary": "Alle kuratierten Anfragen / all curated queries",
        "responses": {"200": {"description": "Liste / list", "content": {"application/json": {"schema": {
            "type": "array", "items": {"type": "object"}}}}}}}}
    paths["/api/suche"] = {"get": search_operation()}
    sparql_params = [
        {"name": "query", "in": "query", "required": True, "schema": {"type": "string"},
         "description": "SPARQL-1.1-Anfrage / SPARQL 1.1 query"},
        {"name": "default-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
         "explode": True},
        {"name": "named-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
         "explode": True},
        {"name": "dataset", "in": "query", "schema": {"type": "string", "enum": ["all", "asserted", "inferred"]},
         "description": "Standardgraph: alles, nur erfasste, nur abgeleitete Tripel / default graph"},
    ]
    paths["/sparql"] = {
        "get": {"operationId": "sparqlQuery", "summary": "SPARQL 1.1 Protocol (GET)",
                "tags": ["SPARQL"], "parameters": sparql_params,
                "responses": {"200": _success(False), **_errors()}},
        "post": {"operationId": "sparqlQueryPost", "summary": "SPARQL 1.1 Protocol (POST)", "tags": ["SPARQL"],
                 "requestBody": {"required": True, "content": {
                     "application/sparql-query": {"schema": {"type": "string"}},
                     "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                         "query": {"type": "string"}}, "required": ["query"]}}}},
                 "responses": {"200": _success(False), **_errors()}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "stadtgraph Oberhausen – Abfrage-API / query API",
            "version": "1.0.0",
            "description": "SPARQL-Endpunkt und kuratierte Anfragen zum Wissensgraphen der Stadtentwicklungsplanung "
                           "Oberhausen. / SPARQL endpoint and curated queries over the knowledge graph of "
                           "Oberhausen's urban development planning.",
        },
        "servers": [{"url": server_url.rstrip("/") or "/"}],
        "paths": paths,
        "components": {"schemas": {"Problem": {
            "type": "object",
            "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                           "detail": {"type": "string"}, "instance": {"type": "string"}}}}},
    }
