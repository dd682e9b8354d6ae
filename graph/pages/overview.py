"""What the graph holds, in numbers: records per class, sources, the last build."""
from __future__ import annotations

from graph.namespaces import sparql_prologue
from graph.store import Store

# A UNION, not FILTER(EXISTS …): over the asserted graphs (a list of named graphs) the filter took 3 s
# for the 6,000 quads of the shipped data, the UNION 0.05 s, with the same counts.
_COUNTS = sparql_prologue() + """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  VALUES ?class { ob:Konzept ob:Themenfeld ob:Leitziel ob:Organisationseinheit ob:Raum ob:Vorlage
                  ob:Indikator ob:Expertendialog ob:Glossarbegriff }
  { ?s a ?class } UNION { ?c rdfs:subClassOf ?class . ?s a ?c }
} GROUP BY ?class
"""

_LAST_BUILD = sparql_prologue() + """
SELECT ?time WHERE { ?build a ob:Build ; prov:endedAtTime ?time } ORDER BY DESC(?time) LIMIT 1
"""


def summary(store: Store) -> dict:
    """Counts per record class, number of named graphs and quads, time of the last build."""
    counts = {}
    for row in store.query(_COUNTS, dataset="asserted"):
        counts[row["class"].value.rsplit("#", 1)[-1]] = int(row["n"].value)
    last = [row["time"].value for row in store.query(_LAST_BUILD)]
    return {
        "classes": counts,
        "graphs": len(store.named_graphs()),
        "quads": store.count(),
        "last_build": last[0] if last else None,
    }
