"""Forecasts' rules: what may be forecast, on which monthly history, and how a result reads.

A forecast is computed from a series (one signal of a trend) on write, never on read
(:mod:`app.forecasting` fits it; this module holds the rules, without I/O and without the
forecasting library).

History. The series is summarised as monthly means (one value per calendar month holding
points). A month without points inside the series is a gap:

- a gap of at most :data:`MAX_FILLED_GAP_MONTHS` months is filled by linear interpolation
  between its neighbours (a missed week or two of collection should not void a forecast);
- a longer gap breaks the series: only the months after the last long gap are used (what
  happened before a long silence says little about what comes next).

Too little or no information answers no forecast, with the reason (never a made-up line):

- ``NO_SERIES``: the trend has no series (growth figures only REPORTED, like Asyncio);
- ``TOO_SHORT``: fewer than :data:`MIN_HISTORY_MONTHS` usable months. The earliest of the
  :data:`BACKTEST_ORIGINS` rolling origins must still train on two full seasons:
  ``48 - 12 (horizon) - 2 * 6 (origin step) = 24`` months;
- ``CONSTANT``: every monthly value is the same (no variation to learn from; a flat line
  would be made up, and the accuracy measures divide by the series' own variation).

Spikes. A month far off its neighbours (further from the median of the
:data:`SPIKE_WINDOW_MONTHS` months centred on it than :data:`SPIKE_FACTOR` times the series'
median month-to-month change) is replaced by that median before fitting: exponential
smoothing would otherwise take a one-month spike for part of the season and echo it a year
later. Only months with a full
window on both sides are touched, so a take-off in the last months is never cut; the
backtest still scores against the months as observed.

Outlook. The forecast growth is the change, in percent, from the mean of the last
:data:`OUTLOOK_WINDOW_MONTHS` observed months to the mean of the horizon's last
:data:`OUTLOOK_WINDOW_MONTHS` forecast months (means, so one seasonal month does not decide).
``RISING`` at or above +:data:`OUTLOOK_THRESHOLD_PERCENT` %, ``FALLING`` at or below
-:data:`OUTLOOK_THRESHOLD_PERCENT` %, ``STEADY`` between. A last-quarter mean of zero has
no ratio: the growth is then null and the outlook ``RISING`` when the forecast's last quarter
is above zero, else ``STEADY``.

Confidence, from the forecast's own backtest (:class:`Backtest`): ``HIGH`` when its MASE is
below :data:`HIGH_CONFIDENCE_MASE` (clearly better than the seasonal-naive forecast) and the
80% band at the horizon's end agrees with the outlook (both its bounds give the same
outlook); ``MEDIUM`` when MASE is below 1 (better than seasonal naive); ``LOW`` otherwise.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from statistics import fmean, median

from app.domain.series import SeriesPoint

HORIZON_MONTHS = 12
SEASON_MONTHS = 12
BACKTEST_ORIGINS = 3
ORIGIN_STEP_MONTHS = 6
MIN_HISTORY_MONTHS = 48
MAX_FILLED_GAP_MONTHS = 2
OUTLOOK_WINDOW_MONTHS = 3
OUTLOOK_THRESHOLD_PERCENT = 10.0
HIGH_CONFIDENCE_MASE = 0.7
SPIKE_WINDOW_MONTHS = 5
SPIKE_FACTOR = 6.0


class Outlook(StrEnum):
    RISING = "RISING"
    STEADY = "STEADY"
    FALLING = "FALLING"


class ForecastConfidence(StrEnum):
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


class UnavailableReason(StrEnum):
    NO_SERIES = "NO_SERIES"
    TOO_SHORT = "TOO_SHORT"
    CONSTANT = "CONSTANT"
    NOT_COMPUTED = "NOT_COMPUTED"
    """The series exists but no forecast was computed for it yet (it is being computed)."""
    FIT_FAILED = "FIT_FAILED"


@dataclass(frozen=True, slots=True)
class MonthlyValue:
    month: date
    """The month's first day."""
    value: float


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    date: date
    """The forecast month's first day."""
    value: float
    lower80: float
    upper80: float
    lower95: float
    upper95: float


@dataclass(frozen=True, slots=True)
class Backtest:
    """Accuracy of the method on the series' own history, over ``origins`` rolling origins.

    ``mase``: mean absolute error over each origin's horizon, divided by the in-sample mean
    absolute error of the seasonal-naive forecast (one season back) on that origin's
    training months, averaged over origins (below 1: better than seasonal naive).
    ``smape`` in percent (0-200). ``coverage80``/``coverage95``: the share, in percent, of
    held-out months inside the 80%/95% band.
    """

    mase: float
    smape: float
    coverage80: float
    coverage95: float
    origins: int


