"""``appendSeries``: add points to a trend's series, recomputing its growth and status."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from app.domain import series, signals
from app.domain.errors import ErrorCode, WriteError
from app.domain.regions import WORLD
from app.storage.repositories.stored import expect
from schema.context import Info
from schema.mutations.payloads import UserError
from schema.permissions import RequiresApiKey
from schema.trend import Trend


@strawberry.input(description="One point to append to a series.")
class SeriesPointInput:
    date: date = strawberry.field(description="The day observed; today (UTC) at the latest.")
    value: float = strawberry.field(description="The value observed: finite and not negative.")


@strawberry.type(description="The outcome of appendSeries.")
class AppendSeriesPayload:
    trend: Trend | None = strawberry.field(
        description="The trend with its recomputed growth and status; null when refused."
    )
    points_written: int = strawberry.field(
        description="How many dates of the input were stored (0 when refused); a point for a "
        "date already in the series replaces it, and of several input points for one date "
        "the last is kept."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the input was refused; empty on success. Nothing is written when "
        "any point is at fault."
    )


def _refused(*errors: UserError) -> AppendSeriesPayload:
    return AppendSeriesPayload(trend=None, points_written=0, user_errors=list(errors))


@strawberry.type
class SeriesMutation:
    @strawberry.mutation(
        description="Append points to one of a trend's signals (needs an API key), creating "
        "it if needed. Points may come in any order; one for a date already stored replaces "
        "it. The signal's growth is recomputed from its whole series, and so are the trend's "
        "growth and status when it is the primary signal (see `Trend.growth`: REPORTED "
        "figures are kept). Bad input (a future or out-of-range date, a negative value, a "
        "source that is not a slug, a region that is not an ISO 3166-1 alpha-2 code or "
        "WORLD, an unknown unit, a unit other than the signal's) refuses the whole call and "
        "writes nothing.",
        permission_classes=[RequiresApiKey],
    )
    async def append_series(
        self,
        info: Info,
        slug: Annotated[
            str, strawberry.argument(description="The trend, by slug or alias in slug form.")
        ],
        points: Annotated[
            list[SeriesPointInput],
            strawberry.argument(
                description=f"The points, at most {series.MAX_POINTS_PER_APPEND} per call."
            ),
        ],
        series_source: Annotated[
            str | None,
            strawberry.argument(
                name="source",  # `source` itself would clash with strawberry's permission hook
                description="The signal's source, a slug (`search-interest`, `github-stars`, "
                "`package-downloads`, `news-mentions`, `social-mentions`...). With neither "
                "source nor region: the trend's primary signal (`search-interest` for a trend "
                f"without signals); otherwise `{series.DEFAULT_SOURCE}` when left out.",
            ),
        ] = None,
        region: Annotated[
            str | None,
            strawberry.argument(
                description="The signal's region: an ISO 3166-1 alpha-2 code in upper case "
                f"(US, DE...) or `{WORLD}` (the default when a source is given)."
            ),
        ] = None,
        unit: Annotated[
            str | None,
            strawberry.argument(
                description="What the values measure: `INDEX` (relative, 0-100 by convention) "
                "or `COUNT` (absolute per period). Default: the signal's unit, `INDEX` for a "
                "new signal; another unit than the signal's is refused (UNIT_MISMATCH). A "
                "string, so that an unknown unit is answered in userErrors."
            ),
        ] = None,
    ) -> AppendSeriesPayload:
        new_points = [series.SeriesPoint(point.date, point.value) for point in points]
        problems = series.check_points(new_points)
        problems += signals.check_signal(series_source, region, unit)
        if problems:
            return _refused(*UserError.many(problems))
        [found] = await info.context.trends.by_slugs([slug], with_analyses=False)
        trend = expect(found)
        if trend is None:
            return _refused(
                UserError(field=["slug"], message=f"no trend {slug!r}", code=ErrorCode.NOT_FOUND)
            )
        try:
            appended = await info.context.series.append(
                trend.id,
                new_points,
                series_source,
                region=region,
                unit=signals.SignalUnit(unit) if unit is not None else None,
            )
        except WriteError as error:
            return _refused(*UserError.many(error.errors))
        if info.context.forecast_worker is not None:  # computed on write, in the background
            info.context.forecast_worker.schedule(appended.signal.id)
        [read_back] = await info.context.trends.by_ids([trend.id])
        updated = expect(read_back)
        return AppendSeriesPayload(
            trend=Trend.from_model(updated) if updated else None,
            points_written=len({point.date for point in new_points}),
            user_errors=[],
        )
