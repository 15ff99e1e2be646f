"""Trend.forecast: computed on write by the worker, replaced after appendSeries, read only."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import replace
from typing import Any

import pytest

from app.domain.series import SeriesPoint
from app.settings import Settings
from app.storage.database import Database
from app.storage.forecast_worker import (
    ForecastWorker,
    outdated_signal_ids,
    recompute_all,
    signal_ids,
)
from tests.conftest import GraphQLClient, app_client
from tests.factories import make_trends
from tests.forecasting.series import growing, shrinking, weekly
from tests.writer import writer

APPEND = """
mutation Append($slug: String!, $points: [SeriesPointInput!]!) {
  appendSeries(slug: $slug, points: $points) { pointsWritten userErrors { code } }
}
"""
FORECAST = """
query Forecast($slug: String!) { trend(slug: $slug) {
  forecast { method horizonMonths generatedAt outlook confidence growthPercent seriesVersion
             stale points { date value lower80 upper80 lower95 upper95 }
             backtest { mase smape coverage80 coverage95 origins } }
  forecastUnavailable { reason message } } }
"""


@pytest.fixture(scope="module")
def pool() -> Iterator[Executor]:
    """The app's kind of executor: worker processes started with spawn."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as executor:
        yield executor


@pytest.fixture
async def worker(database: Database, pool: Executor) -> AsyncIterator[ForecastWorker]:
    forecasts = ForecastWorker(database, lambda: pool, concurrency=2)
    forecasts.start()
    yield forecasts
    await forecasts.stop()


def as_input(points: list[SeriesPoint]) -> list[dict[str, Any]]:
    return [{"date": point.date.isoformat(), "value": point.value} for point in points]


async def forecast_of(graphql: GraphQLClient, slug: str) -> dict[str, Any]:
    data = await graphql.data(FORECAST, {"slug": slug})
    return data["trend"]  # type: ignore[no-any-return]


async def test_asyncio_has_only_reported_figures_so_no_forecast(
    seeded: Database, graphql: GraphQLClient
) -> None:
    trend = await forecast_of(graphql, "asyncio")
    assert trend["forecast"] is None
    assert trend["forecastUnavailable"]["reason"] == "NO_SERIES"
    assert "reported" in trend["forecastUnavailable"]["message"]


async def test_forecast_is_computed_after_append_and_replaced_after_the_next(
    database: Database, settings: Settings, graphql: GraphQLClient, worker: ForecastWorker
) -> None:
    await make_trends(database, 1)
    client = replace(writer(database, settings), forecast_worker=worker)
    rising = as_input(weekly(5 * 52, growing))
    assert (await client.data(APPEND, {"slug": "t-00", "points": rising}))["appendSeries"][
        "userErrors"
    ] == []
    await worker.idle()
    first = (await forecast_of(graphql, "t-00"))["forecast"]
    assert first["outlook"] == "RISING" and first["seriesVersion"] == 1
    assert first["stale"] is False and first["horizonMonths"] == len(first["points"]) == 12
    assert first["backtest"]["origins"] == 3

    # A write without a worker (say the process stopped before recomputing): the old
    # forecast is still served, marked stale, never as fresh.
    falling = as_input(weekly(5 * 52, shrinking, seed=2))
    await writer(database, settings).data(APPEND, {"slug": "t-00", "points": falling})
    stale = (await forecast_of(graphql, "t-00"))["forecast"]
    assert (stale["stale"], stale["seriesVersion"], stale["outlook"]) == (True, 1, "RISING")

    await client.data(APPEND, {"slug": "t-00", "points": falling[-1:]})
    await worker.idle()
    replaced = (await forecast_of(graphql, "t-00"))["forecast"]
    assert (replaced["stale"], replaced["seriesVersion"], replaced["outlook"]) == (
        False,
        3,
        "FALLING",
    )
    assert replaced["generatedAt"] > first["generatedAt"]
    signals = await graphql.data(
        '{ trend(slug: "t-00") { signals { source region forecast { outlook seriesVersion } '
        "forecastUnavailable { reason } } } }"
    )
    assert signals["trend"]["signals"] == [
        {
            "source": "search-interest",
            "region": "WORLD",
            "forecast": {"outlook": "FALLING", "seriesVersion": 3},
            "forecastUnavailable": None,
        }
    ]


async def test_a_short_series_answers_null_with_its_reason(
    database: Database, settings: Settings, graphql: GraphQLClient, worker: ForecastWorker
) -> None:
    await make_trends(database, 1)
    client = replace(writer(database, settings), forecast_worker=worker)
    before = await forecast_of(graphql, "t-00")
    assert before["forecastUnavailable"]["reason"] == "NO_SERIES"
    await client.data(APPEND, {"slug": "t-00", "points": as_input(weekly(2 * 52, growing))})
    pending = await forecast_of(graphql, "t-00")  # read before the worker ran: nothing made up
    assert pending["forecast"] is None
    assert pending["forecastUnavailable"]["reason"] in ("NOT_COMPUTED", "TOO_SHORT")
    await worker.idle()
    after = await forecast_of(graphql, "t-00")
    assert after["forecast"] is None
    assert after["forecastUnavailable"]["reason"] == "TOO_SHORT"
    assert "48 months" in after["forecastUnavailable"]["message"]


