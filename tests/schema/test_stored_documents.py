"""A stored document the model cannot read fails its own field, not the batch it was read in."""

from __future__ import annotations

import logging

import pytest

from app.database import Database
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
      bad: trend(slug: "t-01") { name }
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
