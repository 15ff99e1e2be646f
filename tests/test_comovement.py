"""Co-movement maths: monthly changes over the last year and their correlation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from app.domain.comovement import (
    MovementIndex,
    correlation,
    movement_of,
    strongest,
)
from app.domain.series import SeriesPoint


def monthly(values: Sequence[float], start: date = date(2024, 1, 1)) -> list[SeriesPoint]:
    points = []
    for offset, value in enumerate(values):
        year, month = divmod(start.month - 1 + offset, 12)
        points.append(SeriesPoint(date(start.year + year, month + 1, 15), value))
    return points


WAVE = [10, 12, 15, 14, 18, 25, 22, 30, 28, 35, 40, 38, 50, 60]


def test_movement_is_the_last_years_monthly_changes() -> None:
    movement = movement_of(monthly([10, 20, 10] + [10] * 11))
    assert movement is not None
    assert len(movement.changes) == 12
    assert movement.changes[-1] == 0.0
    assert movement_of([]) is None
    gappy = movement_of(monthly([10, 20, 30]) + monthly([40], date(2024, 6, 1)))
    assert gappy is not None
    assert gappy.changes[-1] is None  # no point in May: no change for June


def test_scaled_series_move_together_and_opposite_ones_do_not() -> None:
    a = movement_of(monthly(WAVE))
    scaled = movement_of(monthly([value * 1000 for value in WAVE]))
    opposite = movement_of(monthly([100 - value for value in WAVE]))
    assert a is not None and scaled is not None and opposite is not None
    assert correlation(a, scaled) == 1.0
    assert correlation(a, opposite) is not None
    assert correlation(a, opposite) < 0  # type: ignore[operator]
    flat = movement_of(monthly([5.0] * 14))
    assert flat is not None and correlation(a, flat) is None


def test_too_few_shared_months_give_no_figure() -> None:
    a = movement_of(monthly(WAVE))
    later = movement_of(monthly(WAVE, date(2024, 9, 1)))  # overlaps 5 months
    assert a is not None and later is not None
    assert correlation(a, later) is None


@pytest.mark.parametrize("seed", range(5))
def test_the_bulk_index_ranks_like_strongest(seed: int) -> None:
    import random

    rng = random.Random(seed)
    movements = {}
    for key in range(60):
        values = [max(1.0, 50 + rng.gauss(0, 15) + (key % 3) * month) for month in range(14)]
        movement = movement_of(monthly(values))
        assert movement is not None
        movements[key] = movement
    index = MovementIndex(movements.items())
    found = 0
    for key, movement in movements.items():
        others = [(other, m) for other, m in movements.items() if other != key]
        ranked = index.strongest(key, movement, 10)
        assert ranked == strongest(movement, others, 10)
        found += len(ranked)
    assert found > 0
