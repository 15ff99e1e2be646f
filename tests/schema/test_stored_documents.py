"""A stored document the model cannot read fails its own field, not the batch it was read in."""

from __future__ import annotations

import base64
import logging

import pytest
from strawberry.types import ExecutionResult

from app.domain.models import Trend
from app.storage.database import Database
from app.storage.repositories import TrendFilter, TrendOrder, TrendOrderField, TrendRepository
from app.storage.repositories.stored import StoredDocumentError
from tests.conftest import GraphQLClient
from tests.factories import make_trends


async def test_a_corrupt_trend_fails_only_its_own_field(
    database: Database, graphql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    await make_trends(database, 3)
    # Written around the API: a growth figure the model refuses.
    await database.trends.update_one(
        {"slug": "t-01"}, {"$set": {"growth.THREE_MONTHS.percent": "lots"}}
    )
    query = """{
      good: trend(slug: "t-00") { name }
      bad: trend(slug: "t-01") { name growth { percent } }
      alsoGood: trend(slug: "t-02") { name category { name } }
    }"""

    with caplog.at_level(logging.ERROR):
        result, stats = await graphql.execute(query)

    # The three slugs were read in one batch, and two of them still answer.
    assert stats.by_name.get("find") == 2  # the trends, then their categories
    assert result.data == {
        "good": {"name": "Trend 00"},
        "bad": None,
        "alsoGood": {"name": "Trend 02", "category": {"name": "AI"}},
    }
    assert result.errors is not None
    [error] = result.errors
    assert error.path == ["bad"]
    assert error.extensions is not None and error.extensions["code"] == "INTERNAL_SERVER_ERROR"
    assert "lots" not in error.message  # masked for clients ...
    logged = "\n".join(record.getMessage() + str(record.exc_info) for record in caplog.records)
    assert "trends document" in logged and "growth" in logged  # ... and named in the log


async def test_a_corrupt_field_that_is_not_selected_is_not_read(
    database: Database, graphql: GraphQLClient
) -> None:
    """Reads fetch only what is selected (schema/reads.py): a field the model would refuse
    fails only the queries that select it."""
    await make_trends(database, 2)
    await database.trends.update_one(
        {"slug": "t-01"}, {"$set": {"growth.THREE_MONTHS.percent": "lots"}}
    )
    assert await graphql.data('{ trend(slug: "t-01") { name } }') == {"trend": {"name": "Trend 01"}}
    assert await graphql.errors('{ trend(slug: "t-01") { growth { percent } } }')


async def test_a_corrupt_category_fails_only_the_trends_filed_under_it(
    database: Database, graphql: GraphQLClient
) -> None:
    await make_trends(database, 3)
    await database.categories.update_one({"slug": "food"}, {"$set": {"name": ""}})

    result, _ = await graphql.execute(
        "{ trends(first: 3, orderBy: {field: NAME, direction: ASC}) "
        "{ edges { node { slug category { slug } } } } }"
    )

    assert result.data is not None
    nodes = [edge["node"] for edge in result.data["trends"]["edges"]]
    assert nodes == [
        {"slug": "t-00", "category": {"slug": "tech"}},
        {"slug": "t-01", "category": None},
        {"slug": "t-02", "category": {"slug": "ai"}},
    ]
    assert result.errors is not None
    assert [error.path for error in result.errors] == [["trends", "edges", 1, "node", "category"]]


# Lists: a corrupt document fails its own item; null then propagates as the schema's
# nullability says (to the list item where it is nullable, further up where it is not).


async def corrupt_trend(database: Database, slug: str) -> str:
    """Writes around the API a creation time the model refuses (a field every read fetches,
    whatever is selected); the trend's id."""
    document = await database.trends.find_one_and_update(
        {"slug": slug}, {"$set": {"createdAt": "lots"}}
    )
    assert document is not None
    return str(document["_id"])


def global_id(type_name: str, raw_id: str) -> str:
    return base64.b64encode(f"{type_name}:{raw_id}".encode()).decode()


def assert_fails_in_place(
    result: ExecutionResult,
    path: list[str | int],
    caplog: pytest.LogCaptureFixture,
    trend_id: str,
) -> None:
    """One error, at ``path``, masked for the client; the log names the trend's document."""
    assert result.errors is not None
    [error] = result.errors
    assert error.path == path
    assert error.extensions is not None and error.extensions["code"] == "INTERNAL_SERVER_ERROR"
    assert "lots" not in error.message and trend_id not in error.message
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"trends document {trend_id}" in logged and "createdAt" in logged


async def test_nodes_fails_only_the_corrupt_id(
    database: Database, graphql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    await make_trends(database, 3)
    ids = {
        document["slug"]: str(document["_id"])
        async for document in database.trends.find({}, {"slug": 1})
    }
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Trend { slug } } }"
    variables = {"ids": [global_id("Trend", ids[slug]) for slug in ("t-02", "t-01", "t-00")]}
    _, clean = await graphql.execute(query, variables)
    await corrupt_trend(database, "t-01")

    with caplog.at_level(logging.ERROR):
        result, stats = await graphql.execute(query, variables)

    assert result.data == {"nodes": [{"slug": "t-02"}, None, {"slug": "t-00"}]}
    assert_fails_in_place(result, ["nodes", 1], caplog, ids["t-01"])
    assert stats.by_name == clean.by_name  # still one batch


