"""What writers share: per-item outcomes of bulk upserts, and comparing stored with wanted."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from app.domain.errors import FieldError

T = TypeVar("T")

MAX_ATTEMPTS = 10
"""How often an upsert item tries a conditional write before writing unconditionally."""


class Outcome(StrEnum):
    """What an upsert did with one item."""

    INSERTED = "INSERTED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class ItemResult(Generic[T]):
    """One item of a bulk upsert: its position in the batch, slug, outcome and stored object."""

    index: int
    slug: str | None
    outcome: Outcome
    item: T | None = None
    errors: tuple[FieldError, ...] = ()
    cleared: tuple[str, ...] = ()
    """Fields the stored object had and this item left out, so the write cleared them."""


@dataclass(slots=True)
class UpsertReport:
    """What an upsert did, by slug."""

    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    cleared: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Updated items that left out fields the stored object had, by slug: what they cleared."""

    @classmethod
    def of(cls, results: Sequence[ItemResult[Any]]) -> UpsertReport:
        report = cls()
        lists = {
            Outcome.INSERTED: report.inserted,
            Outcome.UPDATED: report.updated,
            Outcome.UNCHANGED: report.unchanged,
            Outcome.FAILED: report.failed,
        }
        for result in results:
            lists[result.outcome].append(result.slug or f"#{result.index}")
            if result.cleared:
                report.cleared[result.slug or f"#{result.index}"] = result.cleared
        return report


def now() -> datetime:
    """The current time at BSON's millisecond precision, so what we return is what we store."""
    moment: datetime = stored_form(datetime.now(UTC))
    return moment


def stored_form(value: Any) -> Any:
    """``value`` as the database gives it back: datetimes in UTC at millisecond precision."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, dict):
        return {key: stored_form(item) for key, item in value.items()}
    if isinstance(value, list):
        return [stored_form(item) for item in value]
    return value


def unchanged(stored: Mapping[str, Any], content: Mapping[str, Any]) -> bool:
    """Whether every field of ``content`` already has that value in ``stored``."""
    return all(same(stored.get(key), value) for key, value in content.items())


def same(stored: Any, wanted: Any) -> bool:
    """Stored BSON equals what a spec asks for (ints and floats compare by value)."""
    if isinstance(stored, dict) and isinstance(wanted, dict):
        return stored.keys() == wanted.keys() and all(
            same(stored[key], wanted[key]) for key in wanted
        )
    if isinstance(stored, list) and isinstance(wanted, list):
        return len(stored) == len(wanted) and all(map(same, stored, wanted))
    if isinstance(stored, float | int) and isinstance(wanted, float | int):
        return math.isclose(stored, wanted, rel_tol=0, abs_tol=0)
    return bool(stored == wanted)
