"""Finding 11 (and 4's second half): rate limits hold across API processes, and persisted-
query lookups and registrations are charged to the client's bucket."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from app.settings import Settings
from app.storage.database import Database
from app.web.asgi import create_app
from tests.conftest import TEST_DATABASE, asgi_client
from tests.faults.served import serving
from tests.served import ServedAPI

QUERY = {"query": '{ trend(slug: "asyncio") { name } }'}  # costs 1 point
SMALL_BUCKET = {
    "TRENDGRAPH_RATE_LIMIT_ANONYMOUS_CAPACITY": "10",
    "TRENDGRAPH_RATE_LIMIT_ANONYMOUS_RESTORE_RATE": "0.01",
}


@pytest.fixture
async def two_processes(
    faults_database_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[ServedAPI, ServedAPI]]:
    folder = tmp_path_factory.mktemp("two")
    name = f"two_{uuid.uuid4().hex[:12]}"  # no bucket left by an earlier test
    a = ServedAPI(faults_database_uri, name, folder / "a.log", extra_env=SMALL_BUCKET)
    b = ServedAPI(faults_database_uri, name, folder / "b.log", extra_env=SMALL_BUCKET)
    async with serving(a), serving(b):
        yield a, b


async def test_two_processes_share_one_bucket(two_processes: tuple[ServedAPI, ServedAPI]) -> None:
    """Ten points a client, however many processes its requests reach: with buckets in
    each process it got twenty."""
    a, b = two_processes
    async with httpx.AsyncClient() as client:
        statuses = [
            (await client.post(server.url, json=QUERY)).status_code
            for _ in range(10)
            for server in (a, b)
        ]
    assert statuses.count(200) == 10, statuses
    assert statuses.count(429) == 10, statuses


async def test_persisted_query_misses_and_registrations_are_charged(seeded: Database) -> None:
    settings = Settings(
        database=TEST_DATABASE,
        rate_limit_anonymous_capacity=12,
        rate_limit_anonymous_restore_rate=0.01,
    )
    async with asgi_client(create_app(settings, database=seeded)) as client:
        codes = []
        for number in range(15):
            unknown = f"{number:064x}"
            response = await client.get(
                "/graphql",
                params={
                    "extensions": '{"persistedQuery":{"version":1,"sha256Hash":"' + unknown + '"}}'
                },
            )
            codes.append((response.status_code, response.json()["errors"][0]["extensions"]["code"]))
    # One point a lookup: twelve misses, then the bucket is empty.
    assert codes[:12] == [(200, "PERSISTED_QUERY_NOT_FOUND")] * 12
    assert codes[12:] == [(429, "RATE_LIMITED")] * 3


async def test_the_shared_bucket_costs_one_command_while_in_use(
    seeded: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """The measured cost of sharing: commands per request beyond the query's own."""
    commands: dict[str, list[int]] = {}
    for store in ("process", "database"):
        settings = Settings(
            database=TEST_DATABASE,
            rate_limit_store=store,
            rate_limit_anonymous_restore_rate=0.01,  # the bucket stays in use
        )
        async with asgi_client(create_app(settings, database=seeded)) as client:
            with caplog.at_level(logging.INFO, logger="trendgraph.access"):
                caplog.clear()
                for _ in range(3):
                    assert (await client.post("/graphql", json=QUERY)).status_code == 200
            commands[store] = [
                record.__dict__["database_commands"]
                for record in caplog.records
                if record.name == "trendgraph.access"
            ]
    assert commands["process"] == [1, 1, 1]
    # One command a request for the bucket, whether it was full or in use.
    assert commands["database"] == [2, 2, 2]
