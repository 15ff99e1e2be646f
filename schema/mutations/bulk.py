"""Bulk upserts: validate each item on its own, write the valid ones, answer per item.

Items come either as GraphQL input objects (``upsertTrends(inputs:)``) or as JSON Lines in
one string (``importTrends(jsonLines:)``). The second skips GraphQL's field-by-field input
coercion, which costs milliseconds per trend, and validates each line in one pydantic call.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from app.domain.errors import ErrorCode, FieldError, InvalidInputError
from app.storage.repositories.writes import ItemResult, Outcome
from schema.mutations.inputs import to_spec

MAX_BATCH = 500
"""Most items one upsert or import call takes; seeding sends bigger files in batches."""

SpecT = TypeVar("SpecT", bound=BaseModel)
ItemT = TypeVar("ItemT")


class _HasSlug(Protocol):
    slug: str


@dataclasses.dataclass(frozen=True, slots=True)
class Candidate(Generic[SpecT]):
    """One item of a bulk call after validation: its spec, or why it has none."""

    slug: str | None
    """The slug as given (for the answer), even when the item is invalid."""
    spec: SpecT | None = None
    errors: tuple[FieldError, ...] = ()


def too_many(count: int, argument: str = "inputs") -> FieldError | None:
    """The error for a call with more than :data:`MAX_BATCH` items, if it has that many."""
    if count <= MAX_BATCH:
        return None
    message = f"at most {MAX_BATCH} items a call, got {count}: send them in batches"
    return FieldError((argument,), message, ErrorCode.INVALID_INPUT)


def from_inputs(inputs: Sequence[_HasSlug], model: type[SpecT]) -> list[Candidate[SpecT]]:
    """GraphQL input objects validated as ``model``."""
    candidates: list[Candidate[SpecT]] = []
    for item in inputs:
        try:
            candidates.append(Candidate(item.slug, to_spec(model, item)))
        except InvalidInputError as error:
            candidates.append(Candidate(item.slug, errors=tuple(error.errors)))
    return candidates


def from_json_lines(lines: Sequence[str], model: type[SpecT]) -> list[Candidate[SpecT]]:
    """Each line, one JSON object shaped like the GraphQL input, validated as ``model``.

    The rules match ``inputs`` of the GraphQL mutations: ``null`` means "left out", and
    values are taken strictly (``"12"`` is not a number). Blank lines are items too, and
    fail, so that an item's index is always its line number from 0.
    """
    return [_from_json_line(line, model) for line in lines]


def _from_json_line(line: str, model: type[SpecT]) -> Candidate[SpecT]:
    try:
        # Most lines hold no nulls: one strict pass in pydantic's Rust parser settles them.
        spec = model.model_validate_json(line, strict=True)
    except ValidationError:
        return _from_nullable_json_line(line, model)
    return Candidate(getattr(spec, "slug", None), spec)


def _from_nullable_json_line(line: str, model: type[SpecT]) -> Candidate[SpecT]:
    """The slower, thorough pass: nulls dropped as left out, problems named."""
    if not line.strip():
        return _invalid(None, "the line is empty; expected one JSON object")
    try:
        value: Any = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        return _invalid(None, f"not valid JSON: {error}")
    if not isinstance(value, dict):
        return _invalid(None, "expected one JSON object")
    slug = value.get("slug")
    slug = slug if isinstance(slug, str) else None
    try:
        # Parsed once to drop nulls, then validated from JSON: strict JSON mode still
        # takes ISO dates and enum names, as GraphQL does, where strict Python mode would not.
        spec = model.model_validate_json(orjson.dumps(_without_nulls(value)), strict=True)
    except ValidationError as error:
        return Candidate(slug, errors=tuple(InvalidInputError.from_validation_error(error).errors))
    return Candidate(slug, spec)


def _invalid(slug: str | None, message: str) -> Candidate[Any]:
    return Candidate(slug, errors=(FieldError(None, message, ErrorCode.INVALID_INPUT),))


def _without_nulls(value: Any) -> Any:
    """``value`` without null members of objects (list items stay: a null item is an error)."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


async def write_valid(
    candidates: Sequence[Candidate[SpecT]],
    write: Callable[[list[SpecT]], Awaitable[list[ItemResult[ItemT]]]],
    argument: str,
) -> list[ItemResult[ItemT]]:
    """Write the valid candidates with ``write`` and return one result per candidate, in
    order, with error paths under ``argument`` and the item's position."""
    results: dict[int, ItemResult[Any]] = {}
    specs: list[SpecT] = []
    positions: list[int] = []
    for index, candidate in enumerate(candidates):
        if candidate.spec is None:
            results[index] = ItemResult(
                index, candidate.slug, Outcome.FAILED, errors=candidate.errors
            )
        else:
            specs.append(candidate.spec)
            positions.append(index)
    for position, result in zip(positions, await write(specs), strict=True):
        results[position] = dataclasses.replace(result, index=position)
    return [
        dataclasses.replace(
            results[index],
            errors=tuple(error.under(argument, str(index)) for error in results[index].errors),
        )
        for index in range(len(candidates))
    ]
