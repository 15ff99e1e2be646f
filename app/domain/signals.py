"""Signals: the several series that measure one trend, and which of them is its primary one.

A signal is one series identified by ``source`` (``search-interest``, ``github-stars``,
``package-downloads``, ``news-mentions``, ``social-mentions`` or any other slug) and
``region`` (an ISO 3166-1 alpha-2 code, or ``WORLD``), measured in one ``unit``: ``INDEX``
(relative interest, 0-100 by convention, e.g. Google's index) or ``COUNT`` (an absolute
number per period, e.g. downloads per week). A trend has any number of signals, at most one
per source and region.

**The primary signal** is the one a trend's computed growth and status come from, by a fixed
rule (:func:`primary_key`): its ``search-interest`` signal in ``WORLD``; failing that, its
``WORLD`` signal first by source name; failing that, its signal first by source, then region.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from statistics import median
from typing import Any

from app.domain.errors import ErrorCode, FieldError
from app.domain.models import SLUG_PATTERN, GrowthWindow, GrowthWindowKey
from app.domain.regions import WORLD, is_region
from app.domain.series import DEFAULT_SOURCE, MAX_SOURCE_LENGTH, SeriesPoint

KNOWN_SOURCES = (
    "search-interest",
    "github-stars",
    "package-downloads",
    "news-mentions",
    "social-mentions",
)
"""Sources with an agreed meaning; any other slug is accepted too."""


class SignalUnit(StrEnum):
    """What a signal's values measure."""

    INDEX = "INDEX"
    """Relative interest, 0-100 by convention (100: the series' own peak)."""
    COUNT = "COUNT"
    """An absolute number per period (searches, downloads, mentions...); never negative."""


class Granularity(StrEnum):
    """How far apart a series' points are (the median gap between consecutive points)."""

    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    QUARTERLY = "QUARTERLY"
    YEARLY = "YEARLY"


DEFAULT_UNIT = SignalUnit.INDEX
_GRANULARITY_LIMITS = (
    (1.5, Granularity.DAILY),
    (10.0, Granularity.WEEKLY),
    (45.0, Granularity.MONTHLY),
    (135.0, Granularity.QUARTERLY),
)
_SOURCE = re.compile(SLUG_PATTERN)


def granularity_of(dates: Sequence[date]) -> Granularity | None:
    """The granularity of points on ``dates`` (in order); ``None`` with fewer than two."""
    if len(dates) < 2:
        return None
    gap = median((later - earlier).days for earlier, later in itertools.pairwise(dates))
    for limit, granularity in _GRANULARITY_LIMITS:
        if gap <= limit:
            return granularity
    return Granularity.YEARLY


@dataclass(frozen=True, slots=True, order=True)
class SignalKey:
    """Which signal of a trend: its source and region."""

    source: str
    region: str = WORLD


PRIMARY_PREFERENCE = SignalKey(DEFAULT_SOURCE, WORLD)


def _preference(key: SignalKey) -> tuple[bool, bool, str, str]:
    return (key.region != WORLD, key.source != DEFAULT_SOURCE, key.source, key.region)


def primary_key(keys: Iterable[SignalKey]) -> SignalKey | None:
    """The primary one of a trend's signals (see the module's docstring); ``None`` if none."""
    return min(keys, key=_preference, default=None)


@dataclass(frozen=True, slots=True)
class Signal:
    """A stored signal. ``points`` is ``None`` when a read left them out (summaries)."""

    id: str
    trend_id: str
    key: SignalKey
    unit: SignalUnit
    granularity: Granularity | None
    stored_growth: Mapping[str, Any]
    """This signal's growth as stored (window key to window), read into models only when
    asked for (:attr:`growth`): a page of sparklines never pays for it."""
    latest: SeriesPoint | None
    point_count: int
    version: int
    points: tuple[SeriesPoint, ...] | None = None

    @property
    def source(self) -> str:
        return self.key.source

    @property
    def region(self) -> str:
        return self.key.region

    @property
    def growth(self) -> tuple[GrowthWindow, ...]:
        """Computed from this signal's own series (``MONTHLY_MEAN_RATIO``), shortest first."""
        stored = self.stored_growth
        return tuple(
            GrowthWindow.model_validate(stored[key.value])
            for key in GrowthWindowKey
            if key.value in stored
        )

    def growth_for(self, window: GrowthWindowKey) -> GrowthWindow | None:
        stored = self.stored_growth.get(window.value)
        return GrowthWindow.model_validate(stored) if stored else None


def check_signal(source: str | None, region: str | None, unit: str | None) -> list[FieldError]:
    """Faults of the signal an append names (``None``: not given, a default applies)."""
    problems: list[FieldError] = []
    if source is not None and (len(source) > MAX_SOURCE_LENGTH or not _SOURCE.fullmatch(source)):
        problems.append(
            FieldError(
                ("source",),
                f"a source is a slug (lower-case words joined by hyphens) of at most "
                f"{MAX_SOURCE_LENGTH} characters, e.g. {', '.join(KNOWN_SOURCES[:3])}; "
                f"got {source!r}",
                ErrorCode.INVALID_SOURCE,
            )
        )
    if region is not None and not is_region(region):
        problems.append(
            FieldError(
                ("region",),
                f"a region is an ISO 3166-1 alpha-2 code in upper case (US, DE...) or "
                f"{WORLD}; got {region!r}",
                ErrorCode.INVALID_REGION,
            )
        )
    if unit is not None and unit not in SignalUnit.__members__:
        problems.append(
            FieldError(
                ("unit",),
                f"a unit is one of {', '.join(SignalUnit)}; got {unit!r}",
                ErrorCode.UNKNOWN_UNIT,
            )
        )
    return problems


def volume_key(units: dict[SignalKey, SignalUnit]) -> SignalKey | None:
    """The signal a trend's ``volume`` comes from: of its COUNT signals, the one the primary
    rule prefers (``search-interest`` in ``WORLD`` first); ``None`` without a COUNT signal."""
    return primary_key(key for key, unit in units.items() if unit is SignalUnit.COUNT)
