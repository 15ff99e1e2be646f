"""Series of several trends on one scale (``compareTrends``).

``JOINT_INDEX``: every value divided by the largest value across all the compared series,
times 100, rounded to 2 decimals, so the peak of the set is 100 and the same trends and
data always give the same numbers (unlike an index rescaled per query term set). Every
series but an all-zero set keeps its shape; an all-zero set stays 0. ``ABSOLUTE``: the
values as stored (a COUNT signal's counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from app.domain.series import SeriesPoint


class CompareScale(StrEnum):
    """The scale compared series are answered on."""

    JOINT_INDEX = "JOINT_INDEX"
    ABSOLUTE = "ABSOLUTE"


def on_scale(
    series: Sequence[Sequence[SeriesPoint]], scale: CompareScale
) -> list[list[SeriesPoint]]:
    """``series`` on ``scale``, each in its own order."""
    if scale is CompareScale.ABSOLUTE:
        return [list(points) for points in series]
    peak = max((point.value for points in series for point in points), default=0.0)
    factor = 100 / peak if peak > 0 else 0.0
    return [
        [SeriesPoint(point.date, round(point.value * factor, 2)) for point in points]
        for points in series
    ]
