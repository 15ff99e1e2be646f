"""The database goes away under a running API, and comes back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.settings import Settings
from app.storage.database import Database
from app.storage.embedded import EmbeddedMongo
from app.web.asgi import create_app
from seeds.loader import default_seed_files, load_seed_files
from tests.conftest import asgi_client

QUERY = {"query": '{ trend(slug: "asyncio") { name } }'}


@pytest.fixture
async def own_server(tmp_path: Path) -> AsyncIterator[EmbeddedMongo]:
    server = EmbeddedMongo(tmp_path / "data")
    await asyncio.to_thread(server.start)
    yield server
    await asyncio.to_thread(server.stop)


async def wait_until_ready(client: httpx.AsyncClient, attempts: int = 100) -> None:
    for _ in range(attempts):
        if (await client.get("/readyz")).status_code == 200:
            return
        await asyncio.sleep(0.2)
    pytest.fail("the API did not become ready again after the database returned")


GRAPHQL_RESPONSE = "application/graphql-response+json"
UNAVAILABLE = {
    "message": "The database is unavailable; try again shortly.",
    "extensions": {"code": "DATABASE_UNAVAILABLE"},
}
UNKNOWN_HASH = "0" * 64


def assert_retryable(response: httpx.Response) -> None:
    """503 with Retry-After and DATABASE_UNAVAILABLE: what clients and seeders retry."""
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) >= 1
    errors = response.json()["errors"]
    assert [error["extensions"]["code"] for error in errors] == ["DATABASE_UNAVAILABLE"]


@pytest.mark.parametrize("rate_limit_store", ["process", "database"])
async def test_outage_and_recovery(own_server: EmbeddedMongo, rate_limit_store: str) -> None:
    settings = Settings(
        database="outage", mongodb_timeout_ms=1_000, rate_limit_store=rate_limit_store
    )
    database = Database.connect(own_server.uri, settings.database, timeout_ms=1_000)
    await database.ensure_indexes()
    await load_seed_files(database, default_seed_files())
    app = create_app(settings, database=database)
    try:
        async with asgi_client(app) as client:
            ok = await client.post("/graphql", json=QUERY)
            assert ok.json()["data"] == {"trend": {"name": "Asyncio"}}

            await asyncio.to_thread(own_server.stop)

            # The first request finds out (in its resolver, or in the shared rate limiter):
            # a retryable 503, not a 200 with null data, a 500 or a hang.
            first = await client.post("/graphql", json=QUERY, headers={"accept": GRAPHQL_RESPONSE})
            assert_retryable(first)
            assert database.available is False

            # Later ones fail fast, for every media type and path: refused before
            # execution, no command attempted.
            for accept in (GRAPHQL_RESPONSE, "application/json"):
                later = await client.post("/graphql", json=QUERY, headers={"accept": accept})
                assert_retryable(later)
                assert later.json()["errors"] == [UNAVAILABLE]
                got = await client.get(
                    "/graphql", params={"query": QUERY["query"]}, headers={"accept": accept}
                )
                assert_retryable(got)
                # A persisted query this process has not cached: no 5 s wait, no 500.
                persisted = await client.get(
                    "/graphql",
                    params={
                        "extensions": '{"persistedQuery": {"version": 1, "sha256Hash": "'
                        + UNKNOWN_HASH
                        + '"}}'
                    },
                    headers={"accept": accept},
                )
                assert_retryable(persisted)
            assert (await client.get("/readyz")).status_code == 503
            assert (await client.get("/healthz")).status_code == 200

            await asyncio.to_thread(own_server.start)  # same port, same data folder
            await wait_until_ready(client)
            back = await client.post("/graphql", json=QUERY)
            assert back.status_code == 200
            assert back.json()["data"] == {"trend": {"name": "Asyncio"}}
    finally:
        await database.close()
