"""The synergy picture: concepts as a network, joined by their explicit and derived synergies, filtered
by Themenfeld and Sozialraum and laid out on a circle (deterministic, so the picture is stable).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.inference.explain import RULES as SYNERGY_RULES
from graph.labels import fetch_labels, pick
from graph.namespaces import sparql_prologue
from graph.store import Store

# Rules by the short names the filter form uses.
RULE_KEYS: dict[str, str] = {name: str(relation) for name, relation in SYNERGY_RULES.items()}
# Sharing a place links nearly everything to every city-wide concept: off unless asked for.
DEFAULT_RULES: tuple[str, ...] = ("explizit", "leitziel", "themenfeld")
PALETTE: tuple[str, ...] = ("#00549f", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#0b7285", "#e67700",
                            "#5c940d", "#a61e4d", "#364fc7")
WIDTH, HEIGHT = 1040, 1040
LABEL_ROOM = 250  # room outside the circle for labels of up to LABEL_CHARS characters
LABEL_CHARS = 36

_CONCEPTS = sparql_prologue() + """
SELECT ?k ?tf WHERE { ?k a ob:Konzept . FILTER(isIRI(?k)) OPTIONAL { ?k ob:themenfeld ?tf FILTER(isIRI(?tf)) } }"""

_THEMENFELDER = sparql_prologue() + "SELECT DISTINCT ?t WHERE { ?t a ob:Themenfeld FILTER(isIRI(?t)) }"
_SOZIALRAEUME = sparql_prologue() + "SELECT DISTINCT ?s WHERE { ?s a ob:Sozialraum FILTER(isIRI(?s)) }"

# A concept touches a Sozialraum when its scope is the Sozialraum, lies in it, or contains it (a
# city-wide concept touches every Sozialraum); ob:betrifftRaum is the inference's name for the same.
_TOUCHES = sparql_prologue() + """
SELECT DISTINCT ?k ?sr WHERE {
  ?k a ob:Konzept . ?sr a ob:Sozialraum .
  { ?k ob:betrifftRaum ?sr } UNION { ?k ob:geltungsbereich ?sr }
  UNION { ?k ob:geltungsbereich ?g . ?g ob:liegtIn+ ?sr }
  UNION { ?k ob:geltungsbereich ?g . ?sr ob:liegtIn+ ?g }
}"""

_RELATIONS = sparql_prologue() + """
SELECT DISTINCT ?a ?rule ?b WHERE {
  VALUES ?rule { ob:synergieMit ob:teiltLeitzielMit ob:teiltThemenfeldMit ob:teiltRaumMit }
  ?a ?rule ?b . ?a a ob:Konzept . ?b a ob:Konzept . FILTER(?a != ?b)
}"""

_EXPLANATIONS = sparql_prologue() + """
SELECT ?x ?y ?rule ?strength ?comment WHERE {
  ?n ob:zwischen ?x , ?y ; ob:regel ?rule . FILTER(STR(?x) < STR(?y))
  OPTIONAL { ?n ob:staerke ?strength }
  OPTIONAL { ?n rdfs:comment ?comment }
}"""


@dataclass
class Node:
    iri: str
    label: str
    themenfelder: list[str] = field(default_factory=list)
    sozialraeume: set[str] = field(default_factory=set)
    x: float = 0.0
    y: float = 0.0
    lx: float = 0.0  # where the label starts, outside the circle
    ly: float = 0.0
    anchor: str = "start"
    rotate: float = 0.0  # degrees the label is turned about its start
    color: str = "#868e96"

    @property
    def short(self) -> str:
        if len(self.label) <= LABEL_CHARS:
            return self.label
        # Cut in the middle: "Integriertes Hand… (IHK) Osterfeld" keeps what tells concepts apart.
        head = LABEL_CHARS // 2 - 1
        return self.label[:head].rstrip() + "…" + self.label[-(LABEL_CHARS - head - 1):].lstrip()


@dataclass
class Edge:
    a: str
    b: str
    rules: dict[str, float | None] = field(default_factory=dict)  # rule key -> strength
    reasons: list[str] = field(default_factory=list)
    x1: float = 0.0
    y1: float = 0.0
    x2: float = 0.0
    y2: float = 0.0

    @property
    def explicit(self) -> bool:
        return "explizit" in self.rules

    @property
    def strength(self) -> float:
        if self.explicit:
            return 1.0
        values = [s for s in self.rules.values() if s is not None]
        return max(values) if values else 0.5

    @property
    def kind(self) -> str:
        """The rule that draws the edge: explicit wins, else the strongest-meaning derived rule."""
        for key in RULE_KEYS:
            if key in self.rules:
                return key
        return "raum"


@dataclass
class Network:
    nodes: list[Node]
    edges: list[Edge]
    themenfelder: list[tuple[str, str, str]]  # (IRI, name, colour)
    sozialraeume: list[tuple[str, str]]
    themenfeld: str | None
    sozialraum: str | None
    rules: tuple[str, ...]
    width: int = WIDTH
    height: int = HEIGHT

    def label(self, iri: str) -> str:
        return next((n.label for n in self.nodes if n.iri == iri), iri)


def network(store: Store, *, themenfeld: str | None = None, sozialraum: str | None = None,
            rules: tuple[str, ...] = DEFAULT_RULES, lang: str = "de") -> Network:
    """The concepts (those in ``themenfeld`` and touching ``sozialraum``, when given) and the synergies
    among them by ``rules`` (keys of :data:`RULE_KEYS`), laid out for drawing."""
    rules = tuple(r for r in RULE_KEYS if r in rules)
    nodes: dict[str, Node] = {}
    for row in store.query(_CONCEPTS):
        node = nodes.setdefault(row["k"].value, Node(row["k"].value, ""))
        if row["tf"] is not None and row["tf"].value not in node.themenfelder:
            node.themenfelder.append(row["tf"].value)
    for row in store.query(_TOUCHES):
        if row["k"].value in nodes:
            nodes[row["k"].value].sozialraeume.add(row["sr"].value)
    tf_iris = sorted({row["t"].value for row in store.query(_THEMENFELDER)})
    sr_iris = sorted({row["s"].value for row in store.query(_SOZIALRAEUME)})
    names = fetch_labels(store, set(nodes) | set(tf_iris) | set(sr_iris), lang)
    themen = sorted(((i, names[i]) for i in tf_iris), key=lambda t: t[1].lower())
    colors = {iri: PALETTE[n % len(PALETTE)] for n, (iri, _) in enumerate(themen)}
    for node in nodes.values():
        node.label = names.get(node.iri, node.iri)
        node.themenfelder.sort(key=lambda t: names.get(t, t).lower())
        if node.themenfelder:
            node.color = colors.get(node.themenfelder[0], node.color)
    kept = {iri: n for iri, n in nodes.items()
            if (not themenfeld or themenfeld in n.themenfelder) and (not sozialraum or sozialraum in n.sozialraeume)}
    edges = _edges(store, kept, rules, lang)
    ordered = sorted(kept.values(), key=lambda n: (names.get(n.themenfelder[0], "~").lower() if n.themenfelder
                                                     else "~", n.label.lower()))
    _layout(ordered, edges)
    return Network(
        nodes=ordered, edges=sorted(edges, key=lambda e: (not e.explicit, -e.strength)),
        themenfelder=[(i, n, colors[i]) for i, n in themen],
        sozialraeume=sorted(((i, names[i]) for i in sr_iris), key=lambda s: s[1].lower()),
        themenfeld=themenfeld, sozialraum=sozialraum, rules=rules,
    )


def _edges(store: Store, kept: dict[str, Node], rules: tuple[str, ...], lang: str) -> list[Edge]:
    key_of = {iri: key for key, iri in RULE_KEYS.items() if key in rules}
    edges: dict[tuple[str, str], Edge] = {}

    def edge(a: str, b: str) -> Edge | None:
        if a not in kept or b not in kept or a == b:
            return None
        pair = (a, b) if a < b else (b, a)
        return edges.setdefault(pair, Edge(*pair))

    for row in store.query(_RELATIONS):
        rule = key_of.get(row["rule"].value)
        e = edge(row["a"].value, row["b"].value) if rule else None
        if e is not None:
            e.rules.setdefault(rule, None)
    comments: dict[tuple[str, str, str], list[tuple[str, str | None]]] = {}
    for row in store.query(_EXPLANATIONS):
        rule = key_of.get(row["rule"].value)
        e = edge(row["x"].value, row["y"].value) if rule else None
        if e is None:
            continue
        strength = None
        if row["strength"] is not None:
            try:
                strength = float(row["strength"].value)
            except ValueError:
                strength = None
        e.rules[rule] = strength if strength is not None else e.rules.get(rule)
        if isinstance(row["comment"], ox.Literal):
            comments.setdefault((e.a, e.b, rule), []).append((row["comment"].value, row["comment"].language))
    for (a, b, _rule), texts in sorted(comments.items()):
        text = pick(texts, lang)
        if text and text not in edges[(a, b)].reasons:
            edges[(a, b)].reasons.append(text)
    return list(edges.values())


def _layout(nodes: list[Node], edges: list[Edge]) -> None:
    """Nodes evenly on a circle, grouped by their first Themenfeld; each label runs outward along its
    radius (turned upright on the left half), so neighbouring labels never overlap."""
    cx, cy = WIDTH / 2, HEIGHT / 2
    radius = min(WIDTH, HEIGHT) / 2 - LABEL_ROOM
    where: dict[str, Node] = {}
    count = max(len(nodes), 1)
    for n, node in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * n / count
        node.x, node.y = round(cx + radius * math.cos(angle), 1), round(cy + radius * math.sin(angle), 1)
        node.lx = round(cx + (radius + 14) * math.cos(angle), 1)
        node.ly = round(cy + (radius + 14) * math.sin(angle), 1)
        degrees = math.degrees(angle)
        if math.cos(angle) >= -1e-9:
            node.anchor, node.rotate = "start", round(degrees, 1)
        else:
            node.anchor, node.rotate = "end", round(degrees + 180, 1)
        where[node.iri] = node
    for e in edges:
        e.x1, e.y1, e.x2, e.y2 = where[e.a].x, where[e.a].y, where[e.b].x, where[e.b].y
