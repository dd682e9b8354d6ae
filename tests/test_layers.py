"""The floor plan, guarded: the project's imports read from the sources with ``ast`` (function-local and
``TYPE_CHECKING`` imports included) must form no cycle and point only down the pipeline's layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("graph", "web", "serving", "server", "cli")

#: Lowest first. A module may import its own layer or a lower one; the first matching prefix decides.
LAYERS: list[tuple[str, ...]] = [
    ("graph.errors", "graph.namespaces", "graph.resources"),
    ("graph.settings", "graph.iris", "graph.records", "graph.nesting", "graph.querytext", "graph.rdfparse", "graph.ops.logs",
     "graph.ops.metrics"),
    ("graph.store", "graph.sources", "graph.loaders", "graph.ontology", "graph.formats", "graph.labels"),
    ("graph.gate", "graph.inference", "graph.ops", "graph.search"),
    ("graph.pipeline", "graph.query"),
    ("graph.pages", "graph.publish"),
    ("web",),
    ("server",),
    ("serving",),
    ("cli",),
]
#: What a reader of sources never needs: a source knows nothing of where its records go.
ABOVE_SOURCES = ("graph.store", "graph.gate", "graph.inference", "graph.query", "graph.pages", "graph.publish",
                 "graph.pipeline")
NOT_IN_LIBRARY = ("flask", "gunicorn", "web", "server", "serving", "cli")
#: Werkzeug's Accept parsing is the one piece of an HTTP library the endpoint's pure negotiation uses (STYLE §4).
WERKZEUG_ALLOWED = {"graph.formats", "graph.query.protocol"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_sources() -> dict[str, str]:
    files = [ROOT / "server.py", ROOT / "cli.py"]
    for package in ("graph", "web", "serving"):
        files.extend(sorted((ROOT / package).rglob("*.py")))
    return {module_name(f): f.read_text(encoding="utf-8") for f in files}


def _is_project(name: str) -> bool:
    return name.split(".")[0] in PROJECT


def imports(module: str, source: str, modules: set[str]) -> list[tuple[str, list[str], int]]:
    """Every import in ``source``, anywhere in the file: (imported module, names taken, line)."""
    found = []
    is_package = any(m.startswith(module + ".") for m in modules)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((alias.name, [], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                target = f"{base}.{alias.name}"
                if target in modules:
                    found.append((target, [], node.lineno))
                else:
                    found.append((base, [alias.name], node.lineno))
    return found


def layer_of(module: str) -> int | None:
    if module == "graph":  # the library's face: a docstring
        return 0
    for index, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    return None


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def violations(sources: dict[str, str]) -> list[str]:
    """Every broken rule of the floor plan, as a sentence naming module and line."""
    modules = set(sources)
    edges: dict[str, set[str]] = {m: set() for m in modules}
    problems = []
    for module, source in sources.items():
        for target, names, line in imports(module, source, modules):
            where = f"{module}:{line}"
            top = target.split(".")[0]
            if module.startswith("graph"):
                if top in NOT_IN_LIBRARY:
                    problems.append(f"{where} imports {target}: graph/ is a library without HTTP or server code")
                if top == "werkzeug" and module not in WERKZEUG_ALLOWED:
                    problems.append(f"{where} imports {target}: only {sorted(WERKZEUG_ALLOWED)} may use werkzeug")
            if not _is_project(target):
                continue
            if target not in modules:  # a name imported from a package face
                target = next((m for m in sorted(modules, key=len, reverse=True) if target.startswith(m)), target)
            if target == module:
                continue
            edges[module].add(target)
            if _within(module, ("graph.sources", "graph.loaders")) and _within(target, ABOVE_SOURCES):
                problems.append(f"{where} imports {target}: sources never know the store, gate or anything above")
            if module.startswith("web") and _within(target, ("graph.sources", "graph.loaders", "graph.pipeline.build")):
                problems.append(f"{where} imports {target}: views never reach back into a loader or the build")
            low, high = layer_of(target), layer_of(module)
            if low is None or high is None:
                problems.append(f"{where}: {module if high is None else target} has no layer in LAYERS")
            elif low > high:
                problems.append(f"{where} imports {target}: a lower layer ({LAYERS[high][0]}…) imports a higher "
                                f"one ({LAYERS[low][0]}…)")
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                problems.append(f"{where} imports private {', '.join(private)} from {target}")
    problems.extend(f"import cycle: {' → '.join(cycle)}" for cycle in cycles(edges))
    return problems


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component) + [sorted(component)[0]])

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_floor_plan_holds():
    assert violations(project_sources()) == []


def test_every_module_has_a_layer():
    assert [m for m in project_sources() if layer_of(m) is None] == []


# ---- the test of the test: each forbidden import is caught, with a message naming it -----------------------
GROUND = {"graph.errors": "", "graph.settings": "from graph.errors import StadtgraphError\n"}


@pytest.mark.parametrize(("extra", "message"), [
    ({"graph.settings": "from graph.errors import X\n", "graph.errors": "def f():\n    from graph.settings import Y\n"},
     "import cycle: graph.errors → graph.settings → graph.errors"),
    ({"graph.errors": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from graph.settings import S\n"},
     "import cycle"),
    ({"graph.labels": "import flask\n"}, "graph.labels:1 imports flask"),
    ({"graph.labels": "def f():\n    from serving import serve\n"}, "graph.labels:2 imports serving"),
    ({"graph.labels": "from werkzeug.datastructures import MIMEAccept\n"}, "only ['graph.formats'"),
    ({"graph.settings": "from graph.pages import describe\n", "graph.pages": "", "graph.pages.describe": ""},
     "graph.settings:1 imports graph.pages.describe: a lower layer"),
    ({"graph.sources.wiki": "from graph.gate.validation import Gate\n", "graph.gate.validation": ""},
     "sources never know"),
    ({"web.home": "from graph.loaders import load_paths\n", "graph.loaders": ""}, "views never reach back"),
    ({"graph.iris": "from graph.errors import _secret\n"}, "imports private _secret from graph.errors"),
])
def test_each_forbidden_import_is_named(extra, message):
    found = violations({**GROUND, **extra})
    assert any(message in problem for problem in found), found


def test_allowed_imports_are_not_flagged():
    allowed = {**GROUND, "graph.formats": "from werkzeug.datastructures import MIMEAccept\nfrom graph import errors\n",
               "web.home": "from graph.formats import negotiate\nimport flask\n", "server": "import web.home\n"}
    assert violations(allowed) == []
