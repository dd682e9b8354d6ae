"""Shared data of the Graph Store tests: a token, a good concept sharing a Themenfeld with the
Einzelhandelskonzept, and a Vorlage with a malformed Drucksache (letter O for zero)."""
from __future__ import annotations

from graph.pipeline.tokens import digest

TOKEN = "steward-token-for-tests"
OTHER_TOKEN = "second-token-for-tests"
TOKENS = {"stadtplanung": digest(TOKEN), "sozialplanung": digest(OTHER_TOKEN)}
TOKENS_ENV = ",".join(f"{k}={v}" for k, v in TOKENS.items())
AUTH = {"Authorization": f"Bearer {TOKEN}"}

BASE = "https://daten.oberhausen.de/stadtgraph/"
OB = BASE + "ontology#"
INFERRED = BASE + "graph/abgeleitet"
NEW_CONCEPT = BASE + "konzept/nahversorgungskonzept"
NEW_GRAPH = BASE + "graph/konzept/nahversorgungskonzept"
NEIGHBOUR = BASE + "konzept/einzelhandelskonzept"
GOOD_CONCEPT = f"""@prefix ob: <{OB}> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{NEW_CONCEPT}> a ob:Konzept ; rdfs:label "Nahversorgungskonzept"@de ; dcterms:title "Nahversorgungskonzept"@de ;
  ob:themenfeld <{BASE}themenfeld/stadtstruktur-stadtgestalt> ;
  ob:zustaendigeEinheit <{BASE}organisation/fachbereich-5-1-10> .
"""
SYNERGY_ASK = (f"ASK {{ GRAPH <{INFERRED}> {{ <{NEW_CONCEPT}> <{OB}teiltThemenfeldMit> <{NEIGHBOUR}> . "
               f"<{NEIGHBOUR}> <{OB}teiltThemenfeldMit> <{NEW_CONCEPT}> }} }}")

VORLAGE = BASE + "vorlage/b-14-3293-01"
VORLAGE_GRAPH = BASE + "graph/vorlage/b-14-3293-01"
MALFORMED_VORLAGE = f"""@prefix ob: <{OB}> . @prefix dcterms: <http://purl.org/dc/terms/> .
<{VORLAGE}> a ob:Vorlage ; dcterms:title "Einzelhandelskonzept"@de ; ob:drucksache "B/16/55O5-01" .
"""
