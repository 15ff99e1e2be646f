"""Over HTTP: reads are public; every mutation needs a valid API key (else 401, no write)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.domain.keys import hash_key
from app.settings import Settings
from app.storage.database import Database
from app.web.asgi import create_app
from tests.conftest import GraphQLClient, asgi_client
from tests.writes import (
    CREATE_CATEGORY,
    CREATE_TREND,
    DELETE_TREND,
    UPDATE_CATEGORY,
    UPDATE_TREND,
    UPSERT_CATEGORIES,
    UPSERT_TRENDS,
    add_categories,
    trend_input,
)

API_KEY = "test-key-0123456789"
OTHER_KEY = "test-key-of-someone-else"

MUTATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "createTrend": (CREATE_TREND, {"input": trend_input("new")}),
    "updateTrend": (
        UPDATE_TREND,
        {"slug": "rust", "input": trend_input("rust", name="Renamed"), "expectedVersion": 1},
    ),
    "deleteTrend": (DELETE_TREND, {"slug": "rust", "expectedVersion": 1}),
    "upsertTrends": (UPSERT_TRENDS, {"inputs": [trend_input("new")]}),
    "createCategory": (CREATE_CATEGORY, {"input": {"slug": "new-category", "name": "New"}}),
    "updateCategory": (
        UPDATE_CATEGORY,
        {"slug": "technology", "input": {"slug": "technology", "name": "Tech"}},
    ),
    "upsertCategories": (UPSERT_CATEGORIES, {"inputs": [{"slug": "new-category", "name": "N"}]}),
}
REFUSED_HEADERS = {
    "no-header": {},
    "wrong-key": {"Authorization": f"Bearer {OTHER_KEY}"},
    "the-hash-as-key": {"Authorization": f"Bearer {hash_key(API_KEY)}"},
    "basic-scheme": {"Authorization": f"Basic {API_KEY}"},
    "empty-bearer": {"Authorization": "Bearer "},
    "key-without-scheme": {"Authorization": API_KEY},
}


@pytest.fixture
async def client(database: Database, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    await add_categories(database)
    app_settings = settings.model_copy(
        update={"api_key_hashes": (hash_key(API_KEY), hash_key("another-valid-key"))}
    )
    app = create_app(app_settings, database=database)
    async with asgi_client(app) as http:
        response = await http.post(
            "/graphql",
            json={"query": CREATE_TREND, "variables": {"input": trend_input("rust")}},
            headers={"Authorization": f"Bearer {API_KEY}"},
        )
        assert response.json()["data"]["createTrend"]["userErrors"] == []
        yield http


async def snapshot(database: Database) -> list[Any]:
    return [
        [document async for document in collection.find({}).sort("_id", 1)]
        for collection in (database.trends, database.categories)
    ]


@pytest.mark.parametrize("mutation", MUTATIONS)
@pytest.mark.parametrize("headers", REFUSED_HEADERS.values(), ids=REFUSED_HEADERS.keys())
async def test_refused_without_a_valid_key(
    database: Database, client: httpx.AsyncClient, mutation: str, headers: dict[str, str]
) -> None:
    query, variables = MUTATIONS[mutation]
    before = await snapshot(database)

    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="trendgraph"'
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert error["path"] == [mutation]
    assert "API key" in error["message"]
    assert await snapshot(database) == before


@pytest.mark.parametrize("mutation", MUTATIONS)
async def test_allowed_with_a_valid_key(
    database: Database, client: httpx.AsyncClient, mutation: str
) -> None:
    query, variables = MUTATIONS[mutation]
    before = await snapshot(database)

    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"bearer  {API_KEY} "},
    )

    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    payload = body["data"][mutation]
    assert payload["userErrors"] == []
    assert all(result["outcome"] != "FAILED" for result in payload.get("results", []))
    assert await snapshot(database) != before


async def test_any_configured_key_works(client: httpx.AsyncClient) -> None:
    query, variables = MUTATIONS["createCategory"]
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": "Bearer another-valid-key"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["createCategory"]["userErrors"] == []


async def test_reads_need_no_key(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": '{ trend(slug: "rust") { name } }'})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"trend": {"name": "Trend rust"}}
    assert "errors" not in body


async def test_with_no_keys_configured_nobody_writes(
    database: Database, settings: Settings
) -> None:
    app = create_app(settings, database=database)
    async with asgi_client(app) as http:
        query, variables = MUTATIONS["createCategory"]
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {API_KEY}"},
        )
    assert response.status_code == 401
    assert await database.categories.count_documents({}) == 0


async def test_keys_never_reach_the_logs(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    query, variables = MUTATIONS["createCategory"]
    for key in (API_KEY, OTHER_KEY):
        await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {key}"},
        )
    assert caplog.records  # the requests were logged at some level...
    assert API_KEY not in caplog.text and OTHER_KEY not in caplog.text  # ...without the keys


@pytest.mark.parametrize("mutation", MUTATIONS)
async def test_refused_without_a_principal_outside_http(
    database: Database, graphql: GraphQLClient, mutation: str
) -> None:
    await add_categories(database)
    query, variables = MUTATIONS[mutation]
    result, _ = await graphql.execute(query, variables)
    assert result.data is None
    assert result.errors is not None
    assert [error.extensions for error in result.errors] == [{"code": "UNAUTHENTICATED"}]
    assert await database.trends.count_documents({}) == 0
