"""Keyset pagination: opaque cursors and the filters that continue a sorted scan.

A page is sorted by one key plus ``_id`` as the tie breaker, so every position in the
order is unique: pages never skip or repeat a trend, even when many trends share a
value. MongoDB sorts a missing field like ``null``, below every number and string; the
filters here follow that rule so trends without a value page correctly too.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson
from bson import ObjectId
from bson.errors import InvalidId

SortValue = float | int | str | datetime | None
Direction = Literal[1, -1]


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
"""The integers MongoDB (BSON) can hold."""


class InvalidCursorError(ValueError):
    """A cursor that this API did not issue, or issued for another order."""


@dataclass(frozen=True, slots=True)
class SortKey:
    """Sort by ``path`` in ``direction``, then by ``_id`` in the same direction."""

    path: str
    direction: Direction
    signature: str  # names the order, so a cursor cannot be replayed under another one

    def reversed(self) -> SortKey:
        return SortKey(self.path, 1 if self.direction == -1 else -1, self.signature)

    def mongo_sort(self) -> list[tuple[str, int]]:
        return [(self.path, self.direction), ("_id", self.direction)]


@dataclass(frozen=True, slots=True)
class Position:
    """A trend's place in an order: its sort value and its id."""

    value: SortValue
    id: ObjectId


def stored_position(sort: SortKey, document: Mapping[str, Any]) -> Position:
    """A stored document's place in ``sort``'s order, read from the document itself (for a
    document no model can read); a missing field sorts as null, as in MongoDB."""
    value: Any = document
    for part in sort.path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return Position(value, document["_id"])


def encode_cursor(sort: SortKey, position: Position) -> str:
    value: Any = position.value
    kind = "d" if isinstance(value, datetime) else "v"
    if isinstance(value, datetime):
        value = value.isoformat()
    payload = orjson.dumps([sort.signature, kind, value, str(position.id)])
    return base64.urlsafe_b64encode(payload).decode("ascii")


def decode_cursor(sort: SortKey, cursor: str) -> Position:
    """The position ``cursor`` names; :class:`InvalidCursorError` if it is not one of ours."""
    try:
        signature, kind, value, object_id = orjson.loads(
            base64.urlsafe_b64decode(cursor.encode("ascii"))
        )
        if kind == "d":
            value = datetime.fromisoformat(value)
        elif kind != "v" or not (value is None or isinstance(value, int | float | str)):
            raise ValueError(kind)
        if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
            raise ValueError("integer beyond 64 bits")  # no stored value can be one
        position = Position(value, ObjectId(object_id))
    except (ValueError, TypeError, UnicodeError, binascii.Error, InvalidId) as error:
        raise InvalidCursorError(f"malformed cursor {cursor!r}") from error
    if signature != sort.signature:
        raise InvalidCursorError(
            f"cursor {cursor!r} belongs to another orderBy ({signature}); "
            "start again without after/before"
        )
    return position


def after(sort: SortKey, position: Position) -> dict[str, Any]:
    """The filter for everything strictly after ``position`` in ``sort``'s order."""
    field, value = sort.path, position.value
    beyond = "$gt" if sort.direction == 1 else "$lt"
    same_value_later_id = {field: value, "_id": {beyond: position.id}}
    if value is None:
        if sort.direction == 1:  # nulls first: every non-null value comes after
            return {"$or": [same_value_later_id, {field: {"$ne": None}}]}
        return same_value_later_id  # nulls last: only later nulls
    clauses: list[dict[str, Any]] = [{field: {beyond: value}}, same_value_later_id]
    if sort.direction == -1:
        clauses.append({field: None})  # nulls last: they all follow any value
    return {"$or": clauses}
