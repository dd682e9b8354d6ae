"""Synergy inference (placeholder until the inference issue lands)."""
from __future__ import annotations

from graph.settings import Settings
from graph.store import Store


def refresh(store: Store, settings: Settings) -> int:
    return 0
