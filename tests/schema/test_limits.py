"""Query limits (depth, aliases, tokens), introspection and suggestions, from settings."""

from __future__ import annotations

import pytest

from app.settings import Settings
from app.storage.database import Database
from schema.root import build_schema
from tests.conftest import GraphQLClient

LIMITED = Settings(
    database="trendgraph_test",
    max_query_depth=3,
    max_aliases=2,
    max_tokens=40,
    introspection=False,
    field_suggestions=False,
)


@pytest.fixture(scope="module")
def limited_schema() -> object:
    return build_schema(LIMITED)


@pytest.fixture
def limited(database: Database, limited_schema: object) -> GraphQLClient:
    return GraphQLClient(database, LIMITED, limited_schema)  # type: ignore[arg-type]


async def errors_of(client: GraphQLClient, query: str) -> list[str]:
    result, stats = await client.execute(query)
    assert stats.commands == 0 or result.errors is None
    return [error.message for error in result.errors or []]


async def test_depth_at_and_over_the_limit(seeded: Database, limited: GraphQLClient) -> None:
    at_limit = '{ trend(slug: "asyncio") { category { parent { name } } } }'
    over = '{ trend(slug: "asyncio") { category { parent { parent { name } } } } }'
    assert await errors_of(limited, at_limit) == []
    assert await errors_of(limited, over) == ["'anonymous' exceeds maximum operation depth of 3"]


async def test_aliases_at_and_over_the_limit(seeded: Database, limited: GraphQLClient) -> None:
    at_limit = '{ a: trend(slug: "asyncio") { name } b: trend(slug: "x") { name } }'
    over = '{ a: trend(slug: "asyncio") { n: name } b: trend(slug: "x") { name } }'
    assert await errors_of(limited, at_limit) == []
    errors = await errors_of(limited, over)
    assert len(errors) == 1
    assert "2" in errors[0] and "alias" in errors[0].lower()


async def test_tokens_over_the_limit(seeded: Database, limited: GraphQLClient) -> None:
    small = '{ trend(slug: "asyncio") { name } }'
    big = "{ " + " ".join("categories { slug name }" for _ in range(8)) + " }"
    assert await errors_of(limited, small) == []
    errors = await errors_of(limited, big)
    assert len(errors) == 1
    assert "more than 40 tokens" in errors[0]


async def test_introspection_can_be_switched_off(
    seeded: Database, limited: GraphQLClient, graphql: GraphQLClient
) -> None:
    query = "{ __schema { queryType { name } } }"
    assert await errors_of(graphql, query) == []
    errors = await errors_of(limited, query)
    assert errors and "introspection" in errors[0].lower()


async def test_field_suggestions_can_be_switched_off(
    seeded: Database, limited: GraphQLClient, graphql: GraphQLClient
) -> None:
    query = '{ trend(slug: "asyncio") { nam } }'
    assert "Did you mean" in (await errors_of(graphql, query))[0]
    assert "Did you mean" not in (await errors_of(limited, query))[0]
