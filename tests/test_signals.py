"""Domain rules of signals: regions, units, granularity, the primary and volume rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain.regions import ISO_3166_ALPHA_2, is_region
from app.domain.signals import (
    Granularity,
    SignalKey,
    SignalUnit,
    check_signal,
    granularity_of,
    primary_key,
    volume_key,
)


def test_regions_are_the_assigned_alpha_2_codes_and_world() -> None:
    assert len(ISO_3166_ALPHA_2) == 249
    assert all(is_region(code) for code in ("US", "DE", "JP", "BR", "WORLD", "AX", "SS"))
    assert not any(is_region(code) for code in ("us", "XX", "UK", "EU", "USA", "", "World"))


@pytest.mark.parametrize(
    ("arguments", "codes"),
    [
        (("search-interest", "WORLD", "INDEX"), []),
        ((None, None, None), []),
        (("github-stars", "US", "COUNT"), []),
        (("Search interest", None, None), ["INVALID_SOURCE"]),
        ((None, "ZZ", None), ["INVALID_REGION"]),
        ((None, None, "PERCENT"), ["UNKNOWN_UNIT"]),
        (("-x", "gb", "count"), ["INVALID_SOURCE", "INVALID_REGION", "UNKNOWN_UNIT"]),
    ],
)
def test_check_signal(
    arguments: tuple[str | None, str | None, str | None], codes: list[str]
) -> None:
    assert [problem.code for problem in check_signal(*arguments)] == codes


@pytest.mark.parametrize(
    ("step", "granularity"),
    [
        (1, Granularity.DAILY),
        (7, Granularity.WEEKLY),
        (30, Granularity.MONTHLY),
        (91, Granularity.QUARTERLY),
        (365, Granularity.YEARLY),
    ],
)
def test_granularity_is_the_median_gap(step: int, granularity: Granularity) -> None:
    dates = [date(2020, 1, 1) + timedelta(days=step * n) for n in range(6)]
    dates.insert(3, dates[2] + timedelta(days=1))  # one odd gap does not change it
    assert granularity_of(sorted(dates)) is granularity
    assert granularity_of(dates[:1]) is None


def test_primary_rule() -> None:
    world = SignalKey("search-interest", "WORLD")
    us = SignalKey("search-interest", "US")
    stars = SignalKey("github-stars", "WORLD")
    mentions_de = SignalKey("news-mentions", "DE")
    assert primary_key([]) is None
    assert primary_key([mentions_de, stars, us, world]) == world
    assert primary_key([mentions_de, us, stars]) == stars  # WORLD before any country
    assert primary_key([mentions_de, us]) == us  # search-interest before other sources
    assert primary_key([mentions_de, SignalKey("news-mentions", "AT")]) == SignalKey(
        "news-mentions", "AT"
    )


def test_volume_comes_from_a_count_signal() -> None:
    units = {
        SignalKey("search-interest"): SignalUnit.INDEX,
        SignalKey("package-downloads"): SignalUnit.COUNT,
        SignalKey("search-volume", "US"): SignalUnit.COUNT,
    }
    assert volume_key(units) == SignalKey("package-downloads")
    assert volume_key({SignalKey("search-interest"): SignalUnit.INDEX}) is None
