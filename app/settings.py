"""Configuration, read from ``TRENDGRAPH_*`` environment variables in this module only."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


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
    api_key_hashes: Annotated[list[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]], NoDecode] = (
        Field(
            default=[],
            description="SHA-256 hex digests of the API keys allowed to write, comma-separated.",
        )
    )

    @field_validator("api_key_hashes", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    def configure_logging(self) -> None:
        logging.basicConfig(
            level=self.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
