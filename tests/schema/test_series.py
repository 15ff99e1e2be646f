"""Trend.series range queries, appendSeries validation and growth recomputation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from app.settings import Settings
from app.storage.database import Database
from seeds.loader import default_seed_files, load_seed_files
from tests.conftest import GraphQLClient
from tests.writer import writer

APPEND = """
mutation Append($slug: String!, $points: [SeriesPointInput!]!, $source: String) {
  appendSeries(slug: $slug, points: $points, source: $source) {
    pointsWritten
    trend {
      slug status version growth { label percent method startValue endValue }
      signals { source region unit growth { label percent method startValue endValue } }
    }
    userErrors { field message code }
  }
}
"""
SERIES = """
query Series($from: Date, $to: Date) {
  trend(slug: "asyncio") { seriesSource series(from: $from, to: $to) { date value } }
}
"""


def monthly_points(start: date, values: list[float]) -> list[dict[str, Any]]:
    points = []
    for offset, value in enumerate(values):
        year, month = divmod(start.month - 1 + offset, 12)
        points.append({"date": date(start.year + year, month + 1, 1).isoformat(), "value": value})
    return points


async def append(
    database: Database, settings: Settings, points: list[dict[str, Any]], **variables: Any
) -> Any:
    client = writer(database, settings)
    data = await client.data(APPEND, {"slug": "asyncio", "points": points, **variables})
    return data["appendSeries"]


async def test_appending_keeps_reported_growth_and_the_signal_answers_its_own(
    seeded: Database, graphql: GraphQLClient, settings: Settings
) -> None:
    before = await graphql.data('{ trend(slug: "asyncio") { growth { label percent method } } }')
    assert before["trend"]["growth"] == [
        {"label": "3mo", "percent": 20.0, "method": "REPORTED"},
        {"label": "1y", "percent": 21.0, "method": "REPORTED"},
        {"label": "5y", "percent": 51.0, "method": "REPORTED"},
    ]
    payload = await append(seeded, settings, monthly_points(date(2024, 1, 1), [100, 110, 120, 150]))
    assert payload["userErrors"] == []
    assert payload["pointsWritten"] == 4
    trend = payload["trend"]
    # The trend keeps answering its REPORTED figures; the signal answers what its series
    # says: only the 3mo window has data.
    assert trend["growth"] == [
        {**window, "startValue": None, "endValue": None} for window in before["trend"]["growth"]
    ]
    assert trend["signals"] == [
        {
            "source": "search-interest",
            "region": "WORLD",
            "unit": "INDEX",
            "growth": [
                {
                    "label": "3mo",
                    "percent": 50.0,
                    "method": "MONTHLY_MEAN_RATIO",
                    "startValue": 100.0,
                    "endValue": 150.0,
                }
            ],
        }
    ]
    assert trend["version"] == 2


async def test_reported_windows_win_and_computed_ones_fill_the_others(
    seeded: Database, settings: Settings
) -> None:
    start = date(2023, 1, 1)  # weekly over two years: every window up to 2y is computed
    points = [
        {"date": (start + timedelta(weeks=week)).isoformat(), "value": 100 + week}
        for week in range(105)
    ]
    trend = (await append(seeded, settings, points))["trend"]
    assert [(w["label"], w["method"]) for w in trend["growth"]] == [
        ("3mo", "REPORTED"),
        ("6mo", "MONTHLY_MEAN_RATIO"),
        ("1y", "REPORTED"),
        ("2y", "MONTHLY_MEAN_RATIO"),
        ("5y", "REPORTED"),
    ]
    assert [w["percent"] for w in trend["growth"] if w["method"] == "REPORTED"] == [20, 21, 51]
    [signal] = trend["signals"]
    assert [w["label"] for w in signal["growth"]] == ["3mo", "6mo", "1y", "2y"]
    stored = await seeded.trends.find_one({"slug": "asyncio"})
    assert stored is not None
    assert list(stored["computedGrowth"]) == ["THREE_MONTHS", "SIX_MONTHS", "ONE_YEAR", "TWO_YEARS"]


async def test_duplicate_dates_replace_and_order_does_not_matter(
    seeded: Database, graphql: GraphQLClient, settings: Settings
) -> None:
    points = monthly_points(date(2024, 1, 1), [100, 110, 120, 150])
    await append(seeded, settings, list(reversed(points)))
    replaced = await append(
        seeded,
        settings,
        [{"date": "2024-04-01", "value": 999}, {"date": "2024-04-01", "value": 200}],
    )
    assert replaced["pointsWritten"] == 1  # one date; the last point given for it wins
    assert replaced["trend"]["signals"][0]["growth"][0]["percent"] == 100.0
    data = await graphql.data(SERIES)
    assert data["trend"]["seriesSource"] == "search-interest"
    assert data["trend"]["series"] == [
        {"date": "2024-01-01", "value": 100.0},
        {"date": "2024-02-01", "value": 110.0},
        {"date": "2024-03-01", "value": 120.0},
        {"date": "2024-04-01", "value": 200.0},
    ]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
        ("2024-02-01", None, ["2024-02-01", "2024-03-01", "2024-04-01"]),
        (None, "2024-02-01", ["2024-01-01", "2024-02-01"]),
        ("2024-01-15", "2024-03-01", ["2024-02-01", "2024-03-01"]),
        ("2024-05-01", None, []),
    ],
)
async def test_range_queries_include_both_bounds(
    seeded: Database,
    graphql: GraphQLClient,
    settings: Settings,
    start: str | None,
    end: str | None,
    expected: list[str],
) -> None:
    await append(seeded, settings, monthly_points(date(2024, 1, 1), [1, 2, 3, 4]))
    data = await graphql.data(SERIES, {"from": start, "to": end})
    assert [point["date"] for point in data["trend"]["series"]] == expected


async def test_from_after_to_is_refused(seeded: Database, graphql: GraphQLClient) -> None:
    errors = await graphql.errors(SERIES, {"from": "2024-03-01", "to": "2024-01-01"})
    assert errors == ["series: from (2024-03-01) is after to (2024-01-01)"]


async def test_trend_without_series_has_an_empty_one(
    seeded: Database, graphql: GraphQLClient
) -> None:
    data = await graphql.data(SERIES)
    assert data["trend"] == {"seriesSource": None, "series": []}


async def test_bad_points_are_refused_and_nothing_is_written(
    seeded: Database, graphql: GraphQLClient, settings: Settings
) -> None:
    tomorrow = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    points = [
        {"date": "2024-01-01", "value": 10},
        {"date": tomorrow, "value": 10},
        {"date": "1899-12-31", "value": -1},
    ]
    client = writer(seeded, settings)
    payload = (await client.data(APPEND, {"slug": "asyncio", "points": points}))["appendSeries"]
    assert payload["trend"] is None
    assert payload["pointsWritten"] == 0
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [
        (["points", "1", "date"], "FUTURE_DATE"),
        (["points", "2", "date"], "DATE_OUT_OF_RANGE"),
        (["points", "2", "value"], "NEGATIVE_VALUE"),
    ]
    assert await seeded.trend_series.count_documents({}) == 0
    growth = await graphql.data('{ trend(slug: "asyncio") { version growth { method } } }')
    assert growth["trend"]["version"] == 1
    assert {window["method"] for window in growth["trend"]["growth"]} == {"REPORTED"}


@pytest.mark.parametrize(
    ("variables", "field", "code"),
    [
        ({"points": []}, ["points"], "EMPTY"),
        ({"slug": "no-such-trend"}, ["slug"], "NOT_FOUND"),
        ({"source": "  "}, ["source"], "INVALID_SOURCE"),
    ],
)
async def test_other_refusals(
    seeded: Database, settings: Settings, variables: dict[str, Any], field: list[str], code: str
) -> None:
    client = writer(seeded, settings)
    arguments = {"slug": "asyncio", "points": [{"date": "2024-01-01", "value": 1}], **variables}
    payload = (await client.data(APPEND, arguments))["appendSeries"]
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [(field, code)]
    assert await seeded.trend_series.count_documents({}) == 0


async def test_each_source_is_a_signal_of_its_own(seeded: Database, settings: Settings) -> None:
    points = [{"date": "2024-01-01", "value": 1}]
    await append(seeded, settings, points, source="downloads")
    payload = await append(seeded, settings, points, source="search-interest")
    assert payload["userErrors"] == []
    assert [signal["source"] for signal in payload["trend"]["signals"]] == [
        "downloads",
        "search-interest",
    ]
    same = await append(seeded, settings, [{"date": "2024-02-01", "value": 2}])
    assert same["userErrors"] == []  # no source given: the primary signal, search-interest
    assert await seeded.trend_series.count_documents({}) == 2
    stored = await seeded.trend_series.find_one({"source": "search-interest"})
    assert stored is not None
    assert stored["pointCount"] == 2


@pytest.mark.parametrize("value", ["NaN", "Infinity"])
async def test_nan_and_infinity_are_not_graphql_floats(
    seeded: Database, settings: Settings, value: str
) -> None:
    client = writer(seeded, settings)
    mutation = f"""mutation {{ appendSeries(slug: "asyncio",
        points: [{{date: "2024-01-01", value: {value}}}]) {{ pointsWritten }} }}"""
    assert await client.errors(mutation)
    assert await seeded.trend_series.count_documents({}) == 0


async def test_overflowing_value_is_refused_as_not_finite(
    seeded: Database, settings: Settings
) -> None:
    client = writer(seeded, settings)
    mutation = """mutation { appendSeries(slug: "asyncio",
        points: [{date: "2024-01-01", value: 1e400}]) {
          pointsWritten userErrors { field code } } }"""
    payload = (await client.data(mutation))["appendSeries"]
    assert payload == {
        "pointsWritten": 0,
        "userErrors": [{"field": ["points", "0", "value"], "code": "NOT_FINITE"}],
    }
    assert await seeded.trend_series.count_documents({}) == 0


async def test_malformed_dates_are_refused(seeded: Database, settings: Settings) -> None:
    client = writer(seeded, settings)
    errors = await client.errors(
        APPEND, {"slug": "asyncio", "points": [{"date": "2024-02-30", "value": 1}]}
    )
    assert "2024-02-30" in errors[0]
    assert await seeded.trend_series.count_documents({}) == 0


@pytest.mark.parametrize("api_key", [None, "wrong-key"])
async def test_writing_needs_a_valid_api_key(
    seeded: Database, settings: Settings, api_key: str | None
) -> None:
    client = writer(seeded, settings, api_key=api_key)
    result, _ = await client.execute(
        APPEND, {"slug": "asyncio", "points": [{"date": "2024-01-01", "value": 1}]}
    )
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "UNAUTHENTICATED"}
    assert await seeded.trend_series.count_documents({}) == 0


async def test_series_of_many_trends_is_one_query(
    seeded: Database, graphql: GraphQLClient, settings: Settings
) -> None:
    await append(seeded, settings, monthly_points(date(2024, 1, 1), [1, 2, 3, 4]))
    query = """{ trends(first: 50) { edges { node { series { value } } } } }"""
    result, stats = await graphql.execute(query)
    assert result.errors is None
    assert stats.by_name == {"find": 2}  # the page, then every trend's series at once


async def test_reseeding_after_an_append_changes_nothing(
    seeded: Database, graphql: GraphQLClient, settings: Settings
) -> None:
    await append(seeded, settings, monthly_points(date(2024, 1, 1), [100, 110, 120, 150]))
    report = await load_seed_files(seeded, default_seed_files())
    assert report.trends.unchanged == ["asyncio"]
    data = await graphql.data(
        '{ trend(slug: "asyncio") { growth { label method } signals { growth { label method } } } }'
    )
    assert data["trend"]["growth"] == [
        {"label": label, "method": "REPORTED"} for label in ("3mo", "1y", "5y")
    ]
    assert data["trend"]["signals"] == [
        {"growth": [{"label": "3mo", "method": "MONTHLY_MEAN_RATIO"}]}
    ]


async def test_deleting_a_trend_deletes_its_series(seeded: Database, settings: Settings) -> None:
    client = writer(seeded, settings)
    appended = await client.data(
        APPEND, {"slug": "asyncio", "points": [{"date": "2024-01-01", "value": 1}]}
    )
    version = appended["appendSeries"]["trend"]["version"]
    assert await seeded.trend_series.count_documents({}) == 1
    deleted = await client.data(
        'mutation($v: Int!) { deleteTrend(slug: "asyncio", expectedVersion: $v) '
        "{ userErrors { code } } }",
        {"v": version},
    )
    assert deleted["deleteTrend"]["userErrors"] == []
    assert await seeded.trend_series.count_documents({}) == 0
