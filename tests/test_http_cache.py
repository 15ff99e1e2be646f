"""HTTP caching of GET query responses: Cache-Control, strong ETags, 304 on If-None-Match."""

from __future__ import annotations

import httpx
import pytest

from app.settings import Settings
from app.storage.database import Database
from app.web.http_cache import if_none_match, strong_etag
from tests.conftest import app_client

QUERY = {"query": '{ trend(slug: "asyncio") { name growth { label percent } } }'}


async def test_get_queries_are_cacheable(client: httpx.AsyncClient, settings: Settings) -> None:
    response = await client.get("/graphql", params=QUERY)
    assert response.status_code == 200
    assert response.headers["cache-control"] == f"public, max-age={settings.cache_max_age}"
    assert response.headers["etag"] == strong_etag(
        response.content, response.headers["content-type"]
    )
    assert not response.headers["etag"].startswith("W/")
    assert response.headers["vary"] == "Accept"


async def test_cached_bodies_leave_out_the_clients_rate_limit_state(
    client: httpx.AsyncClient,
) -> None:
    """Rate limiting is on: the bucket changes each request, the cacheable body must not."""
    # Costs more points than the bucket refills between two requests (50 a second).
    costly = {"query": "{ trends(first: 100) { edges { node { name category { name } } } } }"}
    first = await client.get("/graphql", params=costly)
    second = await client.get("/graphql", params=costly)
    assert "throttleStatus" not in first.json()["extensions"]["cost"]
    assert first.json()["extensions"]["cost"]["requestedQueryCost"] >= 1
    assert first.headers["etag"] == second.headers["etag"]
    assert int(second.headers["ratelimit-remaining"]) < int(first.headers["ratelimit-remaining"])
    posted = await client.post("/graphql", json=QUERY)
    assert "throttleStatus" in posted.json()["extensions"]["cost"]


async def test_a_matching_if_none_match_gets_304_without_a_body(
    client: httpx.AsyncClient,
) -> None:
    first = await client.get("/graphql", params=QUERY)
    etag = first.headers["etag"]
    for header in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        again = await client.get("/graphql", params=QUERY, headers={"if-none-match": header})
        assert again.status_code == 304, header
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == first.headers["cache-control"]


async def test_a_stale_etag_gets_the_new_body(client: httpx.AsyncClient, seeded: Database) -> None:
    first = await client.get("/graphql", params=QUERY)
    await seeded.trends.update_one({"slug": "asyncio"}, {"$set": {"name": "Asyncio!"}})
    second = await client.get(
        "/graphql", params=QUERY, headers={"if-none-match": first.headers["etag"]}
    )
    assert second.status_code == 200
    assert second.json()["data"]["trend"]["name"] == "Asyncio!"
    assert second.headers["etag"] != first.headers["etag"]


async def test_each_media_type_is_its_own_representation(client: httpx.AsyncClient) -> None:
    as_json = await client.get("/graphql", params=QUERY)
    as_graphql = await client.get(
        "/graphql", params=QUERY, headers={"accept": "application/graphql-response+json"}
    )
    # Same bytes, another Content-Type: another tag, and Vary: Accept keeps caches apart.
    assert as_json.content == as_graphql.content
    assert as_json.headers["etag"] != as_graphql.headers["etag"]
    assert as_json.headers["vary"] == as_graphql.headers["vary"] == "Accept"


async def test_posts_are_never_cached(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=QUERY)
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


async def test_mutation_attempts_over_get_are_not_cached(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "mutation { __typename }"})
    assert response.status_code == 405
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "params",
    [
        {"query": "{ trends(first: 0) { totalCount } }"},  # field error, data present
        {"query": "{ noSuchField }"},  # validation error
    ],
)
async def test_responses_with_errors_are_not_cached(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get("/graphql", params=params)
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


@pytest.mark.parametrize("credential", ["authorization", "x-api-key"])
async def test_requests_with_credentials_are_cached_privately(
    client: httpx.AsyncClient, settings: Settings, credential: str
) -> None:
    response = await client.get("/graphql", params=QUERY, headers={credential: "secret"})
    assert response.headers["cache-control"] == f"private, max-age={settings.cache_max_age}"


async def test_max_age_is_configurable(seeded: Database, settings: Settings) -> None:
    async with (
        app_client(seeded, settings.model_copy(update={"cache_max_age": 300})) as long_lived,
        app_client(seeded, settings.model_copy(update={"cache_max_age": 0})) as revalidating,
    ):
        long_response = await long_lived.get("/graphql", params=QUERY)
        zero_response = await revalidating.get("/graphql", params=QUERY)
    assert long_response.headers["cache-control"] == "public, max-age=300"
    assert zero_response.headers["cache-control"] == "no-cache"
    assert zero_response.headers["etag"]


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ("", False),
        ('"abc"', True),
        ('W/"abc"', True),
        ('"abd"', False),
        ('"x", "abc"', True),
        ("*", True),
        ("abc", False),
    ],
)
def test_if_none_match_parsing(header: str | None, matches: bool) -> None:
    assert if_none_match(header, '"abc"') is matches
