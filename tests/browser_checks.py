"""What every page test in a real browser checks: no sideways scrolling, and no serious or critical
violation axe-core (run inside the page) finds."""
from __future__ import annotations

import json

import pytest

from graph.settings import PROJECT_ROOT

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_source() -> str:
    vendored = PROJECT_ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
    for path in (vendored, AXE):
        if path.is_file():
            return path.read_text("utf-8")
    pytest.fail("axe-core fehlt: bash scripts/setup-assets.sh / axe-core not installed")


def page_problems(browser, axe: str, where: str) -> list[str]:
    """The open page's problems, each named with ``where``: wider than the window, axe violations."""
    found = []
    inner = browser.execute_script("return window.innerWidth")
    wide = browser.execute_script("return document.documentElement.scrollWidth")
    if wide > inner + 1:
        found.append(f"{where}: {wide} px wide, window {inner} px")
    browser.execute_script(axe)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)))"
        ".catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}])));")
    for v in json.loads(result):
        if v["impact"] in ("serious", "critical"):
            nodes = "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                              for n in v["nodes"][:3])
            found.append(f"{where}: axe {v['id']} ({v['impact']}): {v['help']} – {nodes}")
    return found
