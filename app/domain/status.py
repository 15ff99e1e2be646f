"""A trend's life-cycle status, derived from its growth windows by fixed thresholds.

Rules, first match wins (percentages are the windows' growth; a rule needing a window that
is absent does not match):

============  ================================================================================
EXPLODING     1y >= +100 % (at least doubled in a year) and 3mo >= +10 % (still climbing)
PEAKED        the longest of 5y / 2y >= +50 % (a real rise) and 3mo <= -10 % (now falling back)
DECLINING     1y <= -20 % and 3mo <= 0 % (shrinking over the year, no recovery under way)
REGULAR       any other trend with at least one growth window
(none)        no growth window at all: nothing to judge by
============  ================================================================================

The status is derived whenever growth is written (seed upserts, creates, updates, series
appends) and stored with a rank, :data:`STATUS_RANK`, so lists can order by it: descending
rank goes EXPLODING, REGULAR, PEAKED, DECLINING (momentum, strongest first).

Through the API a writer may set a status only for a trend without growth: an *editorial*
status, which the API marks as such (``statusSource: EDITORIAL``). With growth, a status
other than the derived one is refused (:class:`app.domain.models.ApiTrendSpec`), so a
trend never shows EXPLODING while its growth says it is shrinking. Seed files may still
give any status; one that disagrees with the growth reads as EDITORIAL too.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from app.domain.models import GrowthWindow, GrowthWindowKey, TrendStatus

EXPLODING_ONE_YEAR = 100.0
EXPLODING_THREE_MONTHS = 10.0
PEAKED_LONG_RUN = 50.0
PEAKED_THREE_MONTHS = -10.0
DECLINING_ONE_YEAR = -20.0
DECLINING_THREE_MONTHS = 0.0

STATUS_RANK = {
    TrendStatus.EXPLODING: 3,
    TrendStatus.REGULAR: 2,
    TrendStatus.PEAKED: 1,
    TrendStatus.DECLINING: 0,
}


def derive_status(growth: Iterable[GrowthWindow]) -> TrendStatus | None:
    """The status the rules above give ``growth``; ``None`` without any window."""
    percent = {window.window: window.percent for window in growth}
    if not percent:
        return None
    three_months = percent.get(GrowthWindowKey.THREE_MONTHS)
    one_year = percent.get(GrowthWindowKey.ONE_YEAR)
    long_run = percent.get(GrowthWindowKey.FIVE_YEARS, percent.get(GrowthWindowKey.TWO_YEARS))
    if three_months is None:
        return TrendStatus.REGULAR
    if one_year is not None and (
        one_year >= EXPLODING_ONE_YEAR and three_months >= EXPLODING_THREE_MONTHS
    ):
        return TrendStatus.EXPLODING
    if long_run is not None and long_run >= PEAKED_LONG_RUN and three_months <= PEAKED_THREE_MONTHS:
        return TrendStatus.PEAKED
    if one_year is not None and (
        one_year <= DECLINING_ONE_YEAR and three_months <= DECLINING_THREE_MONTHS
    ):
        return TrendStatus.DECLINING
    return TrendStatus.REGULAR


class StatusSource(StrEnum):
    """Where a trend's status comes from."""

    DERIVED = "DERIVED"
    """Computed from the trend's growth by the rules above."""
    EDITORIAL = "EDITORIAL"
    """Set by a writer, for a trend without growth (or one stored before the rules held)."""


def status_source(
    status: TrendStatus | None, growth: Iterable[GrowthWindow]
) -> StatusSource | None:
    """DERIVED when ``status`` is what ``growth`` gives; EDITORIAL otherwise; ``None``
    without a status."""
    if status is None:
        return None
    windows = list(growth)
    if windows and derive_status(windows) == status:
        return StatusSource.DERIVED
    return StatusSource.EDITORIAL


def status_fields(status: TrendStatus | None) -> dict[str, Any]:
    """The stored fields for ``status``: the status and the rank lists sort by."""
    return {
        "status": status.value if status else None,
        "statusRank": STATUS_RANK[status] if status else None,
    }
