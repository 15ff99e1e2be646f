"""Automatic persisted queries (Apollo APQ): miss, registration, GET hits, the allow-list mode."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.settings import Settings
from app.storage.database import Database
from app.storage.persisted_queries import sha256_hex
from tests.conftest import TEST_DATABASE, app_client

QUERY = 'query AsyncioName { trend(slug: "asyncio") { name } }'
HASH = sha256_hex(QUERY)


def persisted(sha256_hash: str = HASH, version: object = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256_hash}}


def apq_get_params(sha256_hash: str = HASH) -> dict[str, str]:
    return {"extensions": json.dumps(persisted(sha256_hash))}


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


async def test_the_apollo_flow_miss_register_then_hit_over_get(
    client: httpx.AsyncClient, seeded: Database
) -> None:
    miss = await client.get("/graphql", params=apq_get_params())
    assert miss.status_code == 200
    assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert error_code(miss) == "PERSISTED_QUERY_NOT_FOUND"
    assert miss.headers["cache-control"] == "no-store"

    register = await client.post("/graphql", json={"query": QUERY, "extensions": persisted()})
    assert register.json()["data"] == {"trend": {"name": "Asyncio"}}
    stored = await seeded.persisted_queries.find_one({"_id": HASH})
    assert stored is not None and stored["query"] == QUERY

    hit = await client.get("/graphql", params=apq_get_params())
    assert hit.status_code == 200
    assert hit.json()["data"] == {"trend": {"name": "Asyncio"}}
    assert hit.headers["cache-control"].startswith("public, max-age=")
    assert hit.headers["etag"]


async def test_registrations_over_http_expire_and_the_allow_list_does_not(
    seeded: Database, settings: Settings, mongodb_uri: str, tmp_path: Path
) -> None:
    expiring_settings = settings.model_copy(update={"persisted_query_ttl_seconds": 3_600})
    async with app_client(seeded, expiring_settings) as client:
        before = datetime.now(UTC)
        await client.post("/graphql", json={"query": QUERY, "extensions": persisted()})
    stored = await seeded.persisted_queries.find_one({"_id": HASH})
    assert stored is not None
    lifetime = stored["expiresAt"].replace(tzinfo=UTC) - before
    assert timedelta(minutes=59) < lifetime <= timedelta(hours=1, seconds=5)
    indexes = (await seeded.persisted_queries.index_information()).values()
    assert [
        index.get("expireAfterSeconds") for index in indexes if index["key"] == [("expiresAt", 1)]
    ] == [0]

    # Putting the same query on the allow-list makes it permanent.
    document = tmp_path / "asyncio-name.graphql"
    document.write_text(QUERY, encoding="utf-8")
    completed = await asyncio.to_thread(run_cli, mongodb_uri, str(document))
    assert completed.returncode == 0, completed.stderr
    stored = await seeded.persisted_queries.find_one({"_id": HASH})
    assert stored is not None and "expiresAt" not in stored


async def test_a_zero_ttl_keeps_registrations(seeded: Database, settings: Settings) -> None:
    keeping_settings = settings.model_copy(update={"persisted_query_ttl_seconds": 0})
    async with app_client(seeded, keeping_settings) as client:
        await client.post("/graphql", json={"query": QUERY, "extensions": persisted()})
    stored = await seeded.persisted_queries.find_one({"_id": HASH})
    assert stored is not None and "expiresAt" not in stored


async def test_a_miss_is_400_under_graphql_response_json(client: httpx.AsyncClient) -> None:
    miss = await client.get(
        "/graphql",
        params=apq_get_params(),
        headers={"accept": "application/graphql-response+json"},
    )
    assert miss.status_code == 400
    assert error_code(miss) == "PERSISTED_QUERY_NOT_FOUND"
    assert "data" not in miss.json()


async def test_registration_over_get_works_too(client: httpx.AsyncClient) -> None:
    register = await client.get("/graphql", params={"query": QUERY, **apq_get_params()})
    assert register.status_code == 200
    hit = await client.post("/graphql", json={"extensions": persisted()})
    assert hit.json()["data"] == {"trend": {"name": "Asyncio"}}


async def test_every_instance_sees_a_registration(seeded: Database, settings: Settings) -> None:
    """Two apps (two processes' worth of state) on one database."""
    async with app_client(seeded, settings) as first, app_client(seeded, settings) as second:
        await first.post("/graphql", json={"query": QUERY, "extensions": persisted()})
        hit = await second.get("/graphql", params=apq_get_params())
    assert hit.json()["data"] == {"trend": {"name": "Asyncio"}}


async def test_variables_and_operation_name_travel_with_the_hash(
    client: httpx.AsyncClient,
) -> None:
    query = "query A { __typename } query ByName($s: String!) { trend(slug: $s) { slug } }"
    sha256_hash = sha256_hex(query)
    await client.post(
        "/graphql",
        json={
            "query": query,
            "operationName": "ByName",
            "variables": {"s": "asyncio"},
            "extensions": persisted(sha256_hash),
        },
    )
    hit = await client.get(
        "/graphql",
        params={
            "operationName": "ByName",
            "variables": '{"s": "python-asyncio"}',
            **apq_get_params(sha256_hash),
        },
    )
    assert hit.json()["data"] == {"trend": {"slug": "asyncio"}}


async def test_a_hash_that_does_not_match_is_refused(
    client: httpx.AsyncClient, seeded: Database
) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ __typename }", "extensions": persisted()}
    )
    assert response.status_code == 400
    assert error_code(response) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert await seeded.persisted_queries.count_documents({}) == 0


