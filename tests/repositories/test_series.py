"""SeriesRepository: concurrent appends keep every point and the newest growth."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from app.domain.models import Trend, TrendSpec
from app.domain.series import SeriesPoint
from app.storage.database import Database
from app.storage.repositories import TrendRepository
from app.storage.repositories.series import SeriesRepository
from tests.factories import upsert_trends


async def test_concurrent_appends_lose_nothing(database: Database) -> None:
    await upsert_trends(database, [TrendSpec(slug="subject", name="Subject")])
    [trend] = await TrendRepository(database).by_slugs(["subject"])
    assert isinstance(trend, Trend)
    repository = SeriesRepository(database)
    start = date(2024, 1, 1)
    batches = [
        [SeriesPoint(start + timedelta(weeks=week), 10 + week) for week in range(part, 20, 4)]
        for part in range(4)
    ]
    await asyncio.gather(*(repository.append(trend.id, batch) for batch in batches))

    [series] = await repository.by_trend_ids([trend.id])
    assert series is not None
    assert len(series.points) == 20
    assert series.version == 4
    stored = await database.trends.find_one({"slug": "subject"})
    assert stored is not None
    assert stored["seriesVersion"] == 4
    assert stored["growth"]["THREE_MONTHS"]["method"] == "MONTHLY_MEAN_RATIO"
