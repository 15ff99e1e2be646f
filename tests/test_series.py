"""Series point checks and merging, below GraphQL."""

from __future__ import annotations

from datetime import date

from app.domain.errors import ErrorCode
from app.domain.series import (
    MAX_POINTS_PER_APPEND,
    SeriesPoint,
    check_points,
    check_source,
    merge_points,
)

TODAY = date(2025, 6, 1)


def test_good_points_pass() -> None:
    assert check_points([SeriesPoint(date(2025, 6, 1), 0.0)], today=TODAY) == []


def test_each_bad_point_is_named() -> None:
    points = [
        SeriesPoint(date(2025, 6, 2), 1),
        SeriesPoint(date(2020, 1, 1), float("nan")),
        SeriesPoint(date(2020, 1, 1), float("-inf")),
        SeriesPoint(date(1899, 12, 31), -0.5),
    ]
    problems = [(p.field, p.code) for p in check_points(points, today=TODAY)]
    assert problems == [
        (("points", "0", "date"), ErrorCode.FUTURE_DATE),
        (("points", "1", "value"), ErrorCode.NOT_FINITE),
        (("points", "2", "value"), ErrorCode.NOT_FINITE),
        (("points", "3", "date"), ErrorCode.DATE_OUT_OF_RANGE),
        (("points", "3", "value"), ErrorCode.NEGATIVE_VALUE),
    ]


def test_empty_and_oversized_inputs_are_refused_whole() -> None:
    assert [p.code for p in check_points([], today=TODAY)] == ["EMPTY"]
    too_many = [SeriesPoint(date(2020, 1, 1), 1)] * (MAX_POINTS_PER_APPEND + 1)
    assert [p.code for p in check_points(too_many, today=TODAY)] == ["TOO_MANY_POINTS"]


def test_sources_are_short_single_lines() -> None:
    assert check_source("downloads") == []
    assert [p.code for p in check_source("")] == ["INVALID_SOURCE"]
    assert [p.code for p in check_source("a\nb")] == ["INVALID_SOURCE"]
    assert [p.code for p in check_source("x" * 61)] == ["INVALID_SOURCE"]


def test_merge_sorts_and_new_points_replace_same_dates() -> None:
    stored = [SeriesPoint(date(2024, 1, 1), 1), SeriesPoint(date(2024, 3, 1), 3)]
    new = [
        SeriesPoint(date(2024, 3, 1), 30),
        SeriesPoint(date(2024, 2, 1), 2),
        SeriesPoint(date(2024, 2, 1), 20),  # the last one given for a date wins
    ]
    assert merge_points(stored, new) == (
        SeriesPoint(date(2024, 1, 1), 1),
        SeriesPoint(date(2024, 2, 1), 20),
        SeriesPoint(date(2024, 3, 1), 30),
    )
