"""The Signal type: one of the series measuring a trend, with its growth, latest value and
sparkline, and the ``Trend.signals`` / ``Trend.volume`` resolvers."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from app.domain import models, signals
from app.domain.regions import WORLD, is_region
from app.domain.series import MAX_POINTS_PER_SERIES
from app.domain.series import SeriesPoint as DomainPoint
from schema.context import Info
from schema.enums import GrowthWindowKey
from schema.errors import BadUserInputError
from schema.forecast import (
    Forecast,
    ForecastUnavailable,
    as_forecast,
    as_unavailable,
    signal_outcome,
)
from schema.series import SeriesPoint

if TYPE_CHECKING:
    from schema.trend import GrowthWindow

SignalUnit = signals.SignalUnit
Granularity = signals.Granularity
strawberry.enum(
    signals.SignalUnit,
    description="What a signal's values measure: INDEX (relative interest, 0-100 by "
    "convention) or COUNT (an absolute number per period, never negative).",
)
strawberry.enum(
    signals.Granularity,
    description="How far apart a signal's points are (the median gap between consecutive "
    "points: up to 1.5 days DAILY, 10 WEEKLY, 45 MONTHLY, 135 QUARTERLY, beyond YEARLY).",
)
MAX_SPARKLINE = 520
"""``series(last:)`` answers at most ten years of weekly points."""
GrowthWindowType = Annotated["GrowthWindow", strawberry.lazy("schema.trend")]


@strawberry.type(
    description="One signal measuring a trend: a series from one source in one region, in one "
    "unit. A trend has at most one signal per source and region."
)
class Signal:
    source: str = strawberry.field(
        description="Where the values come from: `search-interest`, `github-stars`, "
        "`package-downloads`, `news-mentions`, `social-mentions`, or another slug."
    )
    region: str = strawberry.field(
        description="Where they were measured: an ISO 3166-1 alpha-2 code (US, DE...) or "
        f"`{WORLD}`."
    )
    unit: SignalUnit = strawberry.field(description="What the values measure.")
    granularity: Granularity | None = strawberry.field(
        description="How far apart the points are; null with fewer than two points."
    )
    point_count: int = strawberry.field(description="How many points the series holds.")
    model: strawberry.Private[signals.Signal]

    @classmethod
    def from_model(cls, model: signals.Signal) -> Self:
        return cls(
            source=model.source,
            region=model.region,
            unit=model.unit,
            granularity=model.granularity,
            point_count=model.point_count,
            model=model,
        )

    @strawberry.field(
        description="Growth of this signal per window that has a figure, shortest first, "
        "computed from its own series (method MONTHLY_MEAN_RATIO).",
        graphql_type=list[GrowthWindowType],
    )
    def growth(self) -> list[models.GrowthWindow]:
        return list(self.model.growth)

    @strawberry.field(
        description="This signal's growth over one window; null when there is no figure.",
        graphql_type=GrowthWindowType | None,
    )
    def growth_for(
        self,
        window: Annotated[GrowthWindowKey, strawberry.argument(description="The window wanted.")],
    ) -> models.GrowthWindow | None:
        return self.model.growth_for(window)

    @strawberry.field(
        description="The forecast of this signal's series (computed when the series was "
        "written; `stale` when it changed since); null when there is none, and then "
        "`forecastUnavailable` says why."
    )
    async def forecast(self, info: Info) -> Forecast | None:
        return as_forecast(*await signal_outcome(info, self.model))

    @strawberry.field(description="Why `forecast` is null; null when there is a forecast.")
    async def forecast_unavailable(self, info: Info) -> ForecastUnavailable | None:
        return as_unavailable(*await signal_outcome(info, self.model))

    @strawberry.field(
        description="The newest point of the series; null when it is empty.",
        graphql_type=SeriesPoint | None,
    )
    def latest(self) -> DomainPoint | None:
        return self.model.latest

    @strawberry.field(
        description="The series, oldest point first, from `from` to `to` (both included), "
        "then only its last `last` points when given. `series(last: 12)` is a sparkline: a "
        "whole page of trends reads its sparklines in one database query.",
        graphql_type=list[SeriesPoint],
    )
    async def series(
        self,
        info: Info,
        from_: Annotated[
            date | None,
            strawberry.argument(name="from", description="First day to include; open if null."),
        ] = None,
        to: Annotated[
            date | None, strawberry.argument(description="Last day to include; open if null.")
        ] = None,
        last: Annotated[
            int | None,
            strawberry.argument(
                description=f"Only the last N points (1 to {MAX_POINTS_PER_SERIES}) of the range."
            ),
        ] = None,
    ) -> list[DomainPoint]:
        if from_ is not None and to is not None and from_ > to:
            raise BadUserInputError(f"series: from ({from_}) is after to ({to})", argument="from")
        if last is not None and not 1 <= last <= MAX_POINTS_PER_SERIES:
            raise BadUserInputError(
                f"series(last:) must be between 1 and {MAX_POINTS_PER_SERIES}, got {last}",
                argument="last",
            )
        points: tuple[DomainPoint, ...] | None
        if last is not None and from_ is None and to is None and last <= MAX_SPARKLINE:
            points = await info.context.loaders.signal_tail.load((self.model.id, last))
        else:
            points = await info.context.loaders.signal_points.load(self.model.id)
        chosen = [
            point
            for point in points or ()
            if (from_ is None or point.date >= from_) and (to is None or point.date <= to)
        ]
        if last is not None:
            chosen = chosen[-last:]
        return chosen


def check_region_argument(region: str | None) -> None:
    if region is not None and not is_region(region):
        raise BadUserInputError(
            f"region must be an ISO 3166-1 alpha-2 code in upper case or {WORLD}, got {region!r}",
            argument="region",
        )


def _matching(found: list[signals.Signal], source: str | None, region: str | None) -> list[Signal]:
    return [
        Signal.from_model(signal)
        for signal in found
        if (source is None or signal.source == source)
        and (region is None or signal.region == region)
    ]


async def _signals_when_loaded(
    loaded: Awaitable[list[signals.Signal]], source: str | None, region: str | None
) -> list[Signal]:
    return _matching(await loaded, source, region)


def resolve_signals(
    info: Info, trend_id: str, source: str | None, region: str | None
) -> Awaitable[list[Signal]]:
    """A trend's signals matching ``source`` and ``region`` (batched per request)."""
    check_region_argument(region)
    return _signals_when_loaded(
        info.context.loaders.signals_by_trend_id.load(trend_id), source, region
    )


async def resolve_volume(
    info: Info, trend_id: str, source: str | None, region: str | None
) -> float | None:
    """The latest count of the trend's COUNT signal for ``source`` and ``region`` (the
    volume rule's signal when neither narrows it down)."""
    check_region_argument(region)
    found = await info.context.loaders.signals_by_trend_id.load(trend_id)
    counts = {
        signal.key: signal
        for signal in found
        if signal.unit is SignalUnit.COUNT
        and (source is None or signal.source == source)
        and (region is None or signal.region == region)
    }
    chosen = signals.primary_key(counts)
    latest = counts[chosen].latest if chosen else None
    return latest.value if latest else None
