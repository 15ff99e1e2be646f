"""The growth method on hand-computed series, and each edge case's defined answer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from app.domain.growth import MIN_POINTS_PER_WINDOW, compute_growth, months_before, window_growth
from app.domain.models import GrowthMethod, GrowthWindowKey
from app.domain.series import SeriesPoint

THREE_MONTHS = GrowthWindowKey.THREE_MONTHS


def monthly(start: date, values: Sequence[float]) -> list[SeriesPoint]:
    """One point on the first day of each month from ``start``."""
    return [
        SeriesPoint(months_before(start, -offset), value) for offset, value in enumerate(values)
    ]


def weekly(start: date, values: Sequence[float]) -> list[SeriesPoint]:
    return [SeriesPoint(start + timedelta(weeks=week), value) for week, value in enumerate(values)]


def test_monthly_points_compare_the_first_and_last_month() -> None:
    points = monthly(date(2024, 1, 1), [100, 110, 120, 150])
    growth = window_growth(points, THREE_MONTHS)
    assert growth is not None
    assert growth.method is GrowthMethod.MONTHLY_MEAN_RATIO
    assert (growth.start_value, growth.end_value, growth.percent) == (100, 150, 50.0)


def test_weekly_points_average_each_end_month() -> None:
    # 2024-01-07 .. 2024-04-07 weekly (14 points); window 2024-01-07 .. 2024-04-07.
    # First month [01-07, 02-07): 01-07, 01-14, 01-21, 01-28, 02-04 -> 10, 12, 8, 10, 10
    # Last month (03-07, 04-07]: 03-10, 03-17, 03-24, 03-31, 04-07 -> 14, 16, 15, 15, 15
    values = [10, 12, 8, 10, 10, 11, 11, 11, 11, 14, 16, 15, 15, 15]
    growth = window_growth(weekly(date(2024, 1, 7), values), THREE_MONTHS)
    assert growth is not None
    assert growth.start_value == pytest.approx(10.0)
    assert growth.end_value == pytest.approx(15.0)
    assert growth.percent == 50.0


def test_falling_series_gives_negative_growth_rounded_to_two_decimals() -> None:
    growth = window_growth(monthly(date(2024, 1, 1), [300, 250, 220, 200]), THREE_MONTHS)
    assert growth is not None
    assert growth.percent == -33.33


def test_every_window_the_series_covers_shortest_first() -> None:
    points = weekly(date(2020, 1, 5), [100.0 + week for week in range(53 * 5 + 2)])
    keys = [growth.window for growth in compute_growth(points)]
    assert keys == list(GrowthWindowKey)


def test_no_points_means_no_windows() -> None:
    assert compute_growth([]) == []


def test_too_few_points_leave_the_window_absent() -> None:
    points = [
        SeriesPoint(date(2024, 1, 1), 100),
        SeriesPoint(date(2024, 2, 15), 120),
        SeriesPoint(date(2024, 4, 1), 200),
    ]
    assert len(points) < MIN_POINTS_PER_WINDOW
    assert window_growth(points, THREE_MONTHS) is None


def test_series_shorter_than_the_window_leaves_it_absent() -> None:
    points = monthly(date(2024, 1, 1), [100, 110, 120, 150])
    keys = [growth.window for growth in compute_growth(points)]
    assert keys == [THREE_MONTHS]


def test_zero_baseline_leaves_the_window_absent() -> None:
    assert window_growth(monthly(date(2024, 1, 1), [0, 10, 20, 30]), THREE_MONTHS) is None


def test_gap_over_the_first_month_leaves_the_window_absent() -> None:
    daily = [SeriesPoint(date(2024, 1, 1) + timedelta(days=day), 10) for day in range(92)]
    without_january = [point for point in daily if point.date.month != 1]
    assert window_growth(daily, THREE_MONTHS) is not None
    assert window_growth(without_january, THREE_MONTHS) is None


def test_gap_inside_the_window_does_not_change_the_figure() -> None:
    values = [10, 12, 8, 10, 10, 11, 11, 11, 11, 14, 16, 15, 15, 15]
    points = weekly(date(2024, 1, 7), values)
    with_gap = points[:6] + points[9:]  # three middle weeks missing
    assert window_growth(with_gap, THREE_MONTHS) == window_growth(points, THREE_MONTHS)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_negative_or_non_finite_values_are_rejected(bad: float) -> None:
    points = monthly(date(2024, 1, 1), [100, bad, 120, 150])
    with pytest.raises(ValueError, match="finite, non-negative"):
        compute_growth(points)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 5, 31), 3, date(2024, 2, 29)),
        (date(2024, 3, 15), 12, date(2023, 3, 15)),
        (date(2024, 1, 31), -1, date(2024, 2, 29)),
        (date(2025, 1, 10), 60, date(2020, 1, 10)),
    ],
)
def test_months_before_clamps_to_the_end_of_shorter_months(
    day: date, months: int, expected: date
) -> None:
    assert months_before(day, months) == expected
