"""Finding 8: a huge finite value refuses the whole appendSeries call before anything is
written, and the trend keeps taking appends afterwards."""

from __future__ import annotations

from datetime import date

from app.settings import Settings
from app.storage.database import Database
from tests.schema.test_series import APPEND, monthly_points
from tests.writer import writer


async def test_a_value_the_growth_maths_cannot_take_refuses_the_call_and_writes_nothing(
    seeded: Database, settings: Settings
) -> None:
    client = writer(seeded, settings)
    good = monthly_points(date(2020, 1, 1), [100.0] * 40)
    first = (await client.data(APPEND, {"slug": "asyncio", "points": good}))["appendSeries"]
    assert first["userErrors"] == []
    stored = await seeded.trend_series.find_one({})
    trend_before = await seeded.trends.find_one({"slug": "asyncio"})

    # Two in one month: their monthly mean sums past the largest float.
    huge = [{"date": day, "value": 1.7e308} for day in ("2023-06-01", "2023-06-15")]
    refused = (await client.data(APPEND, {"slug": "asyncio", "points": huge}))["appendSeries"]

    assert refused["pointsWritten"] == 0
    assert refused["trend"] is None
    assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [
        (["points"], "NOT_FINITE")
    ]
    assert await seeded.trend_series.find_one({}) == stored  # nothing written
    assert await seeded.trends.find_one({"slug": "asyncio"}) == trend_before

    # The series still takes appends (the bad points never reached it).
    later = monthly_points(date(2023, 6, 1), [120.0])
    after = (await client.data(APPEND, {"slug": "asyncio", "points": later}))["appendSeries"]
    assert after["userErrors"] == []
    assert after["pointsWritten"] == 1
