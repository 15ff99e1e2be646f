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

from app.domain.errors import ErrorCode, FieldError

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


def _point_error(index: int, field: str, message: str, code: ErrorCode) -> FieldError:
    return FieldError(("points", str(index), field), message, code)


def check_points(points: Sequence[SeriesPoint], *, today: date | None = None) -> list[FieldError]:
    """Every fault of ``points`` as an append input; empty when all may be written."""
    today = today or datetime.now(UTC).date()
    if not points:
        return [FieldError(("points",), "give at least one point", ErrorCode.EMPTY)]
    if len(points) > MAX_POINTS_PER_APPEND:
        return [
            FieldError(
                ("points",),
                f"at most {MAX_POINTS_PER_APPEND} points per call, got {len(points)}",
                ErrorCode.TOO_MANY_POINTS,
            )
        ]
    problems: list[FieldError] = []
    for index, point in enumerate(points):
        if point.date > today:
            problems.append(
                _point_error(
                    index, "date", f"{point.date} is after today ({today})", ErrorCode.FUTURE_DATE
                )
            )
        elif point.date < EARLIEST_DATE:
            problems.append(
                _point_error(
                    index,
                    "date",
                    f"{point.date} is before {EARLIEST_DATE}",
                    ErrorCode.DATE_OUT_OF_RANGE,
                )
            )
        if not math.isfinite(point.value):
            problems.append(
                _point_error(
                    index, "value", f"{point.value} is not a finite number", ErrorCode.NOT_FINITE
                )
            )
        elif point.value < 0:
            problems.append(
                _point_error(index, "value", f"{point.value} is negative", ErrorCode.NEGATIVE_VALUE)
            )
    return problems


def check_source(source: str) -> list[FieldError]:
    """Faults of a source name: non-blank, short, one line."""
    if not source.strip() or len(source) > MAX_SOURCE_LENGTH or "\n" in source:
        return [
            FieldError(
                ("source",),
                f"a source is a non-blank line of at most {MAX_SOURCE_LENGTH} characters",
                ErrorCode.INVALID_SOURCE,
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
