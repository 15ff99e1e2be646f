"""The response cache: shared only by anonymous GET queries, never stale after a write."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator

import httpx
import pytest

from app.domain.keys import hash_key
from app.settings import Settings
from app.storage.database import Database
from app.storage.response_cache import ResponseCache
from app.web.asgi import create_app
from tests.conftest import asgi_client

QUERY = '{ trend(slug: "asyncio") { name description } }'
KEY_A, KEY_B = "key-a-for-tests", "key-b-for-tests"
RENAME = """mutation($v: Int!) { updateTrend(slug: "asyncio", expectedVersion: $v,
  input: {slug: "asyncio", name: "Asyncio 2"}) { trend { name } userErrors { code } } }"""


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_and_are_evicted_least_recent_first() -> None:
    clock = Clock()
    cache = ResponseCache(2, 10, clock=clock)
    cache.live = True
    cache.put("a", {"a": 1}, cache.generation)
    cache.put("b", {"b": 1}, cache.generation)
    assert cache.get("a") == {"a": 1}
    cache.put("c", {"c": 1}, cache.generation)  # evicts b, the least recently used
    assert (cache.get("b"), cache.get("c")) == (None, {"c": 1})
    clock.now = 11
    assert cache.get("a") is None


def test_a_result_computed_across_a_write_is_not_stored() -> None:
    cache = ResponseCache(10, 10)
    cache.live = True
    started = cache.generation
    cache.invalidate()  # a write lands while the query runs
    cache.put("k", {"stale": True}, started)
    assert cache.get("k") is None


def test_nothing_is_served_while_the_change_stream_is_not_watching() -> None:
    cache = ResponseCache(10, 10)
    cache.put("k", {"x": 1}, cache.generation)
    assert cache.get("k") is None
    cache.live = True
    cache.put("k", {"x": 1}, cache.generation)
    assert cache.get("k") == {"x": 1}


@pytest.fixture
async def client(seeded: Database) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database="trendgraph_test",
        api_key_hashes=",".join(hash_key(key) for key in (KEY_A, KEY_B)),
        rate_limit_enabled=False,
    )
    async with asgi_client(create_app(settings, database=seeded)) as client:
        yield client


async def get(client: httpx.AsyncClient, key: str | None = None) -> httpx.Response:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return await client.get("/graphql", params={"query": QUERY}, headers=headers)


async def until_cached(client: httpx.AsyncClient) -> httpx.Response:
    """GET until the cache (which waits for its change stream) answers a hit."""
    for _ in range(100):
        response = await get(client)
        if response.headers.get("x-cache") == "HIT":
            return response
        await asyncio.sleep(0.05)
    pytest.fail("the response cache never served a hit")


async def test_anonymous_get_is_served_from_the_cache(client: httpx.AsyncClient) -> None:
    hit = await until_cached(client)
    assert hit.json()["data"]["trend"]["name"] == "Asyncio"
    assert (await get(client)).headers["x-cache"] == "HIT"


async def test_a_write_through_this_process_shows_at_once(client: httpx.AsyncClient) -> None:
    await until_cached(client)
    renamed = await client.post(
        "/graphql",
        json={"query": RENAME, "variables": {"v": 1}},
        headers={"authorization": f"Bearer {KEY_A}"},
    )
    assert renamed.json()["data"]["updateTrend"]["userErrors"] == []
    after = await get(client)
    assert after.headers["x-cache"] == "MISS"
    assert after.json()["data"]["trend"]["name"] == "Asyncio 2"


async def test_a_write_by_another_process_is_never_served_stale_once_seen(
    client: httpx.AsyncClient, mongodb_uri: str
) -> None:
    await until_cached(client)
    writer = (
        "import sys; from pymongo import MongoClient; "
        "MongoClient(sys.argv[1])['trendgraph_test'].trends.update_one("
        "{'slug': 'asyncio'}, {'$set': {'name': 'Renamed elsewhere'}, '$inc': {'version': 1}})"
    )
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", writer, mongodb_uri)
    assert await asyncio.wait_for(process.wait(), 60) == 0
    names = []
    for _ in range(200):
        names.append((await get(client)).json()["data"]["trend"]["name"])
        if names[-1] == "Renamed elsewhere" and len(names) >= 3 and names[-3:] == [names[-1]] * 3:
            break
        await asyncio.sleep(0.02)
    assert names[-1] == "Renamed elsewhere", names
    first_fresh = names.index("Renamed elsewhere")
    assert set(names[first_fresh:]) == {"Renamed elsewhere"}, names


async def test_authenticated_requests_are_never_cached_or_shared(
    client: httpx.AsyncClient, seeded: Database
) -> None:
    await until_cached(client)
    with_key_a = await get(client, KEY_A)
    assert "x-cache" not in with_key_a.headers
    # Keyed requests neither read nor fill the shared cache (no X-Cache header), so one
    # key's answer can never reach another key or an anonymous client.
    with_key_b = await get(client, KEY_B)
    assert "x-cache" not in with_key_b.headers
    assert with_key_a.headers.get("cache-control", "").startswith("private")


async def test_posted_queries_are_not_cached(client: httpx.AsyncClient) -> None:
    await until_cached(client)
    response = await client.post("/graphql", json={"query": QUERY})
    assert response.status_code == 200
    assert "x-cache" not in response.headers


async def test_only_changes_to_what_results_read_empty_the_cache(database: Database) -> None:
    """Finding 4: APQ registrations (and rate-limit buckets) are database writes anyone can
    make; they must not empty the cache. Events arrive in order, so once the trend write's
    event has emptied it, the earlier ones have been seen (and ignored)."""
    cache = ResponseCache(10, 60)
    follower = asyncio.create_task(cache.follow_changes(database))
    try:
        for _ in range(200):
            if cache.live:
                break
            await asyncio.sleep(0.02)
        assert cache.live
        before = cache.generation
        for number in range(5):
            await database.persisted_queries.insert_one({"_id": f"{number:064d}", "query": "{x}"})
            await database.rate_limits.insert_one({"_id": f"ip:10.0.0.{number}", "tat": 1.0})
        await database.trends.insert_one({"slug": "marker", "name": "Marker"})
        for _ in range(200):
            if cache.generation != before:
                break
            await asyncio.sleep(0.02)
        assert cache.generation == before + 1
        # A forecast (of a signal that is not primary, say) changes what pages answer too.
        await database.forecasts.insert_one({"trendId": "t", "seriesVersion": 1})
        for _ in range(200):
            if cache.generation != before + 1:
                break
            await asyncio.sleep(0.02)
        assert cache.generation == before + 2
    finally:
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower
