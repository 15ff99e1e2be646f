"""Configuration, read from ``TRENDGRAPH_*`` environment variables in this module only."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

Origins = Annotated[list[str], NoDecode]
"""A comma-separated list of origins (``https://app.example.com,https://admin.example.com``)."""


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
        description="Data folder of the embedded server (relative to the working directory).",
    )
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    log_level: LogLevel = "INFO"
    mongodb_timeout_ms: Annotated[int, Field(ge=100, le=120_000)] = 5_000
    max_page_size: Annotated[int, Field(ge=1, le=1_000)] = 100
    default_page_size: Annotated[int, Field(ge=1, le=1_000)] = 20
    dataloader_batch_size: Annotated[int, Field(ge=1, le=10_000)] = 200
    graphiql: bool = True
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
    cors_origins: Origins = Field(
        default_factory=list, description="Origins allowed by CORS; none by default."
    )
    allowed_origins: Origins = Field(
        default_factory=list,
        description="Cross-origin pages allowed to open the subscription WebSocket.",
    )
    max_subscriptions_per_connection: Annotated[int, Field(ge=1, le=1_000)] = 20
    connection_init_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 10.0

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level_any_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("cors_origins", "allowed_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

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

    def configure_logging(self) -> None:
        logging.basicConfig(
            level=self.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
