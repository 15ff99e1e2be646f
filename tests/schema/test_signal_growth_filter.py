"""trends(filter: {signal: {source, region, growth}}): trends by one signal's growth.

Every list test runs twice: with the matching trend ids in the query (few matches, the
usual case here) and with them kept in Python (many matches: the limit set to 0)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.domain.models import CategorySpec, GrowthWindowKey, TrendSpec
from app.settings import Settings
from app.storage.database import Database
from app.storage.repositories import TrendFilter, signal_growth_filter
from tests.conftest import GraphQLClient
from tests.factories import upsert_categories, upsert_trends
from tests.test_readme import examples
from tests.writer import writer

APPEND = """mutation($slug: String!, $points: [SeriesPointInput!]!, $source: String,
  $region: String) {
  appendSeries(slug: $slug, points: $points, source: $source, region: $region) {
    userErrors { code } } }"""
PAGE = """query($first: Int, $after: String, $last: Int, $before: String, $order: TrendOrder,
  $filter: TrendFilter) {
  trends(first: $first, after: $after, last: $last, before: $before, orderBy: $order,
         filter: $filter) {
    totalCount
    edges { node { slug } }
    pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }"""
NO_COUNT = """query($first: Int, $order: TrendOrder, $filter: TrendFilter) {
  trends(first: $first, orderBy: $order, filter: $filter) { edges { node { slug } } } }"""
REDDIT_US = {"source": "reddit-mentions", "region": "US"}
WORLD_ORDER = {
    "field": "GROWTH",
    "window": "THREE_MONTHS",
    "source": "search-interest",
    "region": "WORLD",
}
REDDIT_ORDER = {**WORLD_ORDER, **REDDIT_US}


def monthly(values: Sequence[float]) -> list[dict[str, Any]]:
    """One point a month from January 2024."""
    return [
        {"date": date(2024 + m // 12, m % 12 + 1, 1).isoformat(), "value": value}
        for m, value in enumerate(values)
    ]


def signal_growth(
    source: str, region: str, low: float | None = None, high: float | None = None
) -> dict[str, Any]:
    """A filter on the 3-month growth of the signal from ``source`` in ``region``."""
    growth = {"window": "THREE_MONTHS", "min": low, "max": high}
    return {"signal": {"source": source, "region": region, "growth": growth}}


def reddit(low: float | None = None, high: float | None = None, **more: Any) -> dict[str, Any]:
    """A filter on the reddit-mentions/US signal's 3-month growth."""
    return {**signal_growth("reddit-mentions", "US", low, high), **more}


@pytest.fixture(params=["ids in the query", "ids in Python"])
async def client(
    request: pytest.FixtureRequest,
    database: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> GraphQLClient:
    """t0..t9 in categories even/odd by index; t1..t9 have a reddit-mentions/US signal
    growing 10*i % over 3 months (t0 none); every trend a search-interest/WORLD signal
    growing 100-10*i % (the highest for t0)."""
    if request.param == "ids in Python":
        monkeypatch.setattr(signal_growth_filter, "MAX_IDS_IN_QUERY", 0)
    await upsert_categories(
        database, [CategorySpec(slug="even", name="Even"), CategorySpec(slug="odd", name="Odd")]
    )
    await upsert_trends(
        database,
        [
            TrendSpec(slug=f"t{i}", name=f"T{i}", category="odd" if i % 2 else "even")
            for i in range(10)
        ],
    )
    client = writer(database, settings)
    for i in range(10):
        appends: list[dict[str, Any]] = [
            {"source": "search-interest", "points": monthly([100, 100, 100, 200 - 10 * i])}
        ]
        if i:
            appends.append({**REDDIT_US, "points": monthly([100, 100, 100, 100 + 10 * i])})
        for variables in appends:
            data = await client.data(APPEND, {"slug": f"t{i}", **variables})
            assert data["appendSeries"]["userErrors"] == []
    return client


def slugs(data: Any) -> list[str]:
    return [edge["node"]["slug"] for edge in data["trends"]["edges"]]


async def listed(client: GraphQLClient, **variables: Any) -> tuple[list[str], int]:
    data = await client.data(PAGE, {"first": 20, **variables})
    return slugs(data), data["trends"]["totalCount"]


async def test_bounds_are_inclusive_and_either_may_be_left_out(client: GraphQLClient) -> None:
    assert await listed(client, filter=reddit(30, 60)) == (["t3", "t4", "t5", "t6"], 4)
    assert await listed(client, filter=reddit(30.01, 59.99)) == (["t4", "t5"], 2)
    assert await listed(client, filter=reddit(80)) == (["t8", "t9"], 2)
    assert await listed(client, filter=reddit(None, 10)) == (["t1"], 1)
    # No bound: every trend whose signal has growth for the window (t0 has no such signal).
    assert await listed(client, filter=reddit()) == ([f"t{i}" for i in range(1, 10)], 9)
    assert await listed(client, filter=reddit(1000)) == ([], 0)
    # Four monthly points give no one-year growth: no signal has it, no trend matches.
    one_year = {"signal": {**REDDIT_US, "growth": {"window": "ONE_YEAR", "min": -100}}}
    assert await listed(client, filter=one_year) == ([], 0)


async def test_it_is_the_signals_growth_not_the_trends(client: GraphQLClient) -> None:
    # The trend's own growth is its primary signal's (search-interest/WORLD): 100-10*i %.
    own = {"growth": {"window": "THREE_MONTHS", "min": 30, "max": 60}}
    assert (await listed(client, filter=own))[0] == ["t4", "t5", "t6", "t7"]
    # Another region or source of the same numbers matches nothing.
    elsewhere = signal_growth("reddit-mentions", "GB", 0)
    assert await listed(client, filter=elsewhere) == ([], 0)
    search = signal_growth("search-interest", "WORLD", 30, 60)
    assert (await listed(client, filter=search))[0] == ["t4", "t5", "t6", "t7"]
    # Both ranges at once: the trend's 30..60 (t4..t7) and its reddit signal's 50..90.
    both = {**own, **reddit(50, 90)}
    assert await listed(client, filter=both) == (["t5", "t6", "t7"], 3)


async def test_the_trends_own_growth_bounds_are_inclusive_within_a_category(
    client: GraphQLClient,
) -> None:
    # Read on the index (category, growth, _id), where the embedded server once dropped
    # a value equal to a $gte bound.
    own = {"category": "even", "growth": {"window": "THREE_MONTHS", "min": 40, "max": 80}}
    assert await listed(client, filter=own) == (["t2", "t4", "t6"], 3)


async def test_combines_with_category_and_a_trend_order(client: GraphQLClient) -> None:
    assert await listed(client, filter=reddit(30, category="even")) == (["t4", "t6", "t8"], 3)
    by_growth = {"field": "GROWTH", "window": "THREE_MONTHS"}  # the trend's own: t1 first
    assert await listed(client, filter=reddit(30), order=by_growth) == (
        ["t3", "t4", "t5", "t6", "t7", "t8", "t9"],
        7,
    )
    ascending = {**by_growth, "direction": "ASC"}
    assert (await listed(client, filter=reddit(30, category="odd"), order=ascending))[0] == [
        "t9",
        "t7",
        "t5",
        "t3",
    ]


async def test_pages_follow_each_other_with_a_trend_order(client: GraphQLClient) -> None:
    variables: dict[str, Any] = {"first": 3, "filter": reddit(20)}  # t2..t9, by name
    pages: list[list[str]] = []
    after = None
    while True:
        data = await client.data(PAGE, {**variables, "after": after})
        assert data["trends"]["totalCount"] == 8
        pages.append(slugs(data))
        if not data["trends"]["pageInfo"]["hasNextPage"]:
            break
        after = data["trends"]["pageInfo"]["endCursor"]
    assert pages == [["t2", "t3", "t4"], ["t5", "t6", "t7"], ["t8", "t9"]]
    before = data["trends"]["pageInfo"]["startCursor"]  # t8's
    back = await client.data(PAGE, {"last": 3, "before": before, "filter": reddit(20)})
    assert (slugs(back), back["trends"]["totalCount"]) == (["t5", "t6", "t7"], 8)
    assert back["trends"]["pageInfo"]["hasPreviousPage"] is True


async def test_combines_with_an_order_by_the_same_signal(client: GraphQLClient) -> None:
    variables = {"first": 2, "order": REDDIT_ORDER, "filter": reddit(30, 70)}
    data = await client.data(PAGE, variables)
    assert (slugs(data), data["trends"]["totalCount"]) == (["t7", "t6"], 5)
    after = data["trends"]["pageInfo"]["endCursor"]
    rest = await client.data(PAGE, {**variables, "first": 5, "after": after})
    assert slugs(rest) == ["t5", "t4", "t3"]
    assert rest["trends"]["pageInfo"]["hasNextPage"] is False
    with_category = {**variables, "filter": reddit(30, 70, category="odd"), "first": 10}
    assert slugs(await client.data(PAGE, with_category)) == ["t7", "t5", "t3"]


async def test_combines_with_an_order_by_another_signal(client: GraphQLClient) -> None:
    # Ordered by search-interest/WORLD growth (100-10*i %: t1 before t2), filtered by reddit.
    variables = {"first": 2, "order": WORLD_ORDER, "filter": reddit(30, 60)}
    data = await client.data(PAGE, variables)
    assert (slugs(data), data["trends"]["totalCount"]) == (["t3", "t4"], 4)
    after = data["trends"]["pageInfo"]["endCursor"]
    rest = await client.data(PAGE, {**variables, "after": after})
    assert (slugs(rest), rest["trends"]["pageInfo"]["hasNextPage"]) == (["t5", "t6"], False)
    even = {**variables, "first": 10, "filter": reddit(30, 60, category="even")}
    assert await listed(client, **even) == (["t4", "t6"], 2)


async def test_total_count_under_an_order_by_a_signal_some_trends_lack(
    client: GraphQLClient,
) -> None:
    # Filtered by the WORLD signal every trend has, ordered by the reddit one t0 lacks:
    # the list and its count both leave t0 out.
    world = signal_growth("search-interest", "WORLD", 60)
    assert await listed(client, filter=world, order=REDDIT_ORDER) == (["t4", "t3", "t2", "t1"], 4)
    plain = {"signal": {"source": "search-interest", "region": "WORLD"}}
    assert (await listed(client, filter=plain, order=REDDIT_ORDER))[1] == 9


async def test_signal_filters_without_growth_under_a_signal_order(
    client: GraphQLClient,
) -> None:
    # The trends of the order's signals are read by id; the filter's signal still applies.
    by_source = {"signal": {"source": "reddit-mentions"}}
    expected = [f"t{i}" for i in range(1, 10)]
    assert await listed(client, filter=by_source, order=WORLD_ORDER) == (expected, 9)
    by_region = {"signal": {"region": "US"}, "category": "odd"}
    assert await listed(client, filter=by_region, order=WORLD_ORDER) == (
        ["t1", "t3", "t5", "t7", "t9"],
        5,
    )
    same = {"signal": {"source": "search-interest", "region": "WORLD"}}
    assert await listed(client, filter=same, order=WORLD_ORDER) == (
        [f"t{i}" for i in range(10)],
        10,
    )


@pytest.mark.parametrize(
    "order", [None, {"field": "UPDATED_AT"}, WORLD_ORDER, REDDIT_ORDER], ids=str
)
async def test_commands_do_not_grow_with_the_page_size(
    client: GraphQLClient, order: dict[str, Any] | None
) -> None:
    by_size = {}
    for first in (1, 3, 9):
        result, stats = await client.execute(
            NO_COUNT, {"first": first, "order": order, "filter": reddit(10)}
        )
        assert result.errors is None
        assert result.data is not None and len(result.data["trends"]["edges"]) == first
        by_size[first] = dict(stats.by_name)
    assert by_size[1] == by_size[3] == by_size[9], by_size
    # At most: the matching signals, the order's ids (when kept in Python), the page.
    assert sum(by_size[1].values()) <= 3


def index_scans(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The IXSCAN stages of an explained plan."""
    found = [plan] if plan.get("stage") == "IXSCAN" else []
    for child in [plan.get("inputStage"), *plan.get("inputStages", [])]:
        if child:
            found += index_scans(child)
    return found


async def test_the_signals_in_range_are_read_from_their_index(client: GraphQLClient) -> None:
    trend_filter = TrendFilter(
        signal_source="reddit-mentions",
        signal_region="US",
        signal_growth_window=GrowthWindowKey.THREE_MONTHS,
        signal_min_growth=30,
        signal_max_growth=60,
    )
    query = trend_filter.signal_growth_query()
    assert query is not None
    explained = await client.database.trend_series.find(query).explain()
    [scan] = index_scans(explained["queryPlanner"]["winningPlan"])
    assert list(scan["keyPattern"]) == ["source", "region", "growth.THREE_MONTHS.percent", "_id"]
    # Exact bounds: only the four signals in range are read, 30 and 60 included.
    assert explained["executionStats"]["totalDocsExamined"] == 4
    assert explained["executionStats"]["nReturned"] == 4


BAD_FILTERS = {
    "no region": (
        {"signal": {"source": "reddit-mentions", "growth": {"window": "ONE_YEAR", "min": 50}}},
        "filter.signal.growth needs both filter.signal.source and filter.signal.region",
    ),
    "no source": (
        {"signal": {"region": "US", "growth": {"window": "ONE_YEAR", "min": 50}}},
        "filter.signal.growth needs both filter.signal.source and filter.signal.region",
    ),
    "min above max": (
        reddit(60, 30),
        "filter.signal.growth.min (60.0) is greater than max (30.0)",
    ),
    "bad region": (
        signal_growth("reddit-mentions", "usa"),
        "filter.signal.region must be an ISO 3166-1 alpha-2 code in upper case or WORLD, got 'usa'",
    ),
}


@pytest.mark.parametrize("name", BAD_FILTERS)
async def test_bad_filters_are_refused_before_any_read(client: GraphQLClient, name: str) -> None:
    bad_filter, message = BAD_FILTERS[name]
    result, stats = await client.execute(PAGE, {"first": 5, "filter": bad_filter})
    assert result.errors is not None and [error.message for error in result.errors] == [message]
    assert result.errors[0].extensions is not None
    assert result.errors[0].extensions["code"] == "BAD_USER_INPUT"
    assert stats.by_name == {}


async def test_non_finite_bounds_are_refused_before_any_read(client: GraphQLClient) -> None:
    # A literal too large for a double parses as infinity and reaches the filter's check.
    query = """{ trends(filter: {signal: {source: "reddit-mentions", region: "US",
      growth: {window: ONE_YEAR, min: 1e999}}}) { edges { node { slug } } } }"""
    result, stats = await client.execute(query)
    assert result.errors is not None
    assert [error.message for error in result.errors] == [
        "filter.signal.growth bounds must be finite numbers"
    ]
    assert result.errors[0].extensions is not None
    assert result.errors[0].extensions["code"] == "BAD_USER_INPUT"
    assert stats.by_name == {}
    # As a variable, GraphQL itself refuses it.
    variables = {"first": 1, "filter": reddit(float("nan"))}
    result, stats = await client.execute(PAGE, variables)
    assert result.errors is not None and stats.by_name == {}


async def test_the_documented_example_over_a_year(
    database: Database, settings: Settings, repo_root: Path
) -> None:
    """docs/signals.md's query: reddit mentions in the US up 50% or more over a year."""
    await upsert_trends(database, [TrendSpec(slug=slug, name=slug) for slug in "abcd"])
    client = writer(database, settings)
    for slug, region, end in (
        ("a", "US", 160),
        ("b", "US", 150),
        ("c", "US", 140),
        ("d", "GB", 190),
    ):
        points = monthly([100] * 12 + [end])
        variables = {"slug": slug, "points": points, "source": "reddit-mentions", "region": region}
        data = await client.data(APPEND, variables)
        assert data["appendSeries"]["userErrors"] == []
    [(query, _)] = [
        example
        for example in examples(repo_root / "docs" / "signals.md", "query")
        if "reddit-mentions" in example[0]
    ]
    data = await client.data(query)
    assert data["trends"]["totalCount"] == 2
    assert [
        (edge["node"]["slug"], edge["node"]["signals"][0]["growthFor"]["percent"])
        for edge in data["trends"]["edges"]
    ] == [("a", 60.0), ("b", 50.0)]
