"""The recovery probe: with a heartbeat far longer than the test, the API still serves again
soon after the database returns, because it probes the database while it is unavailable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.settings import Settings
from app.storage.database import Database
from app.storage.embedded import EmbeddedMongo
from app.web.asgi import create_app
from tests.conftest import asgi_client

QUERY = {"query": "{ categories { slug } }"}
HEARTBEAT_MS = 600_000
"""Ten minutes: the driver's own checks cannot be what notices the database's return."""


@pytest.fixture
async def own_server(tmp_path: Path) -> AsyncIterator[EmbeddedMongo]:
    server = EmbeddedMongo(tmp_path / "data")
    await asyncio.to_thread(server.start)
    yield server
    await asyncio.to_thread(server.stop)


@pytest.mark.parametrize("response_cache_entries", [0, 2_000])
async def test_the_probe_notices_the_database_return(
    own_server: EmbeddedMongo, response_cache_entries: int
) -> None:
    # Without the response cache no change stream retries either: only the probe is left.
    settings = Settings(
        database="probe",
        mongodb_timeout_ms=1_000,
        mongodb_heartbeat_ms=HEARTBEAT_MS,
        response_cache_entries=response_cache_entries,
    )
    database = Database.connect(
        own_server.uri, settings.database, timeout_ms=1_000, heartbeat_ms=HEARTBEAT_MS
    )
    try:
        async with asgi_client(create_app(settings, database=database)) as client:
            assert "errors" not in (await client.post("/graphql", json=QUERY)).json()
            await asyncio.to_thread(own_server.stop)
            for _ in range(50):
                answer = (await client.post("/graphql", json=QUERY)).json()
                if answer.get("errors") and not database.available:
                    break
                await asyncio.sleep(0.1)
            assert database.available is False

            await asyncio.to_thread(own_server.start)  # same port, same data folder
            for _ in range(200):  # 20 s at most, far less than a heartbeat
                if database.available:
                    break
                await asyncio.sleep(0.1)
            assert database.available is True
            assert "errors" not in (await client.post("/graphql", json=QUERY)).json()
    finally:
        await database.close()


async def test_the_probe_costs_nothing_while_the_database_is_up(
    own_server: EmbeddedMongo,
) -> None:
    pings = 0
    database = Database.connect(own_server.uri, "probe", heartbeat_ms=HEARTBEAT_MS)

    async def counted() -> bool:
        nonlocal pings
        pings += 1
        return await database.ping_quietly()

    database.ping_quietly = counted  # type: ignore[method-assign]
    try:
        async with database.probing(100):
            await database.client.admin.command("ping")
            await asyncio.sleep(1)
        assert pings == 0
    finally:
        await database.close()
