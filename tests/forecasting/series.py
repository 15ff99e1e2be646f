"""Series shapes for forecast tests: weekly points, deterministic noise, a yearly season."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import date, timedelta

from app.domain.series import SeriesPoint

END = date(2026, 11, 29)


def weekly(
    weeks: int, level: Callable[[float], float], *, seed: int = 1, season: float = 0.1
) -> list[SeriesPoint]:
    """``weeks`` weekly points ending on :data:`END`: ``level(t)`` (t from 0 to 1) times a
    yearly season of amplitude ``season`` and 3% noise."""
    rng = random.Random(seed)
    start = END - timedelta(weeks=weeks - 1)
    points = []
    for week in range(weeks):
        t = week / max(1, weeks - 1)
        seasonal = 1 + season * math.sin(2 * math.pi * week / 52.18)
        points.append(
            SeriesPoint(
                start + timedelta(weeks=week), round(level(t) * seasonal * rng.gauss(1, 0.03), 2)
            )
        )
    return points


def growing(t: float) -> float:
    return 20 + 60 * t


def shrinking(t: float) -> float:
    return 80 * math.exp(-1.5 * t)
