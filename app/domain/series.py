"""Time series of a trend: points, what makes a point acceptable, and how new points merge.

A series holds one measure from one source (``search-interest`` by default), one value per
date. Values are non-negative, finite numbers (an interest index, a count); dates are
calendar days, from :data:`EARLIEST_DATE` up to today (UTC): a series records what was
observed, not forecasts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

DEFAULT_SOURCE = "search-interest"
EARLIEST_DATE = date(1900, 1, 1)
MAX_POINTS_PER_APPEND = 5_000
MAX_POINTS_PER_SERIES = 10_000
"""About 27 years of daily points: one stored document stays far below MongoDB's 16 MB."""
MAX_SOURCE_LENGTH = 60


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One observation: ``value`` on ``date``."""

    date: date
    value: float


@dataclass(frozen=True, slots=True)
class Series:
    """A trend's stored series, points in date order."""

    trend_id: str
    source: str
    points: tuple[SeriesPoint, ...]
    version: int

    def between(self, start: date | None, end: date | None) -> list[SeriesPoint]:
        """The points from ``start`` to ``end``, both included; an open bound does not limit."""
        return [
            point
            for point in self.points
            if (start is None or point.date >= start) and (end is None or point.date <= end)
        ]


@dataclass(frozen=True, slots=True)
class PointProblem:
    """Why an appended point (``index`` in the input) or the whole input was refused."""

    field: str
    message: str
    code: str
    index: int | None = None


def check_points(points: Sequence[SeriesPoint], *, today: date | None = None) -> list[PointProblem]:
    """Every fault of ``points`` as an append input; empty when all may be written."""
    today = today or datetime.now(UTC).date()
    if not points:
        return [PointProblem("points", "give at least one point", "EMPTY")]
    if len(points) > MAX_POINTS_PER_APPEND:
        return [
            PointProblem(
                "points",
                f"at most {MAX_POINTS_PER_APPEND} points per call, got {len(points)}",
                "TOO_MANY_POINTS",
            )
        ]
    problems = []
    for index, point in enumerate(points):
        if point.date > today:
            problems.append(
                PointProblem("date", f"{point.date} is after today ({today})", "FUTURE_DATE", index)
            )
        elif point.date < EARLIEST_DATE:
            problems.append(
                PointProblem(
                    "date", f"{point.date} is before {EARLIEST_DATE}", "DATE_OUT_OF_RANGE", index
                )
            )
        if not math.isfinite(point.value):
            problems.append(
                PointProblem("value", f"{point.value} is not a finite number", "NOT_FINITE", index)
            )
        elif point.value < 0:
            problems.append(
                PointProblem("value", f"{point.value} is negative", "NEGATIVE_VALUE", index)
            )
    return problems


def check_source(source: str) -> list[PointProblem]:
    """Faults of a source name: non-blank, short, one line."""
    if not source.strip() or len(source) > MAX_SOURCE_LENGTH or "\n" in source:
        return [
            PointProblem(
                "source",
                f"a source is a non-blank line of at most {MAX_SOURCE_LENGTH} characters",
                "INVALID_SOURCE",
            )
        ]
    return []


def merge_points(
    stored: Iterable[SeriesPoint], new: Iterable[SeriesPoint]
) -> tuple[SeriesPoint, ...]:
    """``stored`` and ``new`` in date order; a new point replaces a stored one of the same date.

    Inputs may come in any order; within ``new``, the last point given for a date wins.
    """
    by_date = {point.date: point for point in stored}
    by_date.update((point.date, point) for point in new)
    return tuple(by_date[day] for day in sorted(by_date))


def to_stored_date(day: date) -> datetime:
    """BSON has no date type: a day is stored as its midnight, UTC."""
    return datetime.combine(day, time(), tzinfo=UTC)
