"""Forecast types, and the resolvers of ``forecast`` / ``forecastUnavailable`` on Signal and
Trend (the trend's primary signal).

Forecasts are computed on write (``app.storage.forecast_worker``); these resolvers only read
the stored one (one batched ``$in`` per request when selected) and say whether it is stale.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Self

import strawberry

from app.domain import forecasting, signals
from app.domain.models import Trend as TrendModel
from schema.context import Info

ForecastOutlook = forecasting.Outlook
strawberry.enum(
    forecasting.Outlook,
    name="ForecastOutlook",
    description="Where the forecast says a series is heading over its horizon: RISING when "
    "the forecast growth (`Forecast.growthPercent`) is +10% or more, FALLING at -10% or "
    "less, STEADY between.",
)
ForecastConfidence = forecasting.ForecastConfidence
strawberry.enum(
    forecasting.ForecastConfidence,
    name="ForecastConfidence",
    description="How far to trust a forecast, from its own backtest: HIGH when the backtest "
    "MASE is below 0.7 and the 80% band's bounds give the same outlook as the forecast; "
    "MEDIUM when MASE is below 1 (better than the seasonal-naive forecast); LOW otherwise.",
)
ForecastUnavailableReason = forecasting.UnavailableReason
strawberry.enum(
    forecasting.UnavailableReason,
    name="ForecastUnavailableReason",
    description="Why a series has no forecast: NO_SERIES (only reported figures), TOO_SHORT "
    "(fewer than 48 months without a gap over 2 months), CONSTANT (no variation), "
    "NOT_COMPUTED (the series is new or changed; its forecast is being computed), "
    "FIT_FAILED (the model could not be fitted).",
)


@strawberry.type(description="One forecast month, with its 80% and 95% prediction bands.")
class ForecastPoint:
    date: date = strawberry.field(description="The month forecast (its first day).")
    value: float = strawberry.field(description="The forecast monthly mean (never negative).")
    lower80: float = strawberry.field(description="Lower bound of the 80% band.")
    upper80: float = strawberry.field(description="Upper bound of the 80% band.")
    lower95: float = strawberry.field(description="Lower bound of the 95% band.")
    upper95: float = strawberry.field(description="Upper bound of the 95% band.")


@strawberry.type(
    description="How accurate the method was on this series' own history: rolling-origin "
    "evaluation (each origin trains on the months before it and forecasts the next 12)."
)
class ForecastBacktest:
    mase: float = strawberry.field(
        description="Mean absolute scaled error: the forecast's mean absolute error divided by "
        "the in-sample error of the seasonal-naive forecast (same month a year earlier); "
        "below 1 is better than seasonal naive."
    )
    smape: float = strawberry.field(description="Symmetric mean absolute percentage error, 0-200.")
    coverage80: float = strawberry.field(
        description="Percent of held-out months inside the 80% band (nominal: 80)."
    )
    coverage95: float = strawberry.field(
        description="Percent of held-out months inside the 95% band (nominal: 95)."
    )
    origins: int = strawberry.field(description="How many rolling origins were evaluated.")


@strawberry.type(
    description="A forecast of a series' monthly means, computed when the series was written "
    "(never on read), from a stated method, with its measured accuracy."
)
class Forecast:
    method: str = strawberry.field(
        description="The model: AUTO_ETS is statsforecast's AutoETS, ETS(A,A,A) or "
        "ETS(A,Ad,A) (by AICc) with a 12-month season, bands widened by the backtest's "
        "errors (cross-conformal)."
    )
    horizon_months: int = strawberry.field(description="How many months ahead it forecasts.")
    generated_at: datetime = strawberry.field(description="When it was computed.")
    points: list[ForecastPoint] = strawberry.field(description="The forecast months, in order.")
    backtest: ForecastBacktest = strawberry.field(description="Its accuracy on the history.")
    outlook: ForecastOutlook = strawberry.field(description="Where the series is heading.")
    confidence: ForecastConfidence = strawberry.field(description="How far to trust it.")
    growth_percent: float | None = strawberry.field(
        description="Forecast growth over the horizon: from the mean of the last 3 observed "
        "months to the mean of the last 3 forecast months, in percent; null when the last 3 "
        "observed months are all 0."
    )
    series_version: int = strawberry.field(
        description="The version of the series it was computed from."
    )
    stale: bool = strawberry.field(
        description="True when the series changed since (a newer forecast is being computed): "
        "the forecast describes older data."
    )

    @classmethod
    def from_model(cls, model: forecasting.Forecast, *, stale: bool) -> Self:
        backtest = model.backtest
        return cls(
            method=model.method,
            horizon_months=model.horizon_months,
            generated_at=model.generated_at,
            points=[
                ForecastPoint(
                    date=point.date,
                    value=point.value,
                    lower80=point.lower80,
                    upper80=point.upper80,
                    lower95=point.lower95,
                    upper95=point.upper95,
                )
                for point in model.points
            ],
            backtest=ForecastBacktest(
                mase=backtest.mase,
                smape=backtest.smape,
                coverage80=backtest.coverage80,
                coverage95=backtest.coverage95,
                origins=backtest.origins,
            ),
            outlook=model.outlook,
            confidence=model.confidence,
            growth_percent=model.growth_percent,
            series_version=model.series_version,
            stale=stale,
        )


@strawberry.type(description="Why there is no forecast.")
class ForecastUnavailable:
    reason: ForecastUnavailableReason = strawberry.field(description="The reason, as a code.")
    message: str = strawberry.field(description="The reason, in words.")


NO_SERIES = forecasting.ForecastUnavailable(
    forecasting.UnavailableReason.NO_SERIES,
    "this trend has no signal (its growth figures are reported as given), so nothing to "
    "forecast from",
)
NOT_COMPUTED = forecasting.ForecastUnavailable(
    forecasting.UnavailableReason.NOT_COMPUTED,
    "the series is new or changed; its forecast is being computed",
)


async def signal_outcome(
    info: Info, signal: signals.Signal
) -> tuple[forecasting.ForecastOutcome, bool]:
    """A signal's stored forecast (or why there is none) and whether it is stale."""
    outcome = await info.context.loaders.forecast_by_signal_id.load(signal.id)
    if outcome is None:
        return NOT_COMPUTED, False
    return outcome, (outcome.series_version or 0) < signal.version


