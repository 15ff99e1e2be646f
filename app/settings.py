"""Configuration, read from ``TRENDGRAPH_*`` environment variables in this module only."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


def _comma_separated(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip().lower() for part in value.split(",") if part.strip())
    return value


# ``[name:]<sha256 hex>[:scope+scope]``; the same form app.domain.keys parses (settings
# import nothing of the project, so the pattern is repeated; a test keeps them equal).
KeyEntry = Annotated[
    str,
    Field(
        pattern=r"^(?:[a-z0-9][a-z0-9_-]{0,39}:)?[0-9a-f]{64}"
        r"(?::(?:read|write|alerts)(?:\+(?:read|write|alerts))*)?$"
    ),
]
ApiKeyHashes = Annotated[tuple[KeyEntry, ...], NoDecode, BeforeValidator(_comma_separated)]


def _origin_list(value: object) -> object:
    if isinstance(value, str):
        return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
    return value


Origins = Annotated[list[str], NoDecode, BeforeValidator(_origin_list)]


def _proxy_list(value: object) -> object:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        for entry in value:
            if not isinstance(entry, str):
                continue
            try:
                if "/" in entry:
                    ipaddress.ip_network(entry, strict=False)
                else:
                    ipaddress.ip_address(entry)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network (CIDR)") from None
    return value


Proxies = Annotated[list[str], NoDecode, BeforeValidator(_proxy_list)]
"""Comma-separated IP addresses or CIDR networks (``10.0.0.1,192.168.0.0/16``)."""
"""A comma-separated list of origins (``https://app.example.com,https://admin.example.com``)."""


def _home_folder() -> Path:
    """Where relative data folders live: the checkout (the folder holding pyproject.toml
    beside ``app/``) when running from one, else ``~/.local/share/trendgraph``.

    Never the current directory: a command run from elsewhere must find the same database,
    not quietly start an empty one there.
    """
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "seeds").is_dir():
        return checkout
    return Path.home() / ".local" / "share" / "trendgraph"


HOME_FOLDER = _home_folder()


