"""Status thresholds: each rule at and just past its boundary."""

from __future__ import annotations

import pytest

from app.domain.models import GrowthWindow, GrowthWindowKey, TrendStatus
from app.domain.status import STATUS_RANK, derive_status, status_fields

Q, Y, Y2, Y5 = (
    GrowthWindowKey.THREE_MONTHS,
    GrowthWindowKey.ONE_YEAR,
    GrowthWindowKey.TWO_YEARS,
    GrowthWindowKey.FIVE_YEARS,
)


def windows(**percent: float) -> list[GrowthWindow]:
    keys = {"q": Q, "y": Y, "y2": Y2, "y5": Y5}
    return [GrowthWindow(window=keys[name], percent=value) for name, value in percent.items()]


@pytest.mark.parametrize(
    ("growth", "expected"),
    [
        (windows(), None),
        (windows(q=10, y=100), TrendStatus.EXPLODING),
        (windows(q=9.99, y=100), TrendStatus.REGULAR),
        (windows(q=10, y=99.99), TrendStatus.REGULAR),
        (windows(q=-10, y5=50), TrendStatus.PEAKED),
        (windows(q=-10, y2=50), TrendStatus.PEAKED),
        (windows(q=-9.99, y5=50), TrendStatus.REGULAR),
        (windows(q=-10, y5=49.99), TrendStatus.REGULAR),
        (windows(q=-10, y2=80, y5=40), TrendStatus.REGULAR),  # 5y, the longest, decides
        (windows(q=0, y=-20), TrendStatus.DECLINING),
        (windows(q=0.01, y=-20), TrendStatus.REGULAR),
        (windows(q=0, y=-19.99), TrendStatus.REGULAR),
        (windows(q=-30, y=-40, y5=60), TrendStatus.PEAKED),  # rose then fell: peaked first
        (windows(y=500), TrendStatus.REGULAR),  # no 3mo: no rule can match
        (windows(q=20, y=21, y5=51), TrendStatus.REGULAR),  # the Asyncio seed
    ],
)
def test_thresholds(growth: list[GrowthWindow], expected: TrendStatus | None) -> None:
    assert derive_status(growth) is expected


def test_rank_orders_by_momentum() -> None:
    ranked = sorted(STATUS_RANK, key=STATUS_RANK.__getitem__, reverse=True)
    assert ranked == [
        TrendStatus.EXPLODING,
        TrendStatus.REGULAR,
        TrendStatus.PEAKED,
        TrendStatus.DECLINING,
    ]
    assert status_fields(None) == {"status": None, "statusRank": None}
    assert status_fields(TrendStatus.PEAKED) == {"status": "PEAKED", "statusRank": 1}
