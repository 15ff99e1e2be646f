"""Input types for listing trends: filters and orders."""

from __future__ import annotations

import math

import strawberry

from app.domain.regions import WORLD, is_region
from app.domain.series import DEFAULT_SOURCE
from app.storage import repositories
from schema.enums import (
    DEFAULT_DESCENDING,
    GrowthWindowKey,
    OrderDirection,
    TrendOrderField,
    TrendStatus,
)
from schema.errors import BadUserInputError
from schema.forecast import ForecastOutlook

MAX_FILTER_VALUES = 20


@strawberry.input(description="A growth range for one window; either bound may be left out.")
class GrowthRange:
    window: GrowthWindowKey = strawberry.field(description="The window whose growth is compared.")
    min: float | None = strawberry.field(
        default=None, description="Smallest growth in percent to include."
    )
    max: float | None = strawberry.field(
        default=None, description="Largest growth in percent to include."
    )


@strawberry.input(description="A range of forecast growth; either bound may be left out.")
class ForecastGrowthRange:
    min: float | None = strawberry.field(
        default=None, description="Smallest forecast growth in percent to include."
    )
    max: float | None = strawberry.field(
        default=None, description="Largest forecast growth in percent to include."
    )


def _check_range(name: str, low: float | None, high: float | None) -> None:
    bounds = [bound for bound in (low, high) if bound is not None]
    if not all(map(math.isfinite, bounds)):
        raise BadUserInputError(f"filter.{name} bounds must be finite numbers", argument="filter")
    if low is not None and high is not None and low > high:
        raise BadUserInputError(
            f"filter.{name}.min ({low}) is greater than max ({high})", argument="filter"
        )


@strawberry.input(
    description="Which signals a trend must have: from a source, in a region, or both; "
    "with `growth` (source and region both given), how fast that signal grows."
)
class SignalFilter:
    source: str | None = strawberry.field(
        default=None, description="The signal's source, e.g. `search-interest`."
    )
    region: str | None = strawberry.field(
        default=None, description="The signal's region: an ISO 3166-1 alpha-2 code or WORLD."
    )
    growth: GrowthRange | None = strawberry.field(
        default=None,
        description="Only trends whose signal from `source` in `region` (both required) has "
        "growth for the window within this range, bounds included; a trend whose signal has "
        "no growth for the window never matches. This is the signal's own growth, not the "
        "trend's (`TrendFilter.growth`). Indexed; combines with every other filter and order.",
    )

    def check(self) -> None:
        """Raises :class:`BadUserInputError` for a filter that cannot be read."""
        if self.source is None and self.region is None:
            raise BadUserInputError(
                "filter.signal needs a source, a region or both", argument="filter"
            )
        if self.region is not None and not is_region(self.region):
            raise BadUserInputError(
                "filter.signal.region must be an ISO 3166-1 alpha-2 code in upper case or "
                f"WORLD, got {self.region!r}",
                argument="filter",
            )
        if self.growth is not None:
            if self.source is None or self.region is None:
                raise BadUserInputError(
                    "filter.signal.growth needs both filter.signal.source and filter.signal.region",
                    argument="filter",
                )
            _check_range("signal.growth", self.growth.min, self.growth.max)


