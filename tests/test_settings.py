"""Settings come from ``TRENDGRAPH_*`` environment variables, and bad values name the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from app.settings import Settings, describe_settings_error

CHECKOUT = Path(__file__).resolve().parent.parent

# No TRENDGRAPH_* variable of the surrounding shell leaks into these tests.
pytestmark = pytest.mark.usefixtures("clean_environment")


def test_defaults() -> None:
    settings = Settings()
    assert settings.mongodb_uri is None
    assert settings.database == "trendgraph"
    assert settings.data_dir == CHECKOUT / "data" / "embedded"
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.log_level == "INFO"
    assert settings.mongodb_timeout_ms == 5_000
    assert settings.max_page_size == 100
    assert settings.default_page_size == 20
    assert settings.dataloader_batch_size == 200
    assert settings.graphiql is True


@pytest.mark.parametrize(
    ("variable", "raw", "field", "expected"),
    [
        ("TRENDGRAPH_MONGODB_URI", "mongodb://db:27017/?replicaSet=rs0", "mongodb_uri",
         "mongodb://db:27017/?replicaSet=rs0"),
        ("TRENDGRAPH_DATABASE", "trends_eu-1", "database", "trends_eu-1"),
        ("TRENDGRAPH_DATA_DIR", "/srv/trendgraph/db", "data_dir", Path("/srv/trendgraph/db")),
        ("TRENDGRAPH_HOST", "0.0.0.0", "host", "0.0.0.0"),
        ("TRENDGRAPH_PORT", "9001", "port", 9001),
        ("TRENDGRAPH_LOG_LEVEL", "DEBUG", "log_level", "DEBUG"),
        ("TRENDGRAPH_LOG_LEVEL", "warning", "log_level", "WARNING"),
        ("TRENDGRAPH_MONGODB_TIMEOUT_MS", "250", "mongodb_timeout_ms", 250),
        ("TRENDGRAPH_MAX_PAGE_SIZE", "500", "max_page_size", 500),
        ("TRENDGRAPH_DEFAULT_PAGE_SIZE", "50", "default_page_size", 50),
        ("TRENDGRAPH_DATALOADER_BATCH_SIZE", "100", "dataloader_batch_size", 100),
        ("TRENDGRAPH_GRAPHIQL", "false", "graphiql", False),
        ("TRENDGRAPH_GRAPHIQL", "0", "graphiql", False),
        ("TRENDGRAPH_PERSISTED_QUERY_TTL_SECONDS", "0", "persisted_query_ttl_seconds", 0),
        ("TRENDGRAPH_GC_YOUNG_THRESHOLD", "0", "gc_young_threshold", 0),
        ("TRENDGRAPH_GC_YOUNG_THRESHOLD", "20000", "gc_young_threshold", 20_000),
        ("trendgraph_port", "9002", "port", 9002),  # names are case-insensitive
    ],
)  # fmt: skip
def test_each_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, raw: str, field: str, expected: Any
) -> None:
    monkeypatch.setenv(variable, raw)
    assert getattr(Settings(), field) == expected


def test_every_field_is_a_documented_variable(repo_root: Path) -> None:
    readme = (repo_root / "docs" / "settings.md").read_text(encoding="utf-8")
    for field in Settings.model_fields:
        assert f"`TRENDGRAPH_{field.upper()}`" in readme


@pytest.mark.parametrize("raw", ["data/elsewhere", "./data/elsewhere", "data/x/../elsewhere"])
def test_a_relative_data_folder_is_taken_from_the_checkout_not_the_cwd(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raw: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRENDGRAPH_DATA_DIR", raw)
    assert Settings().data_dir == CHECKOUT / "data" / "elsewhere"
    monkeypatch.delenv("TRENDGRAPH_DATA_DIR")
    assert Settings().data_dir == CHECKOUT / "data" / "embedded"


def test_the_database_description_names_the_folder_or_the_redacted_uri() -> None:
    embedded = Settings(database="demo")
    assert embedded.describe_database() == (
        f"database 'demo' on the embedded server, data in {CHECKOUT / 'data' / 'embedded'}"
    )
    remote = Settings(mongodb_uri="mongodb://reader:secret@db:27017/?replicaSet=rs0")
    assert remote.describe_database() == (
        "database 'trendgraph' on MongoDB at mongodb://reader:***@db:27017/?replicaSet=rs0"
    )


def test_unrelated_prefixed_variables_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRENDGRAPH_TEST_MONGODB_URI", "mongodb://elsewhere:27017")
    assert Settings().mongodb_uri is None


def test_explicit_arguments_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRENDGRAPH_DATABASE", "from_env")
    assert Settings(database="from_code").database == "from_code"


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("variable", "raw", "field"),
    [
        ("TRENDGRAPH_PORT", "0", "port"),
        ("TRENDGRAPH_PORT", "70000", "port"),
        ("TRENDGRAPH_PORT", "abc", "port"),
        ("TRENDGRAPH_PORT", "", "port"),
        ("TRENDGRAPH_LOG_LEVEL", "LOUD", "log_level"),
        ("TRENDGRAPH_DATABASE", "trend graph", "database"),
        ("TRENDGRAPH_DATABASE", "trends.eu", "database"),
        ("TRENDGRAPH_DATABASE", "x" * 64, "database"),
        ("TRENDGRAPH_MONGODB_TIMEOUT_MS", "10", "mongodb_timeout_ms"),
        ("TRENDGRAPH_MAX_PAGE_SIZE", "0", "max_page_size"),
        ("TRENDGRAPH_DEFAULT_PAGE_SIZE", "101", "default_page_size"),  # above max_page_size
        ("TRENDGRAPH_DATALOADER_BATCH_SIZE", "-1", "dataloader_batch_size"),
        ("TRENDGRAPH_GRAPHIQL", "maybe", "graphiql"),
        ("TRENDGRAPH_PERSISTED_QUERY_TTL_SECONDS", "-1", "persisted_query_ttl_seconds"),
        ("TRENDGRAPH_PERSISTED_QUERY_TTL_SECONDS", "1 week", "persisted_query_ttl_seconds"),
        ("TRENDGRAPH_GC_YOUNG_THRESHOLD", "-5", "gc_young_threshold"),
        ("TRENDGRAPH_GC_YOUNG_THRESHOLD", "lots", "gc_young_threshold"),
    ],
)
def test_bad_values_name_the_field(
    monkeypatch: pytest.MonkeyPatch, variable: str, raw: str, field: str
) -> None:
    monkeypatch.setenv(variable, raw)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert [error["loc"] for error in caught.value.errors()] == [(field,)]
    assert field in str(caught.value)


def test_errors_are_described_by_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRENDGRAPH_PORT", "abc")
    monkeypatch.setenv("TRENDGRAPH_LOG_LEVEL", "LOUD")
    with pytest.raises(ValidationError) as caught:
        Settings()
    lines = describe_settings_error(caught.value)
    assert len(lines) == 2
    assert lines[0].startswith("TRENDGRAPH_PORT: ")
    assert "'abc'" in lines[0]
    assert lines[1].startswith("TRENDGRAPH_LOG_LEVEL: ")


def test_a_bad_uri_is_not_repeated_in_the_description() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(mongodb_uri=["mongodb://user:secret@db"])
    (line,) = describe_settings_error(caught.value)
    assert line.startswith("TRENDGRAPH_MONGODB_URI: ")
    assert "secret" not in line


def test_misspelt_variables_are_named() -> None:
    from app.settings import unknown_variables

    environ = {
        "TRENDGRAPH_PROT": "8001",
        "TRENDGRAPH_PORT": "8001",
        "TRENDGRAPH_TEST_MONGODB_URI": "mongodb://x",
        "PATH": "/bin",
    }
    assert unknown_variables(environ) == ["TRENDGRAPH_PROT"]
