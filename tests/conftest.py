"""Shared fixtures: settings for an in-memory store, the shipped data built once per session, an app."""
from __future__ import annotations

from pathlib import Path

import pytest

from graph.settings import PROJECT_ROOT, Settings

# Live gunicorn servers over the shipped data and a headless Chromium, for anyone's tests.
pytest_plugins = ["tests.fixtures.live", "tests.fixtures.virtuoso", "tests.fixtures.mediawiki"]
# Scripts the tests run as processes of their own, never imported here (CKAN's import chain sets global state).
collect_ignore = ["fixtures/ckan_harvest.py", "fixtures/conformance/dcat_ap_de_check.py"]

DATA = PROJECT_ROOT / "data"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_mapping({"store": "memory", "data_dir": str(DATA)})


@pytest.fixture(scope="session")
def built_store(settings):
    """The shipped Oberhausen data, built once (validated and inferred) into an in-memory store.
    Tests must not write to it; build your own store for writes."""
    from graph.pipeline.build import build
    from graph.store import open_store

    store = open_store(settings)
    report = build(settings, store)
    store.build_report = report  # type: ignore[attr-defined]
    return store


@pytest.fixture
def app(settings, built_store):
    from server import create_app

    app = create_app(settings, store=built_store)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()
