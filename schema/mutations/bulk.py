"""Bulk upserts: validate each item on its own, write the valid ones, answer per item."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from app.errors import ErrorCode, FieldError, InvalidInputError
from app.repositories.writes import ItemResult, Outcome
from schema.mutations.inputs import to_spec

MAX_BATCH = 500
"""Most items one upsert call takes; seeding sends bigger files in batches."""

SpecT = TypeVar("SpecT", bound=BaseModel)
ItemT = TypeVar("ItemT")


class _HasSlug(Protocol):
    slug: str


def too_many(count: int) -> FieldError | None:
    """The error for a call with more than :data:`MAX_BATCH` items, if it has that many."""
    if count <= MAX_BATCH:
        return None
    message = f"at most {MAX_BATCH} items a call, got {count}: send them in batches"
    return FieldError(("inputs",), message, ErrorCode.INVALID_INPUT)


async def upsert_each(
    inputs: Sequence[_HasSlug],
    model: type[SpecT],
    write: Callable[[list[SpecT]], Awaitable[list[ItemResult[ItemT]]]],
) -> list[ItemResult[ItemT]]:
    """Validate every input as ``model``, write the valid ones with ``write``, and return one
    result per input, in order, with error paths from ``inputs``."""
    results: dict[int, ItemResult[Any]] = {}
    specs: list[SpecT] = []
    positions: list[int] = []
    for index, item in enumerate(inputs):
        try:
            specs.append(to_spec(model, item))
        except InvalidInputError as error:
            results[index] = ItemResult(index, item.slug, Outcome.FAILED, errors=error.errors)
        else:
            positions.append(index)
    for position, result in zip(positions, await write(specs), strict=True):
        results[position] = dataclasses.replace(result, index=position)
    return [
        dataclasses.replace(
            results[index],
            errors=tuple(error.under("inputs", str(index)) for error in results[index].errors),
        )
        for index in range(len(inputs))
    ]
