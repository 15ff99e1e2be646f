"""compareTrends: the old contract, and signals on one scale (JOINT_INDEX, ABSOLUTE)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.domain.models import TrendSpec
from app.settings import Settings
from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.factories import upsert_trends
from tests.writer import writer

APPEND = """mutation($slug: String!, $points: [SeriesPointInput!]!, $source: String,
  $unit: String) { appendSeries(slug: $slug, points: $points, source: $source, unit: $unit) {
  userErrors { code } } }"""
COMPARE = """query($slugs: [String!]!, $source: String, $region: String, $scale: CompareScale) {
  compareTrends(slugs: $slugs, source: $source, region: $region, scale: $scale) {
    slug compared { source region unit scale points { date value } } } }"""


def points(values: Sequence[float]) -> list[dict[str, Any]]:
    return [{"date": f"2024-0{month}-01", "value": v} for month, v in enumerate(values, 1)]


async def seed(database: Database, settings: Settings) -> GraphQLClient:
    await upsert_trends(
        database, [TrendSpec(slug=slug, name=slug.title()) for slug in ("small", "big", "none")]
    )
    client = writer(database, settings)
    for slug, index, count in (("small", [10, 50], [5, 20]), ("big", [40, 100], [400, 800])):
        for source, unit, values in (
            ("search-interest", "INDEX", index),
            ("search-volume", "COUNT", count),
        ):
            data = await client.data(
                APPEND, {"slug": slug, "points": points(values), "source": source, "unit": unit}
            )
            assert data["appendSeries"]["userErrors"] == []
    return client


def values(data: Any) -> dict[str, list[float] | None]:
    return {
        trend["slug"]: [p["value"] for p in trend["compared"]["points"]]
        if trend and trend["compared"]
        else None
        for trend in data["compareTrends"]
        if trend
    }


async def test_joint_index_puts_the_largest_value_at_100(
    database: Database, settings: Settings
) -> None:
    client = await seed(database, settings)
    data = await client.data(
        COMPARE, {"slugs": ["small", "big", "none"], "source": "search-volume"}
    )
    assert values(data) == {"small": [0.62, 2.5], "big": [50.0, 100.0], "none": None}
    first = data["compareTrends"][0]["compared"]
    assert (first["source"], first["region"], first["unit"], first["scale"]) == (
        "search-volume",
        "WORLD",
        "COUNT",
        "JOINT_INDEX",
    )
    # The same query, the same numbers; and a subset has its own peak.
    assert (
        await client.data(COMPARE, {"slugs": ["small", "big", "none"], "source": "search-volume"})
        == data
    )
    alone = await client.data(COMPARE, {"slugs": ["small"], "source": "search-volume"})
    assert values(alone) == {"small": [25.0, 100.0]}
    index = await client.data(COMPARE, {"slugs": ["small", "big"]})  # search-interest, WORLD
    assert values(index) == {"small": [10.0, 50.0], "big": [40.0, 100.0]}


async def test_absolute_keeps_the_counts(database: Database, settings: Settings) -> None:
    client = await seed(database, settings)
    data = await client.data(
        COMPARE, {"slugs": ["big", "small"], "source": "search-volume", "scale": "ABSOLUTE"}
    )
    assert values(data) == {"big": [400.0, 800.0], "small": [5.0, 20.0]}


async def test_old_contract_and_bad_arguments(
    database: Database, settings: Settings, graphql: GraphQLClient
) -> None:
    await seed(database, settings)
    old = await graphql.data('{ compareTrends(slugs: ["big", "nope"]) { slug } }')
    assert old == {"compareTrends": [{"slug": "big"}, None]}
    too_many = [f"t{n}" for n in range(21)]
    assert await graphql.errors(COMPARE, {"slugs": too_many}) == [
        "compareTrends takes 1 to 20 slugs, got 21"
    ]
    assert "region" in (await graphql.errors(COMPARE, {"slugs": ["big"], "region": "EU"}))[0]
    # Reads of the signals happen only when `compared` is selected.
    result, stats = await graphql.execute('{ compareTrends(slugs: ["big", "small"]) { slug } }')
    assert result.errors is None
    assert stats.commands == 1
    result, stats = await graphql.execute(COMPARE, {"slugs": ["big", "small"]})
    assert result.errors is None
    assert stats.commands == 3  # the trends, their signals, the compared series


async def test_comparing_signals_of_two_units_is_refused(
    database: Database, settings: Settings
) -> None:
    client = await seed(database, settings)
    mixed = await client.data(
        APPEND,
        {"slug": "none", "points": points([1, 2]), "source": "search-volume", "unit": "INDEX"},
    )
    assert mixed["appendSeries"]["userErrors"] == []
    errors = await client.errors(COMPARE, {"slugs": ["big", "none"], "source": "search-volume"})
    assert errors == [
        "compareTrends: the search-volume signals in WORLD of these trends mix units "
        "(INDEX and COUNT); compare one unit at a time"
    ]
