"""Docs that cannot rot: every setting, every ``stadtgraph`` command and every metric is in the README."""
from __future__ import annotations

import argparse

import pytest

import cli
from graph.ops import metrics
from graph.settings import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text("utf-8")


def subcommands() -> list[str]:
    actions = [a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(name for action in actions for name in action.choices)


@pytest.mark.parametrize("name", [name for name, _, _ in Settings.describe()])
def test_every_setting_is_documented(name):
    assert f"`STADTGRAPH_{name.upper()}`" in README, f"README: setting {name} fehlt / is missing"


@pytest.mark.parametrize("command", subcommands())
def test_every_command_is_documented(command):
    assert f"`stadtgraph {command}" in README, f"README: command {command} fehlt / is missing"


def test_every_metric_is_documented():
    names = {m.name for m in metrics.REGISTRY.collect()}
    assert names
    missing = [n for n in sorted(names) if f"`{n}" not in README]
    assert not missing, f"README: metrics missing: {missing}"