LIST = """
query List($filter: TrendFilter, $orderBy: TrendOrder) {
  trends(first: 10, filter: $filter, orderBy: $orderBy) {
    edges { node { slug forecast { outlook growthPercent } } }
  }
}
"""


async def test_trends_filter_and_order_by_outlook_and_forecast_growth(
    database: Database, settings: Settings, graphql: GraphQLClient, pool: Executor
) -> None:
    await make_trends(database, 3)
    client = writer(database, settings)
    for slug, shape in (("t-00", growing), ("t-01", shrinking), ("t-02", lambda t: 40.0)):
        await client.data(APPEND, {"slug": slug, "points": as_input(weekly(5 * 52, shape))})
    assert await recompute_all(database, pool) == 3

    async def slugs(**variables: Any) -> list[str]:
        data = await graphql.data(LIST, variables)
        return [edge["node"]["slug"] for edge in data["trends"]["edges"]]

    assert await slugs(filter={"outlook": ["RISING"]}) == ["t-00"]
    assert await slugs(
        filter={"outlook": ["FALLING", "STEADY"]}, orderBy={"field": "NAME", "direction": "ASC"}
    ) == ["t-01", "t-02"]
    assert await slugs(orderBy={"field": "FORECAST_GROWTH", "direction": "DESC"}) == [
        "t-00",
        "t-02",
        "t-01",
    ]
    assert await slugs(filter={"forecastGrowth": {"min": -5, "max": 5}}) == ["t-02"]


@pytest.mark.parametrize(
    ("trend_filter", "message"),
    [
        ({"forecastGrowth": {"min": 5, "max": -5}}, "filter.forecastGrowth.min (5.0) is greater"),
        ({"outlook": ["RISING"] * 21}, "filter.outlook takes at most 20 values"),
        ({"outlook": ["UP"]}, "UP"),
    ],
)
async def test_bad_forecast_filters_are_refused(
    database: Database, graphql: GraphQLClient, trend_filter: dict[str, Any], message: str
) -> None:
    errors = await graphql.errors(LIST, {"filter": trend_filter})
    assert any(message in error for error in errors), errors


async def test_the_worker_catches_up_on_missing_and_outdated_forecasts(
    database: Database, settings: Settings, graphql: GraphQLClient, worker: ForecastWorker
) -> None:
    """A recompute lost with a stopped process, or series written around the API (the demo
    dataset), is found on the next start."""
    await make_trends(database, 3)
    without_worker = writer(database, settings)
    for slug in ("t-00", "t-01"):
        await without_worker.data(
            APPEND, {"slug": slug, "points": as_input(weekly(5 * 52, growing))}
        )
    assert (await forecast_of(graphql, "t-00"))["forecastUnavailable"]["reason"] == "NOT_COMPUTED"

    assert len(await outdated_signal_ids(database)) == 2
    assert await worker.catch_up() == 2
    await worker.idle()
    assert await outdated_signal_ids(database) == []
    assert (await forecast_of(graphql, "t-01"))["forecast"]["seriesVersion"] == 1

    # One series moves on while nothing recomputes it: only that one is outdated.
    falling = as_input(weekly(5 * 52, shrinking, seed=2))
    await without_worker.data(APPEND, {"slug": "t-00", "points": falling})
    assert (await forecast_of(graphql, "t-00"))["forecast"]["stale"] is True
    assert await worker.catch_up() == 1
    await worker.idle()
    caught_up = (await forecast_of(graphql, "t-00"))["forecast"]
    assert (caught_up["stale"], caught_up["outlook"]) == (False, "FALLING")
    assert await worker.catch_up() == 0


async def test_the_app_catches_up_on_start_unless_told_not_to(
    database: Database, settings: Settings
) -> None:
    await make_trends(database, 1)
    await writer(database, settings).data(
        APPEND, {"slug": "t-00", "points": as_input(weekly(5 * 52, growing))}
    )
    async with app_client(database, settings):  # the suite's settings: no catch-up
        pass
    assert len(await outdated_signal_ids(database)) == 1

    caught_up = settings.model_copy(update={"forecast_catch_up": True})
    async with app_client(database, caught_up):
        # The lifespan scheduled it in the background; wait for the worker's store.
        for _ in range(600):
            if not await outdated_signal_ids(database):
                break
            await asyncio.sleep(0.1)
    assert await outdated_signal_ids(database) == []


async def test_recomputes_take_primary_signals_first(database: Database) -> None:
    """A trend's forecast (its lists' outlook, its alerts) is its primary signal's: the bulk
    recompute and the catch-up on start do those before the others."""
    inserted = await database.trend_series.insert_many(
        [
            {"trendId": number // 3, "source": f"s{number}", "region": "WORLD"}
            | {"primary": number % 3 == 0, "version": 1}
            for number in range(9)
        ]
    )
    ids = [str(signal_id) for signal_id in inserted.inserted_ids]
    primary = ids[::3]
    bulk = [signal_id async for chunk in signal_ids(database) for signal_id in chunk]
    assert bulk[:3] == primary and sorted(bulk) == sorted(ids)
    caught_up = await outdated_signal_ids(database)
    assert caught_up[:3] == primary and sorted(caught_up) == sorted(ids)
