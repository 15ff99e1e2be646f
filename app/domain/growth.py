"""Growth maths: growth per window computed from a trend's series (``MONTHLY_MEAN_RATIO``).

Method. Every window ends at the series' last point, ``end``, and starts ``months`` calendar
months earlier, ``start`` (3, 6, 12, 24 or 60; a day past the end of a shorter month is
clamped to its last day). Growth compares two month-long means, so one noisy week moves it
little:

- ``start_value``: the mean of the points in the window's first month, ``[start, start + 1
  month)``;
- ``end_value``: the mean of the points in its last month, ``(end - 1 month, end]``;
- ``percent = (end_value - start_value) / start_value * 100``, rounded to 2 decimals.

Edge cases, each with a defined answer (a window without a figure is absent, never 0):

- no points, or a window holding fewer than :data:`MIN_POINTS_PER_WINDOW` points (too short
  a series, or too sparse): the window is absent;
- no point in the first month (the series starts later than the window, or a gap covers
  that month): the window is absent; values are never interpolated across gaps;
- a gap elsewhere in the window does not matter: only the two end months are averaged;
- baseline mean of zero (every point of the first month is 0): the ratio is undefined, so
  the window is absent;
- a negative or non-finite value: :class:`ValueError` (series validation refuses them before
  anything is stored, so stored series never hold one).
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Sequence
from datetime import date
from statistics import fmean

from app.domain.models import GrowthMethod, GrowthWindow, GrowthWindowKey
from app.domain.series import SeriesPoint

MIN_POINTS_PER_WINDOW = 4
"""Monthly data over 3 months (start, two middle months, end) is the sparsest accepted."""


def months_before(day: date, months: int) -> date:
    """``day`` moved back ``months`` calendar months, clamped to the month's last day."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def _check_values(points: Sequence[SeriesPoint]) -> None:
    for point in points:
        if not math.isfinite(point.value) or point.value < 0:
            raise ValueError(
                f"growth needs finite, non-negative values; got {point.value} on {point.date}"
            )


def window_growth(points: Sequence[SeriesPoint], window: GrowthWindowKey) -> GrowthWindow | None:
    """Growth over ``window`` of ``points`` (in date order), or ``None`` when undefined."""
    _check_values(points)
    return _window_growth(points, window)


def _window_growth(points: Sequence[SeriesPoint], window: GrowthWindowKey) -> GrowthWindow | None:
    if not points:
        return None
    end = points[-1].date
    start = months_before(end, window.months)
    first_month_end = months_before(start, -1)
    last_month_start = months_before(end, 1)
    in_window = [point for point in points if start <= point.date <= end]
    first_month = [point.value for point in in_window if point.date < first_month_end]
    last_month = [point.value for point in in_window if point.date > last_month_start]
    if len(in_window) < MIN_POINTS_PER_WINDOW or not first_month or not last_month:
        return None
    start_value, end_value = fmean(first_month), fmean(last_month)
    if start_value == 0:
        return None
    return GrowthWindow(
        window=window,
        percent=round((end_value - start_value) / start_value * 100, 2),
        method=GrowthMethod.MONTHLY_MEAN_RATIO,
        start_value=start_value,
        end_value=end_value,
    )


def compute_growth(points: Sequence[SeriesPoint]) -> list[GrowthWindow]:
    """Every window that has a figure, shortest first; ``points`` must be in date order."""
    _check_values(points)
    windows = (_window_growth(points, key) for key in GrowthWindowKey)
    return [window for window in windows if window is not None]


def merge_growth(
    given: Iterable[GrowthWindow], computed: Iterable[GrowthWindow]
) -> list[GrowthWindow]:
    """The growth a trend answers: per window, the figure a writer gave (a source's
    ``REPORTED`` figure) when there is one, else the one computed from its series; shortest
    window first.

    Computing growth from a series never destroys reported figures: they are kept and win,
    and the computed figures stay readable alongside (``computedGrowth``).
    """
    by_window = {window.window: window for window in computed}
    by_window.update((window.window, window) for window in given)
    return [by_window[key] for key in GrowthWindowKey if key in by_window]
