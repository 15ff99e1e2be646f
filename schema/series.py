"""Series points as GraphQL sees them, and the ``Trend.series`` resolver."""

from __future__ import annotations

from datetime import date
from typing import Self

import strawberry

from app.domain import series
from schema.context import Info
from schema.errors import BadUserInputError


@strawberry.type(description="One point of a trend's time series.")
class SeriesPoint:
    date: date = strawberry.field(description="The day the value was observed.")
    value: float = strawberry.field(
        description="The value observed, e.g. relative search interest (never negative)."
    )

    @classmethod
    def from_model(cls, model: series.SeriesPoint) -> Self:
        return cls(date=model.date, value=model.value)


async def resolve_series(
    info: Info, trend_id: str, start: date | None, end: date | None
) -> list[SeriesPoint]:
    """The points of a trend's series from ``start`` to ``end`` (batched per request)."""
    if start is not None and end is not None and start > end:
        raise BadUserInputError(f"series: from ({start}) is after to ({end})", argument="from")
    stored = await info.context.loaders.series_by_trend_id.load(trend_id)
    if stored is None:
        return []
    return [SeriesPoint.from_model(point) for point in stored.between(start, end)]


async def resolve_series_source(info: Info, trend_id: str) -> str | None:
    stored = await info.context.loaders.series_by_trend_id.load(trend_id)
    return stored.source if stored else None