async def trend_outcome(info: Info, trend: TrendModel) -> tuple[forecasting.ForecastOutcome, bool]:
    """The forecast of the trend's primary signal (see :func:`signal_outcome`)."""
    trend_signals = await info.context.loaders.signals_by_trend_id.load(trend.id)
    primary = signals.primary_key(signal.key for signal in trend_signals)
    if primary is None:
        return NO_SERIES, False
    [signal] = [signal for signal in trend_signals if signal.key == primary]
    return await signal_outcome(info, signal)


def as_forecast(outcome: forecasting.ForecastOutcome, stale: bool) -> Forecast | None:
    if isinstance(outcome, forecasting.Forecast):
        return Forecast.from_model(outcome, stale=stale)
    return None


def as_unavailable(outcome: forecasting.ForecastOutcome, stale: bool) -> ForecastUnavailable | None:
    if isinstance(outcome, forecasting.Forecast):
        return None
    if stale:  # the series changed since it was found unforecastable: it may be now
        outcome = NOT_COMPUTED
    return ForecastUnavailable(reason=outcome.reason, message=outcome.message)


async def resolve_forecast(info: Info, trend: TrendModel) -> Forecast | None:
    return as_forecast(*await trend_outcome(info, trend))


async def resolve_forecast_unavailable(info: Info, trend: TrendModel) -> ForecastUnavailable | None:
    return as_unavailable(*await trend_outcome(info, trend))
