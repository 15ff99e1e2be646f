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


async def test_outage_and_recovery(own_server: EmbeddedMongo) -> None:
    settings = Settings(database="outage", mongodb_timeout_ms=1_000)
    database = Database.connect(own_server.uri, settings.database, timeout_ms=1_000)
    await database.ensure_indexes()
    await load_seed_files(database, default_seed_files())
    app = create_app(settings, database=database)
    try:
        async with asgi_client(app) as client:
            ok = await client.post("/graphql", json=QUERY)
            assert ok.json()["data"] == {"trend": {"name": "Asyncio"}}

            await asyncio.to_thread(own_server.stop)

            # The first request finds out; it gets a clear error, not a 500 or a hang.
            first = await client.post("/graphql", json=QUERY)
            assert first.status_code == 200
            assert first.json()["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
            assert database.available is False

            # Later ones fail fast: refused before execution, no command attempted.
            later = await client.post("/graphql", json=QUERY)
            body = later.json()
            assert "data" not in body  # refused before execution
            assert body["errors"] == [
                {
                    "message": "The database is unavailable; try again shortly.",
                    "extensions": {"code": "DATABASE_UNAVAILABLE"},
                }
            ]
            assert (await client.get("/readyz")).status_code == 503
            assert (await client.get("/healthz")).status_code == 200

            await asyncio.to_thread(own_server.start)  # same port, same data folder
            await wait_until_ready(client)
            back = await client.post("/graphql", json=QUERY)
            assert back.json()["data"] == {"trend": {"name": "Asyncio"}}
    finally:
        await database.close()
