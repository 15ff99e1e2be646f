"""Database round trips grow with query depth, never with result size."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from bson import ObjectId

from app.domain.series import SeriesPoint
from app.domain.signals import SignalUnit
from app.forecasting.compute import compute_forecast
from app.settings import Settings
from app.storage.database import Database
from app.storage.repositories.forecasts import ForecastKey, ForecastRepository
from app.storage.repositories.series import SeriesRepository, series_document
from bench.naive import make_naive, naive_schema
from tests.conftest import GraphQLClient
from tests.factories import make_trends
from tests.forecasting.series import growing, weekly

NESTED = """
query($first: Int!) {
  trends(first: $first) {
    edges { node { name category { name } related { name } } }
  }
}
"""

DEEPER = """
query($first: Int!) {
  trends(first: $first, orderBy: {field: GROWTH, window: THREE_MONTHS}) {
    edges { node {
      name growth { label percent }
      category { name parent { name } }
      related(first: 5) { name category { name } analyses { pestle { legal } } }
      analyses { decomposition { trigger } }
    } }
  }
}
"""


@pytest.fixture
async def fifty_trends(database: Database) -> Database:
    await make_trends(database, 50, related_per_trend=5)
    return database


async def commands_by_page_size(graphql: GraphQLClient, query: str) -> dict[int, int]:
    commands: dict[int, int] = {}
    for first in (1, 10, 50):
        result, stats = await graphql.execute(query, {"first": first})
        assert result.errors is None, result.errors
        assert result.data is not None
        assert len(result.data["trends"]["edges"]) == first
        commands[first] = stats.commands
    return commands


async def test_commands_do_not_grow_with_page_size(
    fifty_trends: Database, graphql: GraphQLClient
) -> None:
    commands = await commands_by_page_size(graphql, NESTED)
    assert commands[1] == commands[10] == commands[50] == 4, commands


async def test_deeper_query_is_bounded_by_its_depth(fifty_trends: Database) -> None:
    # 50 trends with 5 related each cost more than the default limit allows.
    graphql = GraphQLClient(fifty_trends, Settings(database="x", max_query_cost=5_000))
    # At most one command per lookup of the query: the page, category, category.parent,
    # related (suggestions, then the trends), related.category. Lookups that resolve in the
    # same tick share a command, so the exact count varies with timing; the bound does not.
    commands = await commands_by_page_size(graphql, DEEPER)
    assert max(commands.values()) <= 6, commands


async def test_nested_query_costs_one_command_per_level(
    fifty_trends: Database, graphql: GraphQLClient
) -> None:
    # The page; then categories and related suggestions batched in the same tick; then
    # one fetch of every related trend (explicit links and suggestions).
    _, stats = await graphql.execute(NESTED, {"first": 50})
    assert stats.by_name == {"find": 4}


async def test_list_reads_leave_analyses_out_unless_selected(
    fifty_trends: Database, graphql: GraphQLClient
) -> None:
    result, stats = await graphql.execute(
        "{ trends(first: 3) { edges { node { analyses { pestle { legal } } } } } }"
    )
    assert result.errors is None
    assert stats.commands == 1  # analyses come with the page: no extra lookups


async def test_naive_baseline_issues_one_query_per_lookup(fifty_trends: Database) -> None:
    """The benchmark's baseline really is naive: commands grow with the page."""
    settings = Settings(database="x")
    naive = GraphQLClient(fifty_trends, settings, naive_schema(settings), compose=make_naive)
    commands = await commands_by_page_size(naive, NESTED)
    # the page, then per trend the same number of lookups (category, suggestions, and one
    # per related trend): linear in the page size
    per_trend = commands[1] - 1
    assert per_trend >= 3
    assert commands == {first: 1 + first * per_trend for first in (1, 10, 50)}


async def test_alias_lookup_costs_a_second_query_only_on_a_miss(
    seeded: Database, graphql: GraphQLClient
) -> None:
    by_slug, slug_stats = await graphql.execute('{ trend(slug: "asyncio") { name } }')
    by_alias, alias_stats = await graphql.execute('{ trend(slug: "python-asyncio") { name } }')
    assert by_slug.data == by_alias.data == {"trend": {"name": "Asyncio"}}
    assert (slug_stats.commands, alias_stats.commands) == (1, 2)


