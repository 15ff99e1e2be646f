"""trends(orderBy: {source:, region:}): pages ordered by one signal's growth or volume."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from app.domain.models import TrendSpec
from app.settings import Settings
from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.factories import upsert_trends
from tests.writer import writer

APPEND = """mutation($slug: String!, $points: [SeriesPointInput!]!, $source: String,
  $region: String, $unit: String) {
  appendSeries(slug: $slug, points: $points, source: $source, region: $region, unit: $unit) {
    userErrors { code } } }"""
PAGE = """query($first: Int, $after: String, $last: Int, $before: String, $order: TrendOrder,
  $filter: TrendFilter) {
  trends(first: $first, after: $after, last: $last, before: $before, orderBy: $order,
         filter: $filter) {
    totalCount
    edges { cursor node { slug } }
    pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }"""
US_GROWTH = {
    "field": "GROWTH",
    "window": "THREE_MONTHS",
    "source": "search-interest",
    "region": "US",
}


def monthly(values: Sequence[float]) -> list[dict[str, Any]]:
    return [{"date": date(2024, m, 1).isoformat(), "value": v} for m, v in enumerate(values, 1)]


@pytest.fixture
async def client(database: Database, settings: Settings) -> GraphQLClient:
    """t0..t9: a US search-interest signal growing 10*i % over 3 months (t0: none at all),
    a WORLD one growing the other way, and a search-volume count of 100*i (odd i only);
    even trends carry the tag "even"."""
    await upsert_trends(
        database,
        [
            TrendSpec(slug=f"t{i}", name=f"T{i}", tags=["even"] if i % 2 == 0 else [])
            for i in range(10)
        ],
    )
    client = writer(database, settings)
    for i in range(1, 10):
        for variables in (
            {"region": "US", "points": monthly([100, 100, 100, 100 + 10 * i])},
            {"region": "WORLD", "points": monthly([100, 100, 100, 200 - 10 * i])},
            *(
                [{"source": "search-volume", "unit": "COUNT", "points": monthly([100.0 * i])}]
                if i % 2
                else []
            ),
        ):
            data = await client.data(APPEND, {"slug": f"t{i}", **variables})
            assert data["appendSeries"]["userErrors"] == []
    return client


def slugs(data: Any) -> list[str]:
    return [edge["node"]["slug"] for edge in data["trends"]["edges"]]


async def test_order_by_a_signals_growth(client: GraphQLClient) -> None:
    data = await client.data(PAGE, {"first": 20, "order": US_GROWTH})
    assert slugs(data) == [f"t{i}" for i in range(9, 0, -1)]  # t0 has no US signal
    assert data["trends"]["totalCount"] == 9
    world = {**US_GROWTH, "region": "WORLD", "direction": "DESC"}
    assert slugs(await client.data(PAGE, {"first": 3, "order": world})) == ["t1", "t2", "t3"]
    page = "query($o: TrendOrder) { trends(first: 5, orderBy: $o) { edges { node { slug } } } }"
    result, stats = await client.execute(page, {"o": US_GROWTH})
    assert result.errors is None
    assert stats.by_name == {"find": 2}  # the signals in order, then their trends
    ascending = {**US_GROWTH, "direction": "ASC"}
    assert slugs(await client.data(PAGE, {"first": 2, "order": ascending})) == ["t1", "t2"]


async def test_pages_follow_each_other(client: GraphQLClient) -> None:
    seen: list[str] = []
    after = None
    while True:
        data = await client.data(PAGE, {"first": 4, "after": after, "order": US_GROWTH})
        seen += slugs(data)
        if not data["trends"]["pageInfo"]["hasNextPage"]:
            break
        after = data["trends"]["pageInfo"]["endCursor"]
    assert seen == [f"t{i}" for i in range(9, 0, -1)]
    back = await client.data(PAGE, {"last": 3, "before": after, "order": US_GROWTH})
    assert slugs(back) == ["t5", "t4", "t3"]  # the three before t2


async def test_filters_apply_to_signal_ordered_pages(client: GraphQLClient) -> None:
    variables = {"first": 2, "order": US_GROWTH, "filter": {"tags": ["even"]}}
    data = await client.data(PAGE, variables)
    assert slugs(data) == ["t8", "t6"]
    assert data["trends"]["pageInfo"]["hasNextPage"] is True
    after = data["trends"]["pageInfo"]["endCursor"]
    rest = await client.data(PAGE, {**variables, "after": after})
    assert slugs(rest) == ["t4", "t2"]
    assert rest["trends"]["totalCount"] == 4


async def test_order_by_a_count_signals_volume(client: GraphQLClient) -> None:
    order = {"field": "VOLUME", "source": "search-volume", "region": "WORLD"}
    data = await client.data(PAGE, {"first": 10, "order": order})
    assert slugs(data) == ["t9", "t7", "t5", "t3", "t1"]
    # An INDEX signal has no volume: ordering by it lists nothing.
    index = {"field": "VOLUME", "source": "search-interest", "region": "US"}
    assert slugs(await client.data(PAGE, {"first": 10, "order": index})) == []


async def test_signal_orders_are_checked(client: GraphQLClient) -> None:
    by_name = {"field": "NAME", "source": "search-interest"}
    errors = await client.errors(PAGE, {"first": 2, "order": by_name})
    assert errors == ["orderBy.source and orderBy.region apply only to GROWTH and VOLUME"]
    bad_region = {**US_GROWTH, "region": "USA"}
    errors = await client.errors(PAGE, {"first": 2, "order": bad_region})
    assert "orderBy.region" in errors[0]
    data = await client.data(PAGE, {"first": 1, "order": US_GROWTH})
    cursor = data["trends"]["pageInfo"]["endCursor"]
    other = {**US_GROWTH, "region": "WORLD"}
    errors = await client.errors(PAGE, {"first": 1, "after": cursor, "order": other})
    assert "belongs to another orderBy" in errors[0]
