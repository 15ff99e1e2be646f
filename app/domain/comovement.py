"""Co-movement: how alike two trends' growth has been over the last year.

Each signal's last year is summed up, when its series is written, as a :class:`Movement`:
the month-over-month change of its monthly means over the 12 calendar months ending with
the month of its last point (13 monthly means, 12 changes; a month without points, or after
a zero mean, has no change). Two movements are compared by the Pearson correlation of the
changes they both have for the same months (:func:`correlation`): 1 means their growth rose
and fell together, month by month, whatever their size or unit. Fewer than
:data:`MIN_SHARED_MONTHS` shared months, or a flat movement, gives no figure.
"""

from __future__ import annotations

import math
import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Generic, TypeVar

from app.domain.series import SeriesPoint

T = TypeVar("T")
MONTHS = 12
MIN_SHARED_MONTHS = 6
MIN_CORRELATION = 0.5
"""Weaker co-movement is not worth suggesting."""
PREFILTER_MARGIN = 0.01
"""Rounding room between a dot product and :func:`correlation` of the same pairs."""


@dataclass(frozen=True, slots=True)
class Movement:
    """Month-over-month changes; ``changes[i]`` is for the month ``MONTHS - 1 - i`` before
    ``end_month`` (a month number: ``year * 12 + month - 1``)."""

    end_month: int
    changes: tuple[float | None, ...]


def _month(point: SeriesPoint) -> int:
    return point.date.year * 12 + point.date.month - 1


def movement_of(points: Sequence[SeriesPoint]) -> Movement | None:
    """The movement of ``points`` (in date order); ``None`` for an empty series."""
    if not points:
        return None
    end = _month(points[-1])
    first = end - MONTHS
    by_month: dict[int, list[float]] = defaultdict(list)
    for point in reversed(points):
        month = _month(point)
        if month < first:
            break
        by_month[month].append(point.value)
    means = {month: fmean(values) for month, values in by_month.items()}
    changes: list[float | None] = []
    for month in range(first + 1, end + 1):
        before, now = means.get(month - 1), means.get(month)
        changes.append(None if not before or now is None else (now - before) / before)
    return Movement(end, tuple(changes))


def correlation(a: Movement, b: Movement) -> float | None:
    """Pearson correlation of the changes ``a`` and ``b`` share, rounded to 3 decimals."""
    by_month_b = {b.end_month - MONTHS + 1 + i: change for i, change in enumerate(b.changes)}
    pairs = [
        (change, other)
        for i, change in enumerate(a.changes)
        if change is not None
        and (other := by_month_b.get(a.end_month - MONTHS + 1 + i)) is not None
    ]
    if len(pairs) < MIN_SHARED_MONTHS:
        return None
    xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
    mean_x, mean_y = fmean(xs), fmean(ys)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in pairs)
    spread = math.sqrt(sum((x - mean_x) ** 2 for x in xs) * sum((y - mean_y) ** 2 for y in ys))
    if spread == 0:
        return None
    return round(max(-1.0, min(1.0, covariance / spread)), 3)


def strongest(
    movement: Movement, candidates: Iterable[tuple[T, Movement]], limit: int
) -> list[tuple[T, float]]:
    """The ``limit`` candidates moving most like ``movement`` (correlation at least
    :data:`MIN_CORRELATION`), strongest first; ties keep the candidates' order."""
    scored = [
        (candidate, score)
        for candidate, other in candidates
        if (score := correlation(movement, other)) is not None and score >= MIN_CORRELATION
    ]
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]


def _unit_vector(movement: Movement) -> tuple[float, ...] | None:
    """The changes centred and scaled to length 1, when all are known and they vary: then
    the correlation of two such movements with the same end month is their dot product."""
    if any(change is None for change in movement.changes):
        return None
    values = [change for change in movement.changes if change is not None]
    mean = fmean(values)
    centred = [value - mean for value in values]
    norm = math.sqrt(sum(value * value for value in centred))
    return tuple(value / norm for value in centred) if norm else None


class MovementIndex(Generic[T]):
    """Many movements ranked against each other, for bulk loads: complete movements ending
    the same month are compared by a dot product first (cheap), and only those that come
    close to :data:`MIN_CORRELATION` by :func:`correlation` itself, so figures are the same
    as one :func:`strongest` per subject."""

    def __init__(self, movements: Iterable[tuple[T, Movement]]) -> None:
        self._items = [(key, movement, _unit_vector(movement)) for key, movement in movements]

    def strongest(self, subject: T, movement: Movement, limit: int) -> list[tuple[T, float]]:
        unit = _unit_vector(movement)
        close: list[tuple[T, Movement]] = []
        for key, other, other_unit in self._items:
            if key == subject:
                continue
            comparable = (
                unit is not None
                and other_unit is not None
                and other.end_month == movement.end_month
            )
            threshold = MIN_CORRELATION - PREFILTER_MARGIN
            if comparable and sum(map(operator.mul, unit, other_unit)) < threshold:  # type: ignore[arg-type]
                continue
            close.append((key, other))
        return strongest(movement, close, limit)
