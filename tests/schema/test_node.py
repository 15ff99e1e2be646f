"""Relay ``node``/``nodes`` with global IDs, ``compareTrends`` and ``categories``."""

from __future__ import annotations

import base64

import pytest

from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.factories import make_trends


def global_id(type_name: str, raw_id: str) -> str:
    return base64.b64encode(f"{type_name}:{raw_id}".encode()).decode()


async def test_node_round_trips_a_trend_and_a_category(
    seeded: Database, graphql: GraphQLClient
) -> None:
    data = await graphql.data('{ trend(slug: "asyncio") { id category { id } } }')
    trend_id, category_id = data["trend"]["id"], data["trend"]["category"]["id"]
    stored = await seeded.trends.find_one({"slug": "asyncio"})
    assert stored is not None
    assert trend_id == global_id("Trend", str(stored["_id"]))

    nodes = await graphql.data(
        """query($trend: ID!, $category: ID!) {
             trend: node(id: $trend) { __typename id ... on Trend { slug } }
             category: node(id: $category) { __typename ... on Category { slug name } }
           }""",
        {"trend": trend_id, "category": category_id},
    )
    assert nodes["trend"] == {"__typename": "Trend", "id": trend_id, "slug": "asyncio"}
    assert nodes["category"] == {
        "__typename": "Category",
        "slug": "software-development",
        "name": "Software Development",
    }


async def test_nodes_keeps_order_and_nulls_unknown_ids(
    database: Database, graphql: GraphQLClient
) -> None:
    await make_trends(database, 3)
    page = await graphql.data("{ trends(first: 3) { edges { node { id slug } } } }")
    ids = [edge["node"]["id"] for edge in page["trends"]["edges"]]
    unknown = global_id("Trend", "0123456789abcdef01234567")
    not_an_object_id = global_id("Trend", "zzz")
    data = await graphql.data(
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Trend { slug } } }",
        {"ids": [ids[2], unknown, ids[0], not_an_object_id]},
    )
    slugs = [edge["node"]["slug"] for edge in page["trends"]["edges"]]
    assert data["nodes"] == [{"slug": slugs[2]}, None, {"slug": slugs[0]}, None]


@pytest.mark.parametrize(
    "bad_id",
    ["not base64 at all!", base64.b64encode(b"no-colon").decode(), global_id("Movie", "1")],
)
async def test_malformed_global_ids_get_a_clear_error(
    seeded: Database, graphql: GraphQLClient, bad_id: str
) -> None:
    result, _ = await graphql.execute("query($id: ID!) { node(id: $id) { id } }", {"id": bad_id})
    assert result.errors is not None
    assert len(result.errors) == 1
    message = result.errors[0].message
    assert "Movie" in message if "Movie" in bad_id else message
    assert result.errors[0].original_error is None or not isinstance(
        result.errors[0].original_error, AssertionError
    )


async def test_compare_trends_answers_in_the_order_asked(
    database: Database, graphql: GraphQLClient
) -> None:
    await make_trends(database, 5)
    data = await graphql.data('{ compareTrends(slugs: ["t-03", "nope", "t-01", "t-03"]) { slug } }')
    assert data["compareTrends"] == [{"slug": "t-03"}, None, {"slug": "t-01"}, {"slug": "t-03"}]


@pytest.mark.parametrize("count", [0, 21])
async def test_compare_trends_bounds(
    database: Database, graphql: GraphQLClient, count: int
) -> None:
    errors = await graphql.errors(
        "query($slugs: [String!]!) { compareTrends(slugs: $slugs) { slug } }",
        {"slugs": [f"s{i}" for i in range(count)]},
    )
    assert errors == [f"compareTrends takes 1 to 20 slugs, got {count}"]


async def test_categories_are_listed_by_slug(seeded: Database, graphql: GraphQLClient) -> None:
    data = await graphql.data("{ categories { slug name description parent { slug } } }")
    slugs = [category["slug"] for category in data["categories"]]
    assert slugs == sorted(slugs)
    assert len(slugs) == 8
    by_slug = {category["slug"]: category for category in data["categories"]}
    assert by_slug["software-development"]["parent"] == {"slug": "technology"}
    assert by_slug["technology"]["parent"] is None


async def test_explicit_related_trends_come_first_in_link_order(
    database: Database, graphql: GraphQLClient
) -> None:
    await make_trends(database, 6, related_per_trend=3)
    data = await graphql.data(
        """{ trend(slug: "t-04") { all: related(first: 3) { slug } two: related(first: 2) { slug }
                                  none: related(first: 0) { slug } } }"""
    )
    assert data["trend"] == {
        "all": [{"slug": "t-05"}, {"slug": "t-00"}, {"slug": "t-01"}],
        "two": [{"slug": "t-05"}, {"slug": "t-00"}],
        "none": [],
    }
    errors = await graphql.errors('{ trend(slug: "t-04") { related(first: 51) { slug } } }')
    assert errors == ["related(first:) must be between 0 and 50, got 51"]