async def test_leaderboard_reads_the_page_then_its_categories(
    fifty_trends: Database, graphql: GraphQLClient
) -> None:
    # The categories are read before the page completes (one batch), so every
    # Trend.category answers at once; still one command for the page, one for categories.
    result, stats = await graphql.execute(
        "{ trends(first: 50) { edges { node { name category { name } growth { label } } } } }"
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    nodes = [edge["node"] for edge in result.data["trends"]["edges"]]
    assert len(nodes) == 50
    assert all(node["category"] and node["category"]["name"] for node in nodes)
    assert stats.by_name == {"find": 2}


TREND_PAGE = """
query($slug: String!) { trend(slug: $slug) {
  name description growth { label percent } category { name }
  related(first: 5) { name growth { label percent } }
  analyses { pestle { legal } } } }
"""
FORECASTS_OF_PAGE = """
query($first: Int!) { trends(first: $first) { edges { node {
  name forecast { outlook points { value } } forecastUnavailable { reason } } } } }
"""


async def test_forecasts_cost_the_read_path_nothing_but_one_batched_find(
    fifty_trends: Database, graphql: GraphQLClient
) -> None:
    """Forecasts are computed on write: storing them changes nothing for the trend page,
    and selecting them costs two ``$in`` for a whole page (the trends' signals, then their
    forecasts), with no write and no fitting."""
    _, before = await graphql.execute(TREND_PAGE, {"slug": "t-01"})
    trends = await fifty_trends.trends.find({}, {"_id": 1}).sort("slug", 1).to_list()
    points: list[SeriesPoint] = weekly(5 * 52, growing)
    outcome = compute_forecast(points, 1, datetime.now(UTC))
    keys = []
    for document in trends[:25]:  # half with a signal, all but one of them with a forecast
        appended = await SeriesRepository(fifty_trends).append(str(document["_id"]), points)
        assert appended.series.version == 1
        signal = appended.signal
        keys.append(ForecastKey(signal.id, signal.trend_id, "search-interest/WORLD", True))
    await ForecastRepository(fifty_trends).save_many([(key, outcome) for key in keys[:24]])
    forecasts_stored = await fifty_trends.forecasts.count_documents({})

    result, after = await graphql.execute(TREND_PAGE, {"slug": "t-01"})
    assert result.errors is None, result.errors
    assert after.by_name == before.by_name

    result, page = await graphql.execute(FORECASTS_OF_PAGE, {"first": 50})
    assert result.errors is None, result.errors
    assert result.data is not None
    nodes = [edge["node"] for edge in result.data["trends"]["edges"]]
    assert sum(node["forecast"] is not None for node in nodes) == 24
    reasons = sorted(
        node["forecastUnavailable"]["reason"] for node in nodes if node["forecast"] is None
    )
    assert reasons == ["NOT_COMPUTED"] + ["NO_SERIES"] * 25
    assert page.by_name == {"find": 3}  # the page, every signal, then every forecast
    assert await fifty_trends.forecasts.count_documents({}) == forecasts_stored


SPARKLINES = """
query($first: Int!) {
  trends(first: $first, orderBy: {field: VOLUME}) {
    edges { node {
      name volume
      index: signals(source: "search-interest") {
        unit growth { label percent } series(last: 12) { value }
      }
      count: signals(source: "search-volume") { unit latest { value } series(last: 12) { value } }
    } }
  }
}
"""


async def add_two_signals(database: Database) -> None:
    """Every trend gets a weekly search-interest index and a search-volume count (2 years)."""
    start = date(2023, 1, 1)
    trends = await database.trends.find({}, {"_id": 1}).to_list()
    documents = []
    for number, trend in enumerate(trends):
        for source, unit, scale in (
            ("search-interest", SignalUnit.INDEX, 1.0),
            ("search-volume", SignalUnit.COUNT, 100.0 * (number + 1)),
        ):
            points = [
                SeriesPoint(start + timedelta(weeks=week), scale * (10 + week % 20))
                for week in range(104)
            ]
            document = series_document(source, points, 1, unit=unit)
            documents.append({"_id": ObjectId(), "trendId": trend["_id"], **document})
            await database.trends.update_one(
                {"_id": trend["_id"]},
                {"$set": {"volume": points[-1].value}}
                if unit is SignalUnit.COUNT
                else {"$set": {}},
            )
    await database.trend_series.insert_many(documents)


async def test_sparklines_for_two_signals_cost_a_constant_number_of_commands(
    fifty_trends: Database,
) -> None:
    await add_two_signals(fifty_trends)
    graphql = GraphQLClient(fifty_trends, Settings(database="x"))  # the default cost limit
    commands = await commands_by_page_size(graphql, SPARKLINES)
    # The page; every trend's signal summaries at once; every sparkline at once.
    assert commands == {1: 3, 10: 3, 50: 3}, commands
    result, stats = await graphql.execute(SPARKLINES, {"first": 50})
    assert result.errors is None, result.errors
    assert result.data is not None
    nodes = [edge["node"] for edge in result.data["trends"]["edges"]]
    volumes = [node["volume"] for node in nodes]
    assert volumes == sorted(volumes, reverse=True)
    assert volumes[0] == nodes[0]["count"][0]["latest"]["value"] == 100 * 50 * 13
    for node in nodes:
        assert [len(signal["series"]) for signal in (*node["index"], *node["count"])] == [12, 12]
        assert node["count"][0]["series"][-1]["value"] == node["volume"]
    assert stats.by_name == {"find": 3}
