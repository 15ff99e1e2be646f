"""Shared fixtures: one real wire-protocol database per test session, emptied around each test.

The embedded SecantusDB server is started once (it takes seconds to stop), unless
``TRENDGRAPH_TEST_MONGODB_URI`` points at a real MongoDB. Tests use their own database,
``trendgraph_test``, so they never touch served data.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette
from strawberry.types import ExecutionResult

from app.domain.keys import Principal
from app.settings import Settings
from app.storage.command_stats import CommandStats, count_commands
from app.storage.database import Database
from app.storage.embedded import EmbeddedMongo
from app.storage.forecast_worker import ForecastWorker
from schema.context import Context
from schema.root import build_schema
from seeds.loader import default_seed_files, load_seed_files
from tests.served import ServedAPI

TEST_DATABASE = "trendgraph_test"
TEST_SETTINGS = Settings(
    database=TEST_DATABASE, mongodb_uri=None, alerts_enabled=False, forecast_catch_up=False
)
"""The suite's settings: defaults, except what the environment sets (and no alert evaluator
or forecast catch-up in in-process apps unless a test asks for one). Run the whole suite
with ``TRENDGRAPH_COMPILED_EXECUTION=false`` to check it on graphql-core's executor."""
default_schema = build_schema(TEST_SETTINGS)
"""The schema of ``TEST_SETTINGS``, which most tests execute against."""


@pytest.fixture(scope="session")
def mongodb_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A MongoDB-wire server for the whole session."""
    configured = os.environ.get("TRENDGRAPH_TEST_MONGODB_URI")
    if configured:
        yield configured
        return
    with EmbeddedMongo(tmp_path_factory.mktemp("embedded") / "data") as server:
        yield server.uri


@pytest.fixture(scope="session")
def settings() -> Settings:
    return TEST_SETTINGS


@pytest.fixture(scope="session")
async def session_database(mongodb_uri: str) -> AsyncIterator[Database]:
    database = Database.connect(mongodb_uri, TEST_DATABASE)
    await database.ensure_indexes()
    yield database
    await database.close()


async def _empty(database: Database) -> None:
    for collection in (
        database.trends,
        database.categories,
        database.trend_series,
        database.persisted_queries,
        database.rate_limits,
        database.forecasts,
        database.watchlists,
        database.alert_rules,
        database.alert_outbox,
        database.alert_deliveries,
        database.alert_state,
    ):
        await collection.delete_many({})


@pytest.fixture
async def database(session_database: Database) -> AsyncIterator[Database]:
    """The test database, with every collection empty at the start and end of the test."""
    await _empty(session_database)
    yield session_database
    await _empty(session_database)


@pytest.fixture
async def seeded(database: Database) -> Database:
    """The database holding the shipped seed data."""
    await load_seed_files(database, default_seed_files())
    return database


@dataclass
class GraphQLClient:
    """Runs operations against the schema with a fresh context each, as HTTP requests do."""

    database: Database
    settings: Settings
    schema: strawberry.Schema = default_schema
    principal: Principal | None = None
    """Who the requests authenticate as; ``None``: anonymous, so mutations are refused."""
    forecast_worker: ForecastWorker | None = None
    """Recomputes forecasts after series writes, as in the app; ``None``: nothing does."""
    compose: Callable[[Context], Context] | None = None
    """Changes each new context (a baseline's loaders, say), as a view subclass would."""

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> tuple[ExecutionResult, CommandStats]:
        context = Context.create(
            self.database,
            self.settings,
            principal=self.principal,
            forecast_worker=self.forecast_worker,
        )
        if self.compose is not None:
            context = self.compose(context)
        with count_commands(context.command_stats) as stats:
            result = await self.schema.execute(
                query, variable_values=variables, context_value=context
            )
        return result, stats

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        """``result.data`` of an operation that must succeed."""
        result, _ = await self.execute(query, variables)
        assert result.errors is None, result.errors
        return result.data

    async def errors(self, query: str, variables: dict[str, Any] | None = None) -> list[str]:
        """The error messages of an operation that must fail."""
        result, _ = await self.execute(query, variables)
        assert result.errors, f"expected errors, got data {result.data}"
        return [error.message for error in result.errors]


@pytest.fixture
def graphql(database: Database, settings: Settings) -> GraphQLClient:
    return GraphQLClient(database, settings)


@pytest.fixture
def editor(database: Database, settings: Settings) -> GraphQLClient:
    """Like ``graphql``, but authenticated with an API key, so mutations may run."""
    return GraphQLClient(database, settings, principal=Principal(key_id="test-editor"))


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``TRENDGRAPH_*`` variable of the surrounding shell leaks into the test."""
    for name in list(os.environ):
        if name.upper().startswith("TRENDGRAPH_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@contextlib.asynccontextmanager
async def asgi_client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to ``app`` in process, with the app's lifespan running."""
    async with (
        # Generous: an app that starts its embedded server and seeds takes seconds on a
        # loaded machine (asgi-lifespan gives 5 s by default).
        LifespanManager(app, startup_timeout=60, shutdown_timeout=60) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://test"
        ) as client,
    ):
        yield client


@contextlib.asynccontextmanager
async def app_client(database: Database, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking in process to the app built from ``settings`` on ``database``."""
    from app.web.asgi import create_app

    async with asgi_client(create_app(settings, database=database)) as client:
        yield client


@pytest.fixture
async def client(seeded: Database, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app over HTTP, in-process, on the seed data."""
    async with app_client(seeded, settings) as client:
        yield client


SERVED_API_KEY = "served-api-test-key"
"""The API key ``served_api`` accepts for mutations (tests only)."""


@pytest.fixture(scope="session")
def served_api(mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedAPI]:
    """The API served by ``python -m app serve`` on the test database, for the session."""
    from app.domain.keys import hash_key

    log_path = tmp_path_factory.mktemp("served") / "api-a.log"
    writes = {"TRENDGRAPH_API_KEY_HASHES": hash_key(SERVED_API_KEY)}
    with ServedAPI(mongodb_uri, TEST_DATABASE, log_path, extra_env=writes) as server:
        yield server
