"""Forecasts fitted by the library (statsforecast AutoETS) on series of every kind of trouble."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.forecasting import (
    BACKTEST_ORIGINS,
    HORIZON_MONTHS,
    Forecast,
    ForecastUnavailable,
    Outlook,
    UnavailableReason,
)
from app.domain.series import SeriesPoint
from app.forecasting.compute import compute_forecast
from tests.forecasting.series import growing, shrinking, weekly

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def forecast_of(points: list[SeriesPoint], version: int = 1) -> Forecast:
    outcome = compute_forecast(points, version, NOW)
    assert isinstance(outcome, Forecast), outcome
    return outcome


def assert_well_formed(forecast: Forecast) -> None:
    assert forecast.horizon_months == HORIZON_MONTHS == len(forecast.points)
    assert forecast.backtest.origins == BACKTEST_ORIGINS
    assert forecast.points[0].date.day == 1
    for point in forecast.points:
        assert 0 <= point.lower95 <= point.lower80 <= point.value <= point.upper80 <= point.upper95
    assert 0 <= forecast.backtest.coverage80 <= forecast.backtest.coverage95 <= 100


def test_a_growing_series_rises() -> None:
    forecast = forecast_of(weekly(5 * 52, growing))
    assert_well_formed(forecast)
    assert forecast.outlook is Outlook.RISING
    assert forecast.growth_percent is not None and forecast.growth_percent >= 10
    assert forecast.points[0].date.isoformat() == "2026-12-01"  # the month after the last
    assert forecast.series_version == 1 and forecast.generated_at == NOW


def test_a_shrinking_series_falls() -> None:
    forecast = forecast_of(weekly(5 * 52, shrinking))
    assert_well_formed(forecast)
    assert forecast.outlook is Outlook.FALLING
    assert forecast.growth_percent is not None and forecast.growth_percent <= -10


def test_a_spike_widens_the_bands_without_breaking_the_forecast() -> None:
    calm = weekly(5 * 52, lambda t: 50.0)
    spiked = list(calm)
    for index in range(150, 154):  # a month-long spike, ten times the level, mid-history
        spiked[index] = SeriesPoint(spiked[index].date, 500.0)
    calm_forecast, spiked_forecast = forecast_of(calm), forecast_of(spiked)
    assert_well_formed(spiked_forecast)
    assert spiked_forecast.outlook is Outlook.STEADY

    def width(forecast: Forecast) -> float:
        return forecast.points[-1].upper95 - forecast.points[-1].lower95

    assert width(spiked_forecast) > width(calm_forecast)


def test_gaps_are_bridged_when_short_and_cut_when_long() -> None:
    points = weekly(5 * 52, growing)
    short_gap = [p for p in points if not (100 <= points.index(p) < 106)]  # ~6 weeks missing
    assert_well_formed(forecast_of(short_gap))
    long_gap = [p for p in points if not (100 <= points.index(p) < 130)]  # ~7 months missing
    outcome = compute_forecast(long_gap, 4, NOW)
    assert isinstance(outcome, ForecastUnavailable)
    assert outcome.reason is UnavailableReason.TOO_SHORT and outcome.series_version == 4


def test_too_short_and_constant_series_have_no_forecast() -> None:
    short = compute_forecast(weekly(3 * 52, growing), 2, NOW)
    assert isinstance(short, ForecastUnavailable) and short.reason is UnavailableReason.TOO_SHORT
    start = NOW.date() - timedelta(weeks=300)
    flat = [SeriesPoint(start + timedelta(weeks=week), 42.0) for week in range(300)]
    constant = compute_forecast(flat, 2, NOW)
    assert isinstance(constant, ForecastUnavailable)
    assert constant.reason is UnavailableReason.CONSTANT
    empty = compute_forecast([], 1, NOW)
    assert isinstance(empty, ForecastUnavailable) and empty.reason is UnavailableReason.TOO_SHORT


def test_a_series_of_mostly_zeros_stays_non_negative() -> None:
    points = weekly(5 * 52, lambda t: 30.0 if t > 0.97 else 0.0, season=0)
    outcome = compute_forecast(points, 1, NOW)
    if isinstance(outcome, Forecast):
        assert_well_formed(outcome)
    else:
        assert outcome.reason in (UnavailableReason.FIT_FAILED, UnavailableReason.CONSTANT)