@dataclass(frozen=True, slots=True)
class Forecast:
    method: str
    horizon_months: int
    generated_at: datetime
    points: tuple[ForecastPoint, ...]
    backtest: Backtest
    outlook: Outlook
    confidence: ForecastConfidence
    growth_percent: float | None
    """Forecast growth over the horizon (see the module's Outlook rule); ``None`` from zero."""
    series_version: int
    """The version of the series this forecast was computed from."""


@dataclass(frozen=True, slots=True)
class ForecastUnavailable:
    reason: UnavailableReason
    message: str
    series_version: int | None = None
    generated_at: datetime | None = None


ForecastOutcome = Forecast | ForecastUnavailable


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def monthly_history(points: Sequence[SeriesPoint]) -> list[MonthlyValue]:
    """Monthly means of ``points`` (in date order), gaps filled or cut (see the module)."""
    sums: dict[date, list[float]] = {}
    for point in points:
        sums.setdefault(month_start(point.date), []).append(point.value)
    history: list[MonthlyValue] = []
    for month in sorted(sums):
        value = fmean(sums[month])
        if history:
            gap = months_between(history[-1].month, month) - 1
            if gap > MAX_FILLED_GAP_MONTHS:
                history = []
            elif gap > 0:
                before = history[-1].value
                history.extend(
                    MonthlyValue(
                        add_months(history[-1].month, step),
                        before + (value - before) * step / (gap + 1),
                    )
                    for step in range(1, gap + 1)
                )
        history.append(MonthlyValue(month, value))
    return history


def without_spikes(values: Sequence[float]) -> list[float]:
    """``values`` with isolated spikes replaced by their neighbourhood's median (see module)."""
    half = SPIKE_WINDOW_MONTHS // 2
    medians = {
        index: median(values[index - half : index + half + 1])
        for index in range(half, len(values) - half)
    }
    steps = [abs(after - before) for before, after in itertools.pairwise(values)]
    typical = median(steps) if steps else 0.0
    cleaned = list(values)
    for index, middle in medians.items():
        if typical > 0 and abs(values[index] - middle) > SPIKE_FACTOR * typical:
            cleaned[index] = middle
    return cleaned


def unavailable_reason(
    history: Sequence[MonthlyValue], series_version: int | None
) -> ForecastUnavailable | None:
    """Why ``history`` cannot be forecast, or ``None`` when it can."""
    if len(history) < MIN_HISTORY_MONTHS:
        return ForecastUnavailable(
            UnavailableReason.TOO_SHORT,
            f"a forecast needs {MIN_HISTORY_MONTHS} months of history without a gap longer "
            f"than {MAX_FILLED_GAP_MONTHS} months; this series has {len(history)}",
            series_version,
        )
    if max(month.value for month in history) == min(month.value for month in history):
        return ForecastUnavailable(
            UnavailableReason.CONSTANT,
            "every month of the series has the same value: there is no variation to forecast",
            series_version,
        )
    return None


def forecast_growth_percent(history: Sequence[float], forecast: Sequence[float]) -> float | None:
    """Growth from the last observed quarter's mean to the horizon's last quarter's mean;
    ``None`` when the last observed quarter's mean is 0."""
    start = fmean(history[-OUTLOOK_WINDOW_MONTHS:])
    end = fmean(forecast[-OUTLOOK_WINDOW_MONTHS:])
    if start == 0:
        return None
    return (end - start) / start * 100


def outlook_between(history: Sequence[float], forecast: Sequence[float]) -> Outlook:
    growth = forecast_growth_percent(history, forecast)
    if growth is None:
        return Outlook.RISING if fmean(forecast[-OUTLOOK_WINDOW_MONTHS:]) > 0 else Outlook.STEADY
    return outlook_for(growth)


def outlook_for(growth_percent: float) -> Outlook:
    if growth_percent >= OUTLOOK_THRESHOLD_PERCENT:
        return Outlook.RISING
    if growth_percent <= -OUTLOOK_THRESHOLD_PERCENT:
        return Outlook.FALLING
    return Outlook.STEADY


def confidence_for(
    backtest: Backtest, history: Sequence[float], points: Sequence[ForecastPoint]
) -> ForecastConfidence:
    if backtest.mase >= 1:
        return ForecastConfidence.LOW
    if backtest.mase >= HIGH_CONFIDENCE_MASE:
        return ForecastConfidence.MEDIUM
    tail = points[-OUTLOOK_WINDOW_MONTHS:]
    bounds = (
        [point.lower80 for point in tail],
        [point.value for point in tail],
        [point.upper80 for point in tail],
    )
    outlooks = {outlook_between(history, bound) for bound in bounds}
    return ForecastConfidence.HIGH if len(outlooks) == 1 else ForecastConfidence.MEDIUM
