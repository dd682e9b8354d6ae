"""One settings object for the whole service: every setting has a name, a default and help text.

Environment variables (``STADTGRAPH_<NAME>``) are read here and nowhere else; the rest of the code
receives a :class:`Settings`. An unknown setting name fails at start-up.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from graph.errors import ConfigurationError
from graph.resources import PROJECT_ROOT, queries, shipped

__all__ = ["PROJECT_ROOT", "DEFAULT_BASE", "Settings"]
DEFAULT_BASE = "https://daten.oberhausen.de/stadtgraph/"
ENV_PREFIX = "STADTGRAPH_"


def _setting(default: Any, help: str, **kw: Any) -> Any:
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda d=default: type(d)(d), metadata={"help": help, **kw})
    return field(default=default, metadata={"help": help, **kw})


#: Settings that default to a folder of ``state_dir``.
STATE_FOLDERS = {"store_path": "store", "dump_dir": "dumps", "audit_dir": "audit", "search_dir": "search",
                 "history_dir": "history"}


@dataclass(frozen=True)
class Settings:
    """All settings of stadtgraph. ``Settings.describe()`` lists them with their help text."""

    base_iri: str = _setting(DEFAULT_BASE, "Base IRI under which every IRI of the graph is minted.")
    store: str = _setting(
        "oxigraph",
        "Store backend: 'oxigraph' (embedded, on disk at store_path), 'memory' (embedded, in memory) "
        "or 'sparql' (an external SPARQL 1.1 store at sparql_query_url/sparql_update_url).",
    )
    state_dir: str = _setting(
        "var", "Directory of what the service writes (store, dumps, audit log), relative to the current "
        "directory; never next to the code. store_path, dump_dir and audit_dir default to folders in it.")
    store_path: str = _setting("", "Directory of the embedded store; empty: state_dir/store.")
    data_dir: str = _setting(str(shipped("data")), "Directory with the sources the build reads (default: the "
                             "shipped Oberhausen data, inside the package).")
    ontology_path: str = _setting(str(shipped("ontology") / "oberhausen.ttl"), "The ontology file.")
    shapes_dir: str = _setting(str(shipped("shapes")), "Directory of the SHACL shapes.")
    dump_dir: str = _setting("", "Directory the dumps are written to; empty: state_dir/dumps.")
    sparql_query_url: str = _setting("", "External store: SPARQL 1.1 query endpoint URL.")
    sparql_update_url: str = _setting("", "External store: SPARQL 1.1 update endpoint URL.")
    sparql_graph_store_url: str = _setting("", "External store: Graph Store Protocol URL (optional).")
    sparql_user: str = _setting("", "External store: user name for updates (HTTP digest or basic auth).")
    sparql_password: str = _setting("", "External store: password for updates.", secret=True)
    sparql_dialect: str = _setting(
        "auto", "External store: 'virtuoso' (dataset by pragmas, fast INSERT DATA, server-side time limit), "
        "'standard' (plain SPARQL 1.1 Protocol) or 'auto' (Virtuoso if its Server header says so).")
    sparql_page_size: int = _setting(
        10000, "External store: rows per request when reading whole graphs; at most the store's own result "
        "limit (Virtuoso: ResultSetMaxRows, 10000 in a stock virtuoso.ini).")
    sparql_write_lease: float = _setting(
        120.0, "External store: seconds without a sign of life after which another process's write lock "
        "counts as abandoned; its unfinished write is then completed or undone.")
    sparql_isql: str = _setting(
        "", "External store, Virtuoso only: host:port of its SQL port for fast bulk loads (ld_dir with isql); "
        "needs sparql_load_dir. Empty: bulk loads go through SPARQL Update.")
    sparql_load_dir: str = _setting(
        "", "External store, Virtuoso only: a directory both stadtgraph and Virtuoso can read (listed in "
        "DirsAllowed of virtuoso.ini), for bulk-load files.")
    replica: str = _setting(
        "auto", "stadtgraph serve on the embedded on-disk store: answer queries from an in-memory copy loaded "
        "at start ('on'), from the disk ('off'), or from a copy when the store holds at most "
        "replica_max_quads quads ('auto'). Not with writes (tokens): the writer serves from the disk.")
    replica_max_quads: int = _setting(
        2_000_000, "Largest store (quads) that replica=auto copies into memory (about 0.7 GB per million).")
    query_timeout: float = _setting(10.0, "Seconds after which a SPARQL query is stopped.")
    row_limit: int = _setting(10000, "Maximum number of result rows (or triples) a query returns.")
    result_cache_entries: int = _setting(
        512, "Answers of repeated SPARQL queries kept per server process, keyed by the store's version (a write "
        "invalidates them); 0: no cache.")
    result_cache_bytes: int = _setting(64 * 1024 * 1024, "Bytes of answers the result cache keeps at most.")
    query_processes: int = _setting(
        0, "Query runner processes per server worker (each runs one query at a time and is killed at the "
        "time limit); 0: one per thread.")
    query_queue_wait: float = _setting(
        2.0, "Seconds a request waits for a free query runner before it is answered 503 with Retry-After.")
    cors_origin: str = _setting("*", "Access-Control-Allow-Origin for the read routes (/sparql, /api).")
    queries_dir: str = _setting(str(queries()),
                                "Directory of the curated queries (*.rq), checked at start-up.")
    public_url: str = _setting("", "Public URL of the service (for links in the catalog); empty: from the request.")
    tokens: dict = _setting({}, "Write tokens for the Graph Store Protocol: name -> sha256 hex digest.", secret=True)
    audit_dir: str = _setting(
        "", "Directory of the audit log of Graph Store writes (graph-store.jsonl: one JSON line per write "
        "or refused write, with token name, time, graph, triples added and removed); empty: state_dir/audit.")
    search_dir: str = _setting(
        "", "Directory of the full-text search index (index.sqlite, kept in step with every write and rebuilt "
        "at start when it is missing or out of step); empty: state_dir/search. The in-memory store keeps its "
        "index in a temporary file.")
    search_timeout: float = _setting(2.0, "Seconds after which a full-text search (/suche, /api/suche) is stopped.")
    history_dir: str = _setting(
        "", "Directory of the version log (versions.sqlite: every accepted version of every record graph, for "
        "the history pages, Memento and the change feed); empty: state_dir/history. A memory store keeps "
        "its log in memory.")
    history_retention_days: float = _setting(
        0.0, "Days a record's older versions are kept ('stadtgraph history prune' drops older ones; a record's "
        "newest version always stays); 0: keep all.")
    ldes_page_size: int = _setting(250, "Versions per fragment of the change feed (/ldes); changing it changes "
                                   "every fragment's address.")
    max_body_bytes: int = _setting(1_000_000, "Largest request body accepted by ordinary routes.")
    max_upload_bytes: int = _setting(20_000_000, "Largest request body for /validate and Graph Store writes.")
    max_query_length: int = _setting(100_000, "Longest SPARQL query text accepted (characters).")
    max_url_length: int = _setting(
        8000, "Longest request target (path and query string, bytes) accepted; longer is answered 414. "
        "Long SPARQL queries go by POST. At most 8000 (gunicorn refuses longer request lines itself).")
    max_parameters: int = _setting(100, "Most query-string parameters or form fields a request may carry.")
    max_expensive_requests: int = _setting(
        0, "Most expensive requests (pages, queries, catalog, uploads: every route but /health, /ready, "
        "/metrics and static files) one server worker runs at once; more wait up to expensive_queue_wait "
        "seconds, then are answered 503 with Retry-After. 0: one less than threads (at least 1), so a "
        "thread stays free for /health.")
    expensive_queue_wait: float = _setting(
        0.5, "Seconds an expensive request waits for a free place (max_expensive_requests) before it is "
        "answered 503 with Retry-After.")
    client_timeout: float = _setting(
        10.0, "Seconds a client may take to send a request's head (stadtgraph serve reads every request "
        "whole before a thread serves it); the body may take as long again plus one second per "
        "client_min_rate bytes. Slower clients are answered 408 and disconnected.")
    client_min_rate: int = _setting(
        10_000, "Bytes per second a request body must arrive at, on average, after client_timeout.")
    catalog_page_size: int = _setting(50, "Datasets per page of the DCAT catalog.")
    imprint_url: str = _setting("", "Address of the publisher's Impressum (footer link); empty: the footer "
                                "says it is not configured.")
    privacy_url: str = _setting("", "Address of the Datenschutzerklärung (footer link).")
    accessibility_url: str = _setting("", "Address of the Erklärung zur Barrierefreiheit (footer link, BITV 2.0).")
    workers: int = _setting(2, "Number of server worker processes (stadtgraph serve).")
    threads: int = _setting(4, "Threads per server worker process (stadtgraph serve).")
    wiki_api_url: str = _setting(
        "", "The city's MediaWiki Action API (api.php) that 'stadtgraph harvest wiki' reads, e.g. "
        "https://istek.oberhausen.de/api.php; empty: no harvest, the build reads the shipped snapshot.")
    wiki_timeout: float = _setting(30.0, "Seconds each request to the wiki may take (the harvest retries on "
                                   "429, 5xx and maxlag with backoff, then fails with the old graph still served).")
    oparl_system_url: str = _setting(
        "", "The council's OParl 1.1 System object that 'stadtgraph harvest oparl' reads, e.g. "
        "https://ratsinfo.oberhausen.de/oparl/system; empty: no harvest, the build reads data/rat/ as shipped.")
    oparl_timeout: float = _setting(30.0, "Seconds each request to the OParl endpoint may take (transient errors "
                                    "are retried with backoff, four tries in all).")
    harvest_interval: float = _setting(
        0.0, "stadtgraph serve: seconds between scheduled harvests of the configured sources (wiki_api_url, "
        "oparl_system_url), run one after the other by the server's master process; 0: off (use cron or a "
        "systemd timer with 'stadtgraph harvest').")
    strict: bool = _setting(False, "Fail the whole build on any SHACL violation.")
    log_level: str = _setting("INFO", "Level of the JSON logs of stadtgraph serve (DEBUG, INFO, WARNING, ERROR).")
    metrics_dir: str = _setting(
        "", "Directory where the server workers share their Prometheus metrics (emptied at each start); "
        "empty: a fresh temporary directory per start, removed at exit.")

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def describe(cls) -> list[tuple[str, Any, str]]:
        """(name, default, help) for every setting, in declaration order."""
        out = []
        for f in fields(cls):
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            out.append((f.name, default, f.metadata["help"]))
        return out

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None = None) -> Settings:
        """Settings from a mapping of names to values; an unknown name raises ConfigurationError."""
        values = dict(values or {})
        unknown = sorted(set(values) - set(cls.names()))
        if unknown:
            raise ConfigurationError(f"Unbekannte Einstellung(en) / unknown setting(s): {', '.join(unknown)}")
        kwargs = {}
        for f in fields(cls):
            if f.name in values:
                kwargs[f.name] = _coerce(f, values[f.name])
        settings = cls(**kwargs)
        settings.check()
        return settings

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``STADTGRAPH_*`` environment variables, then ``overrides``."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        known = set(cls.names())
        for key, raw in environ.items():
            if not key.startswith(ENV_PREFIX):
                continue
            name = key[len(ENV_PREFIX):].lower()
            if name not in known:
                raise ConfigurationError(f"Unbekannte Einstellung / unknown setting: {key}")
            values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_mapping(values)

    def __post_init__(self) -> None:
        # The state folders not given follow state_dir (made absolute now: a later chdir moves nothing).
        state = Path(self.state_dir).absolute()
        object.__setattr__(self, "state_dir", str(state))
        for name, folder in STATE_FOLDERS.items():
            if not getattr(self, name):
                object.__setattr__(self, name, str(state / folder))

    def replace(self, **changes: Any) -> Settings:
        values = dataclasses.asdict(self)
        if "state_dir" in changes:  # folders that followed the old state_dir follow the new one
            old = Path(self.state_dir)
            values.update({n: "" for n, f in STATE_FOLDERS.items() if Path(values[n]) == old / f})
        return Settings.from_mapping({**values, **changes})

    def check(self) -> None:
        if self.store not in ("oxigraph", "memory", "sparql"):
            raise ConfigurationError(f"store must be oxigraph, memory or sparql, not {self.store!r}")
        if not self.base_iri.endswith(("/", "#")):
            raise ConfigurationError("base_iri must end with '/' or '#'")
        if self.store == "sparql" and not self.sparql_query_url:
            raise ConfigurationError("store=sparql needs sparql_query_url")
        if self.sparql_dialect not in ("auto", "virtuoso", "standard"):
            raise ConfigurationError("sparql_dialect must be auto, virtuoso or standard")
        if self.sparql_page_size <= 0 or self.sparql_write_lease <= 0:
            raise ConfigurationError("sparql_page_size and sparql_write_lease must be positive")
        if self.sparql_isql and not self.sparql_load_dir:
            raise ConfigurationError("sparql_isql needs sparql_load_dir")
        if self.replica not in ("auto", "on", "off"):
            raise ConfigurationError(f"replica must be auto, on or off, not {self.replica!r}")
        if self.replica_max_quads < 0:
            raise ConfigurationError("replica_max_quads must not be negative")
        if self.query_timeout <= 0 or self.row_limit <= 0:
            raise ConfigurationError("query_timeout and row_limit must be positive")
        if not 256 <= self.max_url_length <= 8000 or self.max_parameters < 1:
            raise ConfigurationError("max_url_length must lie between 256 and 8000, max_parameters be positive")
        if self.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ConfigurationError(f"log_level must be DEBUG, INFO, WARNING or ERROR, not {self.log_level!r}")
        if self.max_expensive_requests < 0 or self.expensive_queue_wait < 0:
            raise ConfigurationError("max_expensive_requests and expensive_queue_wait must not be negative")
        if self.client_timeout <= 0 or self.client_min_rate <= 0:
            raise ConfigurationError("client_timeout and client_min_rate must be positive")
        if self.harvest_interval < 0:
            raise ConfigurationError("harvest_interval must not be negative")
        if self.wiki_timeout <= 0 or self.oparl_timeout <= 0:
            raise ConfigurationError("wiki_timeout and oparl_timeout must be positive")
        if self.result_cache_entries < 0 or self.result_cache_bytes < 0:
            raise ConfigurationError("result_cache_entries and result_cache_bytes must not be negative")
        if self.search_timeout <= 0:
            raise ConfigurationError("search_timeout must be positive")
        if self.history_retention_days < 0 or self.ldes_page_size < 1:
            raise ConfigurationError("history_retention_days must not be negative, ldes_page_size be positive")
        if self.query_processes < 0 or self.query_queue_wait < 0:
            raise ConfigurationError("query_processes and query_queue_wait must not be negative")

    def public_dict(self) -> dict[str, Any]:
        """The settings without secrets, e.g. for a status page."""
        return {f.name: getattr(self, f.name) for f in fields(self) if not f.metadata.get("secret")}


def _coerce(f: dataclasses.Field, value: Any) -> Any:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    try:
        if kind == "bool" and isinstance(value, str):
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(value)
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "dict" and isinstance(value, str):
            # name=digest,name2=digest2
            return dict(item.split("=", 1) for item in value.split(",") if item.strip())
        if kind == "str":
            return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"Einstellung {f.name}: ungültiger Wert / invalid value {value!r}") from exc
    return value
