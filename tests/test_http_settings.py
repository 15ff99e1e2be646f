"""The HTTP, caching, persisted-query and WebSocket settings (``TRENDGRAPH_*``)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from app.settings import Settings, describe_settings_error

# No TRENDGRAPH_* variable of the surrounding shell leaks into these tests.
pytestmark = pytest.mark.usefixtures("clean_environment")


def test_defaults() -> None:
    settings = Settings()
    assert settings.max_body_bytes == 1_048_576
    assert settings.cache_max_age == 60
    assert settings.persisted_queries_only is False
    assert settings.cors_origins == []
    assert settings.allowed_origins == []
    assert settings.max_subscriptions_per_connection == 20
    assert settings.connection_init_timeout_seconds == 10.0


@pytest.mark.parametrize(
    ("variable", "raw", "field", "expected"),
    [
        ("TRENDGRAPH_MAX_BODY_BYTES", "2048", "max_body_bytes", 2048),
        ("TRENDGRAPH_CACHE_MAX_AGE", "0", "cache_max_age", 0),
        ("TRENDGRAPH_PERSISTED_QUERIES_ONLY", "true", "persisted_queries_only", True),
        ("TRENDGRAPH_CORS_ORIGINS", "https://a.example, http://localhost:3000/", "cors_origins",
         ["https://a.example", "http://localhost:3000"]),
        ("TRENDGRAPH_CORS_ORIGINS", "*", "cors_origins", ["*"]),
        ("TRENDGRAPH_CORS_ORIGINS", "", "cors_origins", []),
        ("TRENDGRAPH_ALLOWED_ORIGINS", "https://app.example.com", "allowed_origins",
         ["https://app.example.com"]),
        ("TRENDGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION", "5", "max_subscriptions_per_connection", 5),
        ("TRENDGRAPH_CONNECTION_INIT_TIMEOUT_SECONDS", "2.5", "connection_init_timeout_seconds",
         2.5),
    ],
)  # fmt: skip
def test_each_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, raw: str, field: str, expected: Any
) -> None:
    monkeypatch.setenv(variable, raw)
    assert getattr(Settings(), field) == expected


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("TRENDGRAPH_MAX_BODY_BYTES", "100"),
        ("TRENDGRAPH_MAX_BODY_BYTES", "lots"),
        ("TRENDGRAPH_CACHE_MAX_AGE", "-1"),
        ("TRENDGRAPH_PERSISTED_QUERIES_ONLY", "sometimes"),
        ("TRENDGRAPH_CORS_ORIGINS", "app.example.com"),
        ("TRENDGRAPH_CORS_ORIGINS", "ftp://app.example.com"),
        ("TRENDGRAPH_ALLOWED_ORIGINS", "https://app.example.com/path"),
        ("TRENDGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION", "0"),
        ("TRENDGRAPH_CONNECTION_INIT_TIMEOUT_SECONDS", "0"),
    ],
)
def test_bad_values_name_their_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, raw: str
) -> None:
    monkeypatch.setenv(variable, raw)
    with pytest.raises(ValidationError) as error:
        Settings()
    lines = describe_settings_error(error.value)
    assert len(lines) == 1
    assert lines[0].startswith(f"{variable}: ")
