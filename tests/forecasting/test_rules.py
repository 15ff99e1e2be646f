"""The domain's forecast rules: monthly history, what cannot be forecast, outlook, measures."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.forecast_accuracy import (
    Fold,
    Z,
    conformal_quantile,
    coverage,
    mase,
    origin_cuts,
    seasonal_naive,
    smape,
)
from app.domain.forecasting import (
    MIN_HISTORY_MONTHS,
    Backtest,
    ForecastConfidence,
    ForecastPoint,
    MonthlyValue,
    Outlook,
    UnavailableReason,
    confidence_for,
    forecast_growth_percent,
    monthly_history,
    outlook_between,
    outlook_for,
    unavailable_reason,
    without_spikes,
)
from app.domain.series import SeriesPoint


def months(values: list[float], start: date = date(2020, 1, 1)) -> list[MonthlyValue]:
    history = []
    for index, value in enumerate(values):
        year, month = divmod(start.month - 1 + index, 12)
        history.append(MonthlyValue(date(start.year + year, month + 1, 1), value))
    return history


def test_monthly_history_averages_each_month() -> None:
    points = [
        SeriesPoint(date(2024, 1, 3), 10),
        SeriesPoint(date(2024, 1, 20), 20),
        SeriesPoint(date(2024, 2, 5), 40),
    ]
    assert monthly_history(points) == [
        MonthlyValue(date(2024, 1, 1), 15),
        MonthlyValue(date(2024, 2, 1), 40),
    ]


def test_a_short_gap_is_interpolated() -> None:
    points = [SeriesPoint(date(2024, 1, 10), 10), SeriesPoint(date(2024, 4, 10), 40)]
    assert [month.value for month in monthly_history(points)] == [10, 20, 30, 40]


def test_a_long_gap_keeps_only_the_months_after_it() -> None:
    points = [SeriesPoint(date(2023, 1, 10), 5), SeriesPoint(date(2023, 2, 10), 6)]
    points += [SeriesPoint(date(2024, 1, 10), 10), SeriesPoint(date(2024, 2, 10), 12)]
    assert monthly_history(points) == [
        MonthlyValue(date(2024, 1, 1), 10),
        MonthlyValue(date(2024, 2, 1), 12),
    ]


def test_too_short_and_constant_histories_have_a_reason() -> None:
    short = unavailable_reason(months([1.0, 2.0] * 10), 3)
    assert short is not None
    assert (short.reason, short.series_version) == (UnavailableReason.TOO_SHORT, 3)
    assert "48 months" in short.message and "has 20" in short.message
    constant = unavailable_reason(months([7.0] * MIN_HISTORY_MONTHS), 1)
    assert constant is not None and constant.reason is UnavailableReason.CONSTANT
    varied = months([float(index % 5) for index in range(MIN_HISTORY_MONTHS)])
    assert unavailable_reason(varied, 1) is None


@pytest.mark.parametrize(
    ("growth", "outlook"),
    [
        (10.0, Outlook.RISING),
        (9.99, Outlook.STEADY),
        (-9.99, Outlook.STEADY),
        (-10.0, Outlook.FALLING),
        (250.0, Outlook.RISING),
    ],
)
def test_outlook_thresholds(growth: float, outlook: Outlook) -> None:
    assert outlook_for(growth) is outlook


def test_forecast_growth_compares_last_quarters() -> None:
    assert forecast_growth_percent([5, 10, 10, 10], [0, 0, 12, 12, 12]) == pytest.approx(20)
    assert forecast_growth_percent([0, 0, 0], [1, 1, 1]) is None
    assert outlook_between([0, 0, 0], [1, 1, 1]) is Outlook.RISING
    assert outlook_between([0, 0, 0], [0, 0, 0]) is Outlook.STEADY


def point(value: float, spread: float) -> ForecastPoint:
    return ForecastPoint(date(2027, 1, 1), value, value - spread, value + spread, 0, 1e9)


def test_confidence_follows_the_backtest_and_the_band() -> None:
    history = [100.0] * 12
    narrow = [point(150, 5)] * 12
    wide = [point(150, 60)] * 12
    good = Backtest(mase=0.5, smape=5, coverage80=80, coverage95=95, origins=3)
    fair = Backtest(mase=0.9, smape=5, coverage80=80, coverage95=95, origins=3)
    poor = Backtest(mase=1.2, smape=5, coverage80=80, coverage95=95, origins=3)
    assert confidence_for(good, history, narrow) is ForecastConfidence.HIGH
    assert confidence_for(good, history, wide) is ForecastConfidence.MEDIUM
    assert confidence_for(fair, history, narrow) is ForecastConfidence.MEDIUM
    assert confidence_for(poor, history, narrow) is ForecastConfidence.LOW


def test_rolling_origins_end_with_the_last_month() -> None:
    assert origin_cuts(60, 12, 3, 6) == [36, 42, 48]


def test_seasonal_naive_and_mase() -> None:
    training = (*tuple(float(month % 12) for month in range(24)), 0.0, 2.0)
    assert seasonal_naive(list(range(24)), 3, 12) == [12, 13, 14]
    fold = Fold(training, (1.0, 2.0), (1.0, 4.0), (1.0, 1.0))
    # in-sample seasonal-naive error: 0 for 12 months, then |0-0| and |2-1| -> mean 1/14
    assert mase(fold, 12) == pytest.approx(1.0 / (1 / 14))


def test_smape_counts_two_zeros_as_exact() -> None:
    assert smape([0, 100], [0, 100]) == 0
    assert smape([100], [0]) == 200


def test_conformal_quantile_is_never_below_the_normal_one() -> None:
    assert conformal_quantile([0.1] * 30, 80) == Z[80]
    scores = [float(value) for value in range(1, 25)]
    # rank ceil(25 * 0.95) = 24 of 24 scores: the largest
    assert conformal_quantile(scores, 95) == 24.0


def test_coverage_calibrates_each_fold_on_the_others() -> None:
    calm = Fold((1.0,) * 24, (10.0,) * 4, (10.0,) * 4, (1.0,) * 4)
    wild = Fold((1.0,) * 24, (20.0,) * 4, (10.0,) * 4, (1.0,) * 4)
    # wild's band comes from calm's scores (0: the normal z), so wild's months fall outside;
    # calm's band from wild's scores (10), so calm's months are inside.
    assert coverage([calm, wild], 80) == 50.0


def test_an_isolated_spike_is_smoothed_and_a_take_off_is_kept() -> None:
    seasonal = [50.0 + (index % 12) for index in range(24)]
    spiked = list(seasonal)
    spiked[10] = 400.0
    cleaned = without_spikes(spiked)
    assert cleaned[10] < 70 and cleaned[:10] == seasonal[:10]
    take_off = [10.0 + index for index in range(20)] + [60.0, 120.0, 240.0, 480.0]
    assert without_spikes(take_off) == take_off
