"""``compareTrends``: trends side by side, and their signals on one scale (``Trend.compared``)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import strawberry

from app.domain import comparison, models
from app.domain.regions import WORLD
from app.domain.series import DEFAULT_SOURCE
from app.domain.signals import Signal as DomainSignal
from app.domain.signals import SignalKey, SignalUnit
from app.storage.repositories.stored import StoredDocumentError
from schema.context import Info
from schema.errors import BadUserInputError
from schema.loaders import load_each
from schema.selection import selects
from schema.series import SeriesPoint
from schema.signals import check_region_argument

if TYPE_CHECKING:
    from schema.trend import Trend

MAX_COMPARE = 20
CompareScale = comparison.CompareScale
strawberry.enum(
    comparison.CompareScale,
    description="The scale of compared series: JOINT_INDEX (the largest value across all "
    "the compared series is 100, the others in proportion, so the same query always gives "
    "the same numbers) or ABSOLUTE (the values as stored, e.g. a COUNT signal's counts).",
)


@strawberry.type(description="A trend's signal in a comparison, on the comparison's scale.")
class ComparedSeries:
    source: str = strawberry.field(description="The signal's source.")
    region: str = strawberry.field(description="The signal's region.")
    unit: SignalUnit = strawberry.field(description="The signal's unit.")
    scale: CompareScale = strawberry.field(description="The scale of `points`.")
    points: list[SeriesPoint] = strawberry.field(
        description="The series, oldest point first, on that scale."
    )


async def compare(
    info: Info,
    slugs: list[str],
    source: str | None,
    region: str | None,
    scale: CompareScale | None,
) -> list[Trend | StoredDocumentError | None]:
    """The trends of ``slugs`` in order; when ``compared`` is selected, each carries its
    signal (``source`` in ``region``, by default ``search-interest`` in ``WORLD``) on
    ``scale`` (by default JOINT_INDEX), scaled together with the others'."""
    from schema.trend import Trend

    if not 1 <= len(slugs) <= MAX_COMPARE:
        raise BadUserInputError(
            f"compareTrends takes 1 to {MAX_COMPARE} slugs, got {len(slugs)}", argument="slugs"
        )
    check_region_argument(region)
    found = await load_each(info.context.loaders.trend_by_slug, slugs)
    trends = [Trend.from_read(trend) if trend else None for trend in found]
    if not selects(info, "compared"):
        return trends
    key = SignalKey(source or DEFAULT_SOURCE, region or WORLD)
    models_found = [trend for trend in found if isinstance(trend, models.Trend)]
    signal_lists = await asyncio.gather(
        *(info.context.loaders.signals_by_trend_id.load(trend.id) for trend in models_found)
    )
    chosen: dict[str, DomainSignal] = {}
    for model, trend_signals in zip(models_found, signal_lists, strict=True):
        for signal in trend_signals:
            if signal.key == key:
                chosen[model.id] = signal
    units = {signal.unit for signal in chosen.values()}
    if len(units) > 1:
        raise BadUserInputError(
            f"compareTrends: the {key.source} signals in {key.region} of these trends mix "
            "units (INDEX and COUNT); compare one unit at a time",
            argument="source",
        )
    loaded = await asyncio.gather(
        *(info.context.loaders.signal_points.load(signal.id) for signal in chosen.values())
    )
    wanted = scale or CompareScale.JOINT_INDEX
    scaled = comparison.on_scale([points or () for points in loaded], wanted)
    by_trend = dict(zip(chosen, scaled, strict=True))
    for trend in trends:
        if isinstance(trend, Trend) and trend.model.id in chosen:
            signal = chosen[trend.model.id]
            trend.compared_series = ComparedSeries(
                source=signal.source,
                region=signal.region,
                unit=signal.unit,
                scale=wanted,
                points=[SeriesPoint.from_model(p) for p in by_trend[trend.model.id]],
            )
    return trends