async def test_compare_trends_fails_only_the_corrupt_slug(
    database: Database, graphql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    await make_trends(database, 3)
    trend_id = await corrupt_trend(database, "t-01")

    with caplog.at_level(logging.ERROR):
        result, stats = await graphql.execute(
            '{ compareTrends(slugs: ["t-00", "t-01", "t-02"]) { slug } }'
        )

    assert result.data == {"compareTrends": [{"slug": "t-00"}, None, {"slug": "t-02"}]}
    assert_fails_in_place(result, ["compareTrends", 1], caplog, trend_id)
    assert stats.by_name.get("find") == 1


async def test_a_corrupt_related_trend_fails_its_item_and_nulls_up_to_its_trend(
    database: Database, graphql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    await make_trends(database, 4, related_per_trend=2)  # t-00 -> t-01, t-02; t-02 -> t-03, t-00
    query = """{
      a: trend(slug: "t-00") { slug related(first: 2) { slug } }
      b: trend(slug: "t-02") { slug related(first: 2) { slug } }
    }"""
    _, clean = await graphql.execute(query)
    trend_id = await corrupt_trend(database, "t-01")

    with caplog.at_level(logging.ERROR):
        result, stats = await graphql.execute(query)

    # related is [Trend!]!: the error on item 0 nulls the nearest nullable parent, trend a.
    assert result.data == {
        "a": None,
        "b": {"slug": "t-02", "related": [{"slug": "t-03"}, {"slug": "t-00"}]},
    }
    assert_fails_in_place(result, ["a", "related", 0], caplog, trend_id)
    assert stats.by_name == clean.by_name  # the related trends of a and b: one batch


async def test_a_corrupt_trend_in_a_page_fails_its_own_node(
    database: Database, graphql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    await make_trends(database, 5)
    order = TrendOrder(field=TrendOrderField.NAME, descending=False)
    clean = await TrendRepository(database).page(TrendFilter(), order, first=5)
    query = """{ trends(first: 5, orderBy: {field: NAME, direction: ASC}) {
      edges { cursor node { slug category { slug } } } pageInfo { endCursor } } }"""
    _, clean_stats = await graphql.execute(query)
    trend_id = await corrupt_trend(database, "t-03")

    with caplog.at_level(logging.ERROR):
        result, stats = await graphql.execute(query)

    # edges is [TrendEdge!]! and node Trend!, and trends is non-null: the whole answer is
    # null, but the error names the one node at fault.
    assert result.data is None
    path: list[str | int] = ["trends", "edges", 3, "node"]
    assert_fails_in_place(result, path, caplog, trend_id)
    assert stats.by_name == clean_stats.by_name
    # The page keeps the other trends, and the corrupt one's place in the order (its cursor).
    page = await TrendRepository(database).page(TrendFilter(), order, first=5)
    assert isinstance(page.trends[3], StoredDocumentError)
    assert [trend.slug for trend in page.trends if isinstance(trend, Trend)] == [
        "t-00",
        "t-01",
        "t-02",
        "t-04",
    ]
    assert [page.cursor(i) for i in range(5)] == [clean.cursor(i) for i in range(5)]


async def test_search_fails_only_a_corrupt_trend_it_returns(
    database: Database, graphql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    await make_trends(database, 3)
    query = 'query($first: Int!) { searchTrends(query: "trend", first: $first) { slug } }'
    _, clean = await graphql.execute(query, {"first": 3})
    trend_id = await corrupt_trend(database, "t-01")

    # Ranked after t-00 and beyond first: 1, the corrupt candidate is no error.
    assert await graphql.data(query, {"first": 1}) == {"searchTrends": [{"slug": "t-00"}]}
    with caplog.at_level(logging.ERROR):
        result, stats = await graphql.execute(query, {"first": 3})

    # Ranked in its place by the text it stores; searchTrends is [Trend!]!, so null.
    assert result.data is None
    assert_fails_in_place(result, ["searchTrends", 1], caplog, trend_id)
    assert stats.by_name == clean.by_name


async def test_a_corrupt_category_fails_its_own_place_in_lists(
    database: Database, graphql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    await make_trends(database, 1)
    food = await database.categories.find_one_and_update({"slug": "food"}, {"$set": {"name": ""}})
    assert food is not None
    ids = [
        global_id("Category", str(document["_id"]))
        async for document in database.categories.find({}).sort([("slug", 1)])
    ]

    with caplog.at_level(logging.ERROR):
        nodes, _ = await graphql.execute(
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Category { slug } } }",
            {"ids": ids},
        )
        listed, _ = await graphql.execute("{ categories { slug } }")

    assert nodes.data == {"nodes": [{"slug": "ai"}, None, {"slug": "tech"}]}
    assert nodes.errors is not None and [error.path for error in nodes.errors] == [["nodes", 1]]
    assert listed.data is None  # categories is [Category!]!
    assert listed.errors is not None
    assert [error.path for error in listed.errors] == [["categories", 1]]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"categories document {food['_id']}" in logged
