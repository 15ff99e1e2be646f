"""Finding 10: with growth, a trend's status is derived; a status set by a writer is allowed
only without growth, and marked EDITORIAL."""

from __future__ import annotations

from typing import Any

import pytest

from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.writes import UPDATE_TREND, add_categories, create_trend

SHRINKING = [
    {"window": "THREE_MONTHS", "percent": -5.0},
    {"window": "ONE_YEAR", "percent": -50.0},
]
SOURCE = '{ trend(slug: "rust") { status statusSource growth { percent } } }'


@pytest.fixture(autouse=True)
async def categories(database: Database) -> None:
    await add_categories(database)


async def update(editor: GraphQLClient, **changes: Any) -> dict[str, Any]:
    data = await editor.data(
        UPDATE_TREND,
        {
            "slug": "rust",
            "expectedVersion": 1,
            "input": {"slug": "rust", "name": "Trend rust", **changes},
        },
    )
    payload: dict[str, Any] = data["updateTrend"]
    return payload


async def test_a_status_contradicting_growth_is_refused_and_nothing_written(
    editor: GraphQLClient, graphql: GraphQLClient
) -> None:
    await create_trend(editor, slug="rust")
    before = await graphql.data(SOURCE)

    payload = await update(editor, growth=SHRINKING, status="EXPLODING")

    assert payload["trend"] is None
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == (["input", "status"], "INVALID_INPUT")
    assert "derived from growth (which gives DECLINING)" in error["message"]
    assert await graphql.data(SOURCE) == before


async def test_growth_without_a_status_derives_it(
    editor: GraphQLClient, graphql: GraphQLClient
) -> None:
    await create_trend(editor, slug="rust")
    payload = await update(editor, growth=SHRINKING)
    assert payload["userErrors"] == []
    read = (await graphql.data(SOURCE))["trend"]
    assert (read["status"], read["statusSource"]) == ("DECLINING", "DERIVED")


async def test_without_growth_a_status_is_editorial_and_marked_so(
    editor: GraphQLClient, graphql: GraphQLClient
) -> None:
    await create_trend(editor, slug="rust")
    payload = await update(editor, status="EXPLODING")
    assert payload["userErrors"] == []
    read = (await graphql.data(SOURCE))["trend"]
    assert read == {"status": "EXPLODING", "statusSource": "EDITORIAL", "growth": []}
