"""Settings: defaults, environment variables, coercion, and failing early on what is unknown or invalid."""
from __future__ import annotations

import pytest

from graph.errors import ConfigurationError
from graph.settings import DEFAULT_BASE, Settings


def test_defaults_without_environment():
    s = Settings.from_env({})
    assert s.base_iri == DEFAULT_BASE
    assert s.store == "oxigraph"
    assert s.strict is False
    assert s.query_timeout == 10.0


def test_environment_variables_override_defaults():
    s = Settings.from_env({"STADTGRAPH_STORE": "memory", "STADTGRAPH_BASE_IRI": "https://example.org/sg/",
                           "PATH": "/usr/bin"})  # other variables are none of our business
    assert s.store == "memory"
    assert s.base_iri == "https://example.org/sg/"


def test_overrides_win_over_environment():
    s = Settings.from_env({"STADTGRAPH_STORE_PATH": "/from/env"}, store_path="/from/flag")
    assert s.store_path == "/from/flag"


def test_unknown_environment_variable_fails_at_start():
    with pytest.raises(ConfigurationError, match="STADTGRAPH_STOER"):
        Settings.from_env({"STADTGRAPH_STOER": "memory"})


def test_unknown_setting_name_fails():
    with pytest.raises(ConfigurationError, match="row_limt"):
        Settings.from_mapping({"row_limt": 5})


@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), ("Yes", True), ("on", True),
                                           ("0", False), ("false", False), ("off", False), ("", False)])
def test_boolean_coercion_from_text(raw, expected):
    assert Settings.from_env({"STADTGRAPH_STRICT": raw}).strict is expected


def test_numbers_and_tables_are_coerced_from_text():
    s = Settings.from_env({"STADTGRAPH_ROW_LIMIT": "250", "STADTGRAPH_QUERY_TIMEOUT": "2.5",
                           "STADTGRAPH_TOKENS": "alice=abc123,bob=def456"})
    assert s.row_limit == 250 and isinstance(s.row_limit, int)
    assert s.query_timeout == 2.5
    assert s.tokens == {"alice": "abc123", "bob": "def456"}


@pytest.mark.parametrize("name, raw", [("STADTGRAPH_ROW_LIMIT", "viele"), ("STADTGRAPH_STRICT", "vielleicht"),
                                       ("STADTGRAPH_QUERY_TIMEOUT", "zehn")])
def test_invalid_value_names_the_setting(name, raw):
    with pytest.raises(ConfigurationError, match=name[len("STADTGRAPH_"):].lower()):
        Settings.from_env({name: raw})


@pytest.mark.parametrize("values", [{"store": "postgres"}, {"base_iri": "https://example.org/no-slash"},
                                    {"store": "sparql"}, {"row_limit": 0}, {"query_timeout": -1}])
def test_inconsistent_settings_are_refused(values):
    with pytest.raises(ConfigurationError):
        Settings.from_mapping(values)


def test_describe_lists_every_setting_with_help():
    described = Settings.describe()
    assert [name for name, _, _ in described] == Settings.names()
    assert all(help_text.strip() for _, _, help_text in described)


def test_secrets_are_not_public():
    s = Settings.from_mapping({"sparql_password": "geheim", "tokens": {"a": "b"}})
    public = s.public_dict()
    assert "sparql_password" not in public and "tokens" not in public
    assert "geheim" not in repr(public)
    assert public["store"] == "oxigraph"


def test_replace_checks_again():
    s = Settings.from_mapping({})
    assert s.replace(store="memory").store == "memory"
    with pytest.raises(ConfigurationError):
        s.replace(store="nonsense")
