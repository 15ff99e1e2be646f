"""``python -m app recompute-forecasts``: every signal's forecast, recomputed from its series."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.settings import get_settings
from app.storage.database import Database
from app.storage.repositories.series import SeriesRepository
from tests.conftest import TEST_DATABASE
from tests.factories import make_trends
from tests.forecasting.series import growing, weekly


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_recompute_forecasts_writes_one_per_signal(
    database: Database,
    mongodb_uri: str,
    monkeypatch: pytest.MonkeyPatch,
    clean_environment: None,
    fresh_settings: None,
) -> None:
    await make_trends(database, 2)
    trends = await database.trends.find({}, {"_id": 1}).to_list()
    for trend in trends:
        await SeriesRepository(database).append(str(trend["_id"]), weekly(5 * 52, growing))
    monkeypatch.setenv("TRENDGRAPH_MONGODB_URI", mongodb_uri)
    monkeypatch.setenv("TRENDGRAPH_DATABASE", TEST_DATABASE)
    result = await asyncio.to_thread(
        CliRunner().invoke, cli, ["recompute-forecasts", "--processes", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "recomputed 2 forecasts" in result.output
    stored = await database.forecasts.find({}, {"outlook": 1, "seriesVersion": 1}).to_list()
    assert sorted((f["outlook"], f["seriesVersion"]) for f in stored) == [("RISING", 1)] * 2
    summaries = await database.trends.find({}, {"forecast.outlook": 1}).to_list()
    assert [trend["forecast"]["outlook"] for trend in summaries] == ["RISING", "RISING"]


def test_recompute_forecasts_refuses_a_bad_process_count() -> None:
    result = CliRunner().invoke(cli, ["recompute-forecasts", "--processes", "0"])
    assert result.exit_code == 2
    assert "Invalid value" in result.output