@strawberry.input(description="Trends matching every criterion given.")
class TrendFilter:
    category: str | None = strawberry.field(
        default=None, description="Only trends in this category (slug)."
    )
    tags: list[str] | None = strawberry.field(
        default=None, description="Only trends carrying all of these tags."
    )
    status: list[TrendStatus] | None = strawberry.field(
        default=None, description="Only trends with one of these statuses."
    )
    growth: GrowthRange | None = strawberry.field(
        default=None, description="Only trends whose growth for a window lies in this range."
    )
    outlook: list[ForecastOutlook] | None = strawberry.field(
        default=None,
        description="Only trends whose forecast (of the primary signal) has one of these "
        "outlooks; trends without a forecast never match.",
    )
    forecast_growth: ForecastGrowthRange | None = strawberry.field(
        default=None,
        description="Only trends whose forecast growth over the horizon lies in this range.",
    )
    signal: SignalFilter | None = strawberry.field(
        default=None,
        description="Only trends with a signal from this source and/or region, and with "
        "`growth`, a signal growing within a range (indexed).",
    )

    def to_domain(self) -> repositories.TrendFilter:
        tags = self.tags or []
        statuses = self.status or []
        outlooks = self.outlook or []
        for name, values in (("tags", tags), ("status", statuses), ("outlook", outlooks)):
            if len(values) > MAX_FILTER_VALUES:
                raise BadUserInputError(
                    f"filter.{name} takes at most {MAX_FILTER_VALUES} values, got {len(values)}",
                    argument="filter",
                )
        growth = self.growth
        if growth is not None:
            _check_range("growth", growth.min, growth.max)
        forecast_growth = self.forecast_growth
        if forecast_growth is not None:
            _check_range("forecastGrowth", forecast_growth.min, forecast_growth.max)
        signal = self.signal
        if signal is not None:
            signal.check()
        signal_growth = signal.growth if signal else None
        return repositories.TrendFilter(
            signal_source=signal.source if signal else None,
            signal_region=signal.region if signal else None,
            signal_growth_window=signal_growth.window if signal_growth else None,
            signal_min_growth=signal_growth.min if signal_growth else None,
            signal_max_growth=signal_growth.max if signal_growth else None,
            category=self.category,
            tags=tags,
            status=statuses,
            growth_window=growth.window if growth else None,
            min_growth=growth.min if growth else None,
            max_growth=growth.max if growth else None,
            outlook=outlooks,
            min_forecast_growth=forecast_growth.min if forecast_growth else None,
            max_forecast_growth=forecast_growth.max if forecast_growth else None,
        )


@strawberry.input(description="How to order trends. Ties are broken by id, so pages are stable.")
class TrendOrder:
    field: TrendOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection | None = strawberry.field(
        default=None,
        description="Ascending or descending; left out, the field's own default: NAME "
        "ascending, GROWTH, UPDATED_AT and STATUS descending.",
    )
    window: GrowthWindowKey | None = strawberry.field(
        default=None,
        description="The growth window to order by; required with GROWTH, refused otherwise.",
    )

    source: str | None = strawberry.field(
        default=None,
        description="With GROWTH or VOLUME: order by the growth (or, for VOLUME, the latest "
        "count) of the trends' signal from this source, in `region` (WORLD by default); "
        "only trends with that signal are listed. Indexed.",
    )
    region: str | None = strawberry.field(
        default=None,
        description="With GROWTH or VOLUME: the region (ISO 3166-1 alpha-2 or WORLD) of the "
        "signal to order by; its source is `search-interest` unless `source` says otherwise.",
    )

    def to_domain(self) -> repositories.TrendOrder:
        by_signal = self.source is not None or self.region is not None
        signal_fields = (repositories.TrendOrderField.GROWTH, repositories.TrendOrderField.VOLUME)
        if by_signal and self.field not in signal_fields:
            raise BadUserInputError(
                "orderBy.source and orderBy.region apply only to GROWTH and VOLUME",
                argument="orderBy",
            )
        if self.region is not None and not is_region(self.region):
            raise BadUserInputError(
                "orderBy.region must be an ISO 3166-1 alpha-2 code in upper case or WORLD, "
                f"got {self.region!r}",
                argument="orderBy",
            )
        is_growth = self.field is repositories.TrendOrderField.GROWTH
        if is_growth and self.window is None:
            raise BadUserInputError(
                "orderBy.window is required when orderBy.field is GROWTH", argument="orderBy"
            )
        if not is_growth and self.window is not None:
            raise BadUserInputError(
                f"orderBy.window applies only to GROWTH, not {self.field.value}",
                argument="orderBy",
            )
        return repositories.TrendOrder(
            field=self.field,
            descending=DEFAULT_DESCENDING[self.field]
            if self.direction is None
            else self.direction is OrderDirection.DESC,
            window=self.window or GrowthWindowKey.THREE_MONTHS,
            source=(self.source or DEFAULT_SOURCE) if by_signal else None,
            region=(self.region or WORLD) if by_signal else None,
        )