async def test_invalid_documents_are_not_registered(
    client: httpx.AsyncClient, seeded: Database
) -> None:
    invalid = "{ noSuchField }"
    response = await client.post(
        "/graphql", json={"query": invalid, "extensions": persisted(sha256_hex(invalid))}
    )
    assert response.json()["errors"]
    assert await seeded.persisted_queries.count_documents({}) == 0


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        ({"persistedQuery": "abc"}, "must be an object"),
        (persisted(version=2), "Unsupported persisted query version"),
        (persisted(version="1"), "Unsupported persisted query version"),
        (persisted(sha256_hash="abc"), "64 lowercase hex digits"),
        (persisted(sha256_hash=HASH.upper()), "64 lowercase hex digits"),
        ({"persistedQuery": {"version": 1}}, "64 lowercase hex digits"),
    ],
)
async def test_malformed_persisted_query_extensions_get_400(
    client: httpx.AsyncClient, extensions: dict[str, Any], message: str
) -> None:
    response = await client.post("/graphql", json={"extensions": extensions})
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]


async def test_other_extensions_are_ignored(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": QUERY, "extensions": {"tracing": True}})
    assert response.json()["data"] == {"trend": {"name": "Asyncio"}}


# --- TRENDGRAPH_PERSISTED_QUERIES_ONLY -----------------------------------------------------


@pytest.fixture
async def allow_list_client(seeded: Database, settings: Settings) -> Any:
    only = settings.model_copy(update={"persisted_queries_only": True})
    async with app_client(seeded, only) as client:
        yield client


async def test_only_mode_runs_registered_queries(
    allow_list_client: httpx.AsyncClient, seeded: Database
) -> None:
    await seeded.persisted_queries.insert_one({"_id": HASH, "query": QUERY})
    by_hash = await allow_list_client.get("/graphql", params=apq_get_params())
    with_text = await allow_list_client.post(
        "/graphql", json={"query": QUERY, "extensions": persisted()}
    )
    assert by_hash.json()["data"] == with_text.json()["data"] == {"trend": {"name": "Asyncio"}}


async def test_only_mode_refuses_everything_else(
    allow_list_client: httpx.AsyncClient, seeded: Database
) -> None:
    plain = await allow_list_client.post("/graphql", json={"query": QUERY})
    unknown = await allow_list_client.get("/graphql", params=apq_get_params())
    register = await allow_list_client.post(
        "/graphql", json={"query": QUERY, "extensions": persisted()}
    )
    assert (plain.status_code, error_code(plain)) == (400, "PERSISTED_QUERY_REQUIRED")
    assert error_code(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    assert (register.status_code, error_code(register)) == (400, "PERSISTED_QUERY_NOT_REGISTERED")
    assert await seeded.persisted_queries.count_documents({}) == 0


# --- python -m app persist-queries -----------------------------------------------------------


def run_cli(mongodb_uri: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRENDGRAPH_")}
    env |= {"TRENDGRAPH_MONGODB_URI": mongodb_uri, "TRENDGRAPH_DATABASE": TEST_DATABASE}
    return subprocess.run(
        [sys.executable, "-m", "app", "persist-queries", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_the_cli_registers_documents(
    database: Database, mongodb_uri: str, tmp_path: Path
) -> None:
    document = tmp_path / "asyncio-name.graphql"
    document.write_text(QUERY, encoding="utf-8")
    completed = await asyncio.to_thread(run_cli, mongodb_uri, str(document))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == [HASH, str(document)]
    stored = await database.persisted_queries.find_one({"_id": HASH})
    assert stored is not None and stored["query"] == QUERY


async def test_the_cli_refuses_unparsable_documents(
    database: Database, mongodb_uri: str, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.graphql", tmp_path / "bad.graphql"
    good.write_text(QUERY, encoding="utf-8")
    bad.write_text("{ trend(", encoding="utf-8")
    completed = await asyncio.to_thread(run_cli, mongodb_uri, str(good), str(bad))
    assert completed.returncode == 1
    assert "bad.graphql" in completed.stderr
    assert await database.persisted_queries.count_documents({}) == 0
