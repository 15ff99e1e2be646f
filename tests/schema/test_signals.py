"""Trend.signals, Trend.volume, appendSeries with source, region and unit, and its refusals."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from app.domain.models import TrendSpec
from app.settings import Settings
from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.factories import upsert_trends
from tests.writer import writer

APPEND = """
mutation Append($slug: String!, $points: [SeriesPointInput!]!, $source: String,
                $region: String, $unit: String) {
  appendSeries(slug: $slug, points: $points, source: $source, region: $region, unit: $unit) {
    pointsWritten
    trend { version growth { label percent method } volume }
    userErrors { field message code }
  }
}
"""
SIGNALS = """
query($source: String, $region: String) {
  trend(slug: "subject") {
    growth { label percent method }
    volume
    seriesSource
    signals(source: $source, region: $region) {
      source region unit granularity pointCount
      latest { date value }
      growthFor(window: THREE_MONTHS) { percent }
      sparkline: series(last: 3) { date value }
    }
  }
}
"""


def monthly(values: list[float], start: date = date(2024, 1, 1)) -> list[dict[str, Any]]:
    points = []
    for offset, value in enumerate(values):
        year, month = divmod(start.month - 1 + offset, 12)
        points.append({"date": date(start.year + year, month + 1, 1).isoformat(), "value": value})
    return points


@pytest.fixture
async def subject(database: Database) -> Database:
    """A trend without REPORTED growth, so its growth comes from its primary signal."""
    await upsert_trends(database, [TrendSpec(slug="subject", name="Subject")])
    return database


async def append(client: GraphQLClient, points: list[dict[str, Any]], **variables: Any) -> Any:
    data = await client.data(APPEND, {"slug": "subject", "points": points, **variables})
    return data["appendSeries"]


async def test_a_trend_has_several_signals(subject: Database, settings: Settings) -> None:
    client = writer(subject, settings)
    assert (await append(client, monthly([10, 20, 30, 40])))["userErrors"] == []
    counted = await append(
        client, monthly([1000, 1500, 2000, 3000]), source="package-downloads", unit="COUNT"
    )
    assert counted["userErrors"] == []
    assert counted["trend"]["volume"] == 3000.0
    regional = await append(client, monthly([50, 60, 70, 100]), region="DE")
    assert regional["userErrors"] == []

    data = await client.data(SIGNALS)
    trend = data["trend"]
    assert [(s["source"], s["region"], s["unit"]) for s in trend["signals"]] == [
        ("package-downloads", "WORLD", "COUNT"),
        ("search-interest", "DE", "INDEX"),
        ("search-interest", "WORLD", "INDEX"),
    ]
    world = trend["signals"][2]
    assert world["granularity"] == "MONTHLY"
    assert world["pointCount"] == 4
    assert world["latest"] == {"date": "2024-04-01", "value": 40.0}
    assert world["growthFor"] == {"percent": 300.0}
    assert [point["value"] for point in world["sparkline"]] == [20.0, 30.0, 40.0]
    # The trend's growth is its primary signal's: search-interest in WORLD.
    assert trend["growth"] == [{"label": "3mo", "percent": 300.0, "method": "MONTHLY_MEAN_RATIO"}]
    assert trend["seriesSource"] == "search-interest"
    assert trend["volume"] == 3000.0

    only_de = await client.data(SIGNALS, {"region": "DE"})
    assert [s["region"] for s in only_de["trend"]["signals"]] == ["DE"]
    only_downloads = await client.data(SIGNALS, {"source": "package-downloads"})
    assert [s["unit"] for s in only_downloads["trend"]["signals"]] == ["COUNT"]
    volume = await client.data(
        '{ trend(slug: "subject") { a: volume(region: "DE") b: volume(source: "package-downloads")'
        ' c: volume(source: "search-interest") } }'
    )
    assert volume["trend"] == {"a": None, "b": 3000.0, "c": None}


async def test_primary_signal_rule(subject: Database, settings: Settings) -> None:
    client = writer(subject, settings)
    first = await append(client, monthly([10, 10, 10, 20]), source="github-stars", unit="COUNT")
    # The only signal is primary.
    assert first["trend"]["growth"] == [
        {"label": "3mo", "percent": 100.0, "method": "MONTHLY_MEAN_RATIO"}
    ]
    regional = await append(client, monthly([10, 10, 10, 40]), region="US")
    # A WORLD signal is preferred to one of a country.
    assert regional["trend"]["growth"][0]["percent"] == 100.0
    world = await append(client, monthly([10, 10, 10, 15]), source="search-interest")
    # search-interest in WORLD is preferred to any other.
    assert world["trend"]["growth"][0]["percent"] == 50.0
    primary = await client.data('{ trend(slug: "subject") { seriesSource series { value } } }')
    assert primary["trend"] == {
        "seriesSource": "search-interest",
        "series": [{"value": value} for value in (10.0, 10.0, 10.0, 15.0)],
    }
    flagged = await subject.trend_series.find({"primary": True}).to_list()
    assert [(d["source"], d["region"]) for d in flagged] == [("search-interest", "WORLD")]
    again = await append(client, monthly([10, 10, 10, 80]), source="github-stars")
    assert again["trend"]["growth"][0]["percent"] == 50.0
    # Left out, source and region name the primary signal.
    data = await append(client, [{"date": "2024-05-01", "value": 30}])
    assert data["trend"]["growth"][0]["percent"] == 200.0


BAD_INPUTS = [
    ({"unit": "PERCENT"}, ["unit"], "UNKNOWN_UNIT"),
    ({"unit": "index"}, ["unit"], "UNKNOWN_UNIT"),
    ({"region": "XX"}, ["region"], "INVALID_REGION"),
    ({"region": "us"}, ["region"], "INVALID_REGION"),
    ({"region": "USA"}, ["region"], "INVALID_REGION"),
    ({"region": "world"}, ["region"], "INVALID_REGION"),
    ({"source": "Search Interest"}, ["source"], "INVALID_SOURCE"),
    ({"source": "x" * 61}, ["source"], "INVALID_SOURCE"),
    (
        {"unit": "COUNT", "points": [{"date": "2024-01-01", "value": -1}]},
        ["points", "0", "value"],
        "NEGATIVE_VALUE",
    ),
]


@pytest.mark.parametrize(("variables", "field", "code"), BAD_INPUTS)
async def test_bad_input_is_refused_and_nothing_is_written(
    subject: Database,
    settings: Settings,
    variables: dict[str, Any],
    field: list[str],
    code: str,
) -> None:
    client = writer(subject, settings)
    arguments = {"slug": "subject", "points": monthly([1, 2]), **variables}
    payload = (await client.data(APPEND, arguments))["appendSeries"]
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [(field, code)]
    assert payload["trend"] is None
    assert payload["pointsWritten"] == 0
    assert await subject.trend_series.count_documents({}) == 0
    stored = await subject.trends.find_one({"slug": "subject"})
    assert stored is not None
    assert stored["version"] == 1


async def test_mixing_units_in_one_signal_is_refused(subject: Database, settings: Settings) -> None:
    client = writer(subject, settings)
    await append(client, monthly([5, 6]), source="news-mentions", unit="COUNT")
    before = await subject.trend_series.find_one({"source": "news-mentions"})
    refused = await append(
        client, monthly([7], date(2024, 3, 1)), source="news-mentions", unit="INDEX"
    )
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(["unit"], "UNIT_MISMATCH")]
    assert await subject.trend_series.find_one({"source": "news-mentions"}) == before
    # Left out, the unit is the signal's own.
    kept = await append(client, monthly([7], date(2024, 3, 1)), source="news-mentions")
    assert kept["userErrors"] == []


async def test_read_arguments_are_checked(subject: Database, graphql: GraphQLClient) -> None:
    assert await graphql.errors(SIGNALS, {"region": "Germany"}) == [
        "region must be an ISO 3166-1 alpha-2 code in upper case or WORLD, got 'Germany'"
    ]
    query = '{ trend(slug: "subject") { signals { series(last: 0) { value } } } }'
    assert (await graphql.data(query))["trend"]["signals"] == []  # nothing to resolve


async def test_series_ranges_and_last(subject: Database, settings: Settings) -> None:
    client = writer(subject, settings)
    start = date(2024, 1, 7)
    weekly = [
        {"date": (start + timedelta(weeks=week)).isoformat(), "value": float(week)}
        for week in range(30)
    ]
    await append(client, weekly, source="social-mentions", unit="COUNT")
    data = await client.data(
        '{ trend(slug: "subject") { signals { granularity '
        "tail: series(last: 2) { value } "
        'ranged: series(from: "2024-02-01", to: "2024-03-01", last: 2) { value } '
        "all: series { value } } } }"
    )
    [signal] = data["trend"]["signals"]
    assert signal["granularity"] == "WEEKLY"
    assert [p["value"] for p in signal["tail"]] == [28.0, 29.0]
    assert [p["value"] for p in signal["ranged"]] == [6.0, 7.0]
    assert len(signal["all"]) == 30
    errors = await client.errors(
        '{ trend(slug: "subject") { signals { series(last: 0) { value } } } }'
    )
    assert errors == ["series(last:) must be between 1 and 10000, got 0"]


async def test_lists_filter_by_signal_and_sort_by_volume(
    database: Database, settings: Settings
) -> None:
    await upsert_trends(
        database, [TrendSpec(slug=slug, name=slug.title()) for slug in ("aa", "bb", "cc", "dd")]
    )
    client = writer(database, settings)
    for slug, volume in (("aa", 10.0), ("bb", 300.0), ("cc", 20.0)):
        data = await client.data(
            APPEND,
            {"slug": slug, "points": monthly([volume]), "source": "search-volume", "unit": "COUNT"},
        )
        assert data["appendSeries"]["userErrors"] == []
    await client.data(APPEND, {"slug": "dd", "points": monthly([5]), "region": "FR"})
    query = """query($filter: TrendFilter) {
      trends(filter: $filter, orderBy: {field: VOLUME}) { edges { node { slug volume } } }
    }"""

    async def slugs(signal: dict[str, str] | None) -> list[str]:
        data = await client.data(query, {"filter": {"signal": signal} if signal else None})
        return [edge["node"]["slug"] for edge in data["trends"]["edges"]]

    assert await slugs(None) == ["bb", "cc", "aa", "dd"]  # no volume sorts lowest
    assert await slugs({"source": "search-volume"}) == ["bb", "cc", "aa"]
    assert await slugs({"source": "search-volume", "region": "WORLD"}) == ["bb", "cc", "aa"]
    assert await slugs({"region": "FR"}) == ["dd"]
    assert await slugs({"source": "search-interest", "region": "WORLD"}) == []
    errors = await client.errors(query, {"filter": {"signal": {"region": "France"}}})
    assert "filter.signal.region" in errors[0]
    assert await client.errors(query, {"filter": {"signal": {}}}) == [
        "filter.signal needs a source, a region or both"
    ]