class Settings(BaseSettings):
    """Every knob of the service; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="TRENDGRAPH_", extra="ignore", frozen=True)

    mongodb_uri: str | None = Field(
        default=None,
        description="MongoDB connection string; unset starts the embedded SecantusDB server.",
    )
    database: Annotated[str, Field(min_length=1, max_length=63, pattern=r"^[A-Za-z0-9_-]+$")] = (
        "trendgraph"
    )
    data_dir: Path = Field(
        default=Path("data/embedded"),
        validate_default=True,
        description="Data folder of the embedded server; a relative path is taken from the "
        "checkout (or ~/.local/share/trendgraph when installed), never from the current "
        "directory.",
    )
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    log_level: LogLevel = "INFO"
    mongodb_timeout_ms: Annotated[int, Field(ge=100, le=120_000)] = 5_000
    mongodb_heartbeat_ms: Annotated[int, Field(ge=500, le=600_000)] = Field(
        default=1_000,
        description="How often the driver checks the database while it is up (each check "
        "costs both sides CPU); while it is down, probes run every "
        "mongodb_recovery_probe_ms instead.",
    )
    mongodb_recovery_probe_ms: Annotated[int, Field(ge=100, le=60_000)] = Field(
        default=500,
        description="While the database is unavailable, how often a probe asks the driver to "
        "look for it: the API serves again at most this long after it returns.",
    )
    change_stream_max_await_ms: Annotated[int, Field(ge=100, le=600_000)] = Field(
        default=1_000,
        description="How long the database holds an idle change stream's getMore before an "
        "empty answer (the idle cost of the response cache and subscriptions).",
    )
    max_page_size: Annotated[int, Field(ge=1, le=1_000)] = 100
    default_page_size: Annotated[int, Field(ge=1, le=1_000)] = 20
    dataloader_batch_size: Annotated[int, Field(ge=1, le=10_000)] = 200
    graphiql: bool = True
    response_cache_entries: Annotated[int, Field(ge=0, le=1_000_000)] = 2_000
    response_cache_ttl_seconds: Annotated[float, Field(gt=0, le=86_400)] = 300.0
    gc_young_threshold: Annotated[int, Field(ge=0, le=10_000_000)] = Field(
        default=50_000,
        description="Allocations between collections of Python's youngest generation "
        "(Python's default is 700); 0 leaves the interpreter's setting alone.",
    )
    page_sort_bounds: bool = Field(
        default=True,
        description="Bound first pages of descending orders by a learned sort value, so the "
        "embedded server reads only the trends in range (see docs/reads.md).",
    )
    read_selected_fields: bool = Field(
        default=True,
        description="Read only the stored trend fields a query selects (false: every field "
        "but the search keys).",
    )
    compiled_execution: bool = Field(
        default=True,
        description="Complete plain fields and whole selections with trendgraph's executor "
        "(docs/executor.md); false runs graphql-core's executor as shipped, nothing else changes.",
    )
    shared_selections: bool = Field(
        default=True,
        description="With compiled_execution: collect and plan the fields of an operation "
        "without directives once per cached document, for every request that runs it "
        "(docs/executor.md); false collects them per request, as graphql-core does.",
    )
    log_format: Literal["text", "json"] = "text"
    # Forecasts: recomputed in the background after series writes (app/storage/forecast_worker.py).
    forecast_processes: Annotated[int, Field(ge=1, le=64)] = Field(
        default=1,
        description="Worker processes fitting forecasts after series writes (CPU work, kept "
        "out of the serving process).",
    )
    forecast_concurrency: Annotated[int, Field(ge=1, le=256)] = Field(
        default=2, description="Forecast recomputes in flight at once per API process."
    )
    forecast_catch_up: bool = Field(
        default=True,
        description="On start, recompute in the background every forecast that is missing "
        "or older than its series (lost with a stopped process, or series loaded around "
        "the API).",
    )
    # Query limits (checked before execution).
    max_query_depth: Annotated[int, Field(ge=1, le=100)] = 12
    max_aliases: Annotated[int, Field(ge=1, le=1_000)] = 30
    max_tokens: Annotated[int, Field(ge=10, le=100_000)] = 2_000
    max_query_cost: Annotated[int, Field(ge=1, le=1_000_000)] = 1_000
    max_variables_bytes: Annotated[int, Field(ge=64, le=16 * 1024 * 1024)] = 64 * 1024
    max_document_bytes: Annotated[int, Field(ge=1_024, le=16 * 1024 * 1024)] = Field(
        default=64 * 1024,
        description="Largest GraphQL document (query text) an anonymous request may send; "
        "bounds string literals, which max_tokens counts as one token each.",
    )
    request_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 30.0
    introspection: bool = True
    field_suggestions: bool = True
    # Rate limits: token buckets of query-cost points, per client.
    rate_limit_enabled: bool = True
    rate_limit_store: Literal["database", "process"] = Field(
        default="database",
        description="Where buckets live: in the database (shared by every API process, one "
        "or two commands per request) or in each process (each process allows the limits).",
    )
    rate_limit_anonymous_capacity: Annotated[int, Field(ge=1)] = 1_000
    rate_limit_anonymous_restore_rate: Annotated[float, Field(gt=0)] = 50.0
    rate_limit_key_capacity: Annotated[int, Field(ge=1)] = 2_000
    rate_limit_key_restore_rate: Annotated[float, Field(gt=0)] = 100.0
    # GraphQL over HTTP, caching, persisted queries, CORS, WebSocket subscriptions.
    max_body_bytes: Annotated[int, Field(ge=1_024, le=64 * 1024 * 1024)] = Field(
        default=1024 * 1024, description="Largest POST body accepted; larger ones get 413."
    )
    cache_max_age: Annotated[int, Field(ge=0, le=31_536_000)] = Field(
        default=60, description="max-age (seconds) of cacheable GET query responses."
    )
    persisted_queries_only: bool = Field(
        default=False,
        description="Execute only queries already in `persisted_queries`; refuse the rest.",
    )
    persisted_query_ttl_seconds: Annotated[int, Field(ge=0, le=10 * 365 * 86_400)] = Field(
        default=7 * 86_400,
        description="How long a query registered over HTTP (APQ) is kept; 0 keeps it forever.",
    )
    cors_origins: Origins = Field(
        default_factory=list, description="Origins allowed by CORS; none by default."
    )
    allowed_origins: Origins = Field(
        default_factory=list,
        description="Cross-origin pages allowed to open the subscription WebSocket.",
    )
    max_subscriptions_per_connection: Annotated[int, Field(ge=1, le=1_000)] = 20
    trusted_proxies: Proxies = Field(
        default_factory=list,
        description="Addresses or networks (CIDR) of proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed; none by default (the peer address is the client).",
    )
    header_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = Field(
        default=10.0,
        description="A connection whose request headers are not complete this long after "
        "it opened (or after its previous response) is closed.",
    )
    body_timeout_seconds: Annotated[float, Field(gt=0, le=3_600)] = Field(
        default=30.0,
        description="A request whose body is not complete this long after its headers is closed.",
    )
    connection_init_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 10.0

    @field_validator("data_dir")
    @classmethod
    def _data_dir_from_home_folder(cls, value: Path) -> Path:
        return (HOME_FOLDER / value.expanduser()).resolve()

    def describe_database(self) -> str:
        """Which database commands read and write, for the line each command prints first."""
        if self.mongodb_uri:
            return f"database {self.database!r} on MongoDB at {redact(self.mongodb_uri)}"
        return f"database {self.database!r} on the embedded server, data in {self.data_dir}"

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level_any_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("cors_origins", "allowed_origins")
    @classmethod
    def _origins_are_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            scheme, separator, host = origin.partition("://")
            if origin != "*" and (
                scheme not in ("http", "https") or not separator or not host or "/" in host
            ):
                raise ValueError(
                    f"{origin!r} is not an origin (scheme://host[:port], or * for any)"
                )
        return origins

    @field_validator("default_page_size")
    @classmethod
    def _default_page_fits(cls, value: int, info: ValidationInfo) -> int:
        largest = info.data.get("max_page_size")
        if largest is not None and value > largest:
            raise ValueError(f"must not exceed max_page_size ({largest})")
        return value

    api_key_hashes: ApiKeyHashes = Field(
        default=(),
        description="The API keys, comma-separated: each a SHA-256 hex digest (may read and "
        "write), or `<name>:<digest>:<scopes>` with scopes read, write, alerts joined by `+`.",
    )
    webhook_allow_private: bool = Field(
        default=False,
        description="Allow alert webhooks to private, loopback and link-local addresses "
        "(tests, private deployments); refused by default against SSRF.",
    )
    webhook_timeout_seconds: Annotated[float, Field(gt=0, le=60)] = Field(
        default=10.0, description="Longest a webhook delivery may take, connect to last byte."
    )
    webhook_retry_hours: Annotated[float, Field(ge=24, le=24 * 14)] = Field(
        default=24.0,
        description="How long a failing webhook is retried (exponential backoff with jitter) "
        "before the alert is dead-lettered.",
    )
    alerts_enabled: bool = Field(
        default=True,
        description="Run the alert evaluator and webhook deliverer in this process.",
    )

    def configure_logging(self) -> None:
        from app.observability import configure_logging

        configure_logging(self.log_level, json_logs=self.log_format == "json")


def redact(uri: str) -> str:
    """``uri`` without its password, so it can be printed and logged."""
    scheme, separator, rest = uri.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return uri
    user = credentials.split(":", 1)[0]
    return f"{scheme}{separator}{user}:***@{host}"


def describe_settings_error(error: ValidationError) -> list[str]:
    """One line per bad setting, naming its environment variable: what a person fixes."""
    prefix = Settings.model_config.get("env_prefix", "")
    lines = []
    for fault in error.errors():
        name = str(fault["loc"][0]) if fault["loc"] else ""
        variable = f"{prefix}{name}".upper() if name else "settings"
        # The URI may hold a password; other values are safe to repeat.
        shown = "" if name == "mongodb_uri" else f" (got {fault['input']!r})"
        lines.append(f"{variable}: {fault['msg']}{shown}")
    return lines


OTHER_VARIABLES = frozenset({"TRENDGRAPH_TEST_MONGODB_URI", "TRENDGRAPH_BENCH_MONGODB_URI"})
"""``TRENDGRAPH_*`` variables read by the test suite and the benchmark, not by the service."""


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """``TRENDGRAPH_*`` variables that name no setting: a misspelling would otherwise be
    silently ignored."""
    known = {f"TRENDGRAPH_{name.upper()}" for name in Settings.model_fields} | OTHER_VARIABLES
    variables = os.environ if environ is None else environ
    return sorted(
        name
        for name in variables
        if name.upper().startswith("TRENDGRAPH_") and name.upper() not in known
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
