"""Input types of the write mutations, and their conversion to validated domain specs.

GraphQL checks types; every other rule (slug format, lengths, blank text, unique windows,
complete analyses, ...) lives in :mod:`app.domain.models` and comes back as ``userErrors``. The
fields of an analysis are therefore optional here: an incomplete analysis is reported field
by field instead of failing the whole request.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TypeVar

import strawberry
from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from app.domain.errors import InvalidInputError
from schema.enums import GrowthMethod, GrowthWindowKey, TrendStatus

SpecT = TypeVar("SpecT", bound=BaseModel)

REQUIRED = "Required when the analysis is given."


def _data(value: object) -> object:
    """An input object as the plain camelCase data the domain models validate."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            to_camel(field.name): _data(item)
            for field in dataclasses.fields(value)
            if (item := getattr(value, field.name)) is not None and item is not strawberry.UNSET
        }
    if isinstance(value, list):
        return [_data(item) for item in value]
    return value


def to_spec(model: type[SpecT], value: object, *path: str) -> SpecT:
    """``value`` validated as ``model``; :class:`InvalidInputError` with paths under ``path``."""
    try:
        return model.model_validate(_data(value))
    except ValidationError as error:
        invalid = InvalidInputError.from_validation_error(error)
        raise InvalidInputError([fault.under(*path) for fault in invalid.errors]) from None


@strawberry.input(description="Growth of a trend over one window.")
class GrowthWindowInput:
    window: GrowthWindowKey = strawberry.field(description="The window; each at most once.")
    percent: float = strawberry.field(description="Change over the window in percent.")
    method: GrowthMethod = strawberry.field(
        default=GrowthMethod.REPORTED, description="How the figure was obtained."
    )
    start_value: float | None = strawberry.field(
        default=None, description="The measured value at the window's start, if known."
    )
    end_value: float | None = strawberry.field(
        default=None, description="The measured value at the window's end, if known."
    )


@strawberry.input(description="Trend Decomposition; every field but generatedAt is required.")
class TrendDecompositionInput:
    source: str | None = strawberry.field(default=None, description="Who produced it. " + REQUIRED)
    generated_at: datetime | None = strawberry.field(
        default=None, description="When it was produced (with a time zone), if known."
    )
    trigger: str | None = strawberry.field(default=None, description=REQUIRED)
    behavior_change: str | None = strawberry.field(default=None, description=REQUIRED)
    enabler: str | None = strawberry.field(default=None, description=REQUIRED)
    constraint_removed: str | None = strawberry.field(default=None, description=REQUIRED)


@strawberry.input(description="PESTLE analysis; every field but generatedAt is required.")
class PestleAnalysisInput:
    source: str | None = strawberry.field(default=None, description="Who produced it. " + REQUIRED)
    generated_at: datetime | None = strawberry.field(
        default=None, description="When it was produced (with a time zone), if known."
    )
    political: str | None = strawberry.field(default=None, description=REQUIRED)
    economic: str | None = strawberry.field(default=None, description=REQUIRED)
    social: str | None = strawberry.field(default=None, description=REQUIRED)
    technological: str | None = strawberry.field(default=None, description=REQUIRED)
    legal: str | None = strawberry.field(default=None, description=REQUIRED)
    environmental: str | None = strawberry.field(default=None, description=REQUIRED)


@strawberry.input(description="Jobs-to-be-done; every field but generatedAt is required.")
class JobsToBeDoneInput:
    source: str | None = strawberry.field(default=None, description="Who produced it. " + REQUIRED)
    generated_at: datetime | None = strawberry.field(
        default=None, description="When it was produced (with a time zone), if known."
    )
    problem: str | None = strawberry.field(default=None, description=REQUIRED)
    prior_workaround: str | None = strawberry.field(default=None, description=REQUIRED)
    key_outcome: str | None = strawberry.field(default=None, description=REQUIRED)


@strawberry.input(description="Consumer Trend Canvas; every field but generatedAt is required.")
class ConsumerTrendCanvasInput:
    source: str | None = strawberry.field(default=None, description="Who produced it. " + REQUIRED)
    generated_at: datetime | None = strawberry.field(
        default=None, description="When it was produced (with a time zone), if known."
    )
    basic_need: str | None = strawberry.field(default=None, description=REQUIRED)
    drivers_of_change: str | None = strawberry.field(default=None, description=REQUIRED)
    emerging_consumer_needs: str | None = strawberry.field(default=None, description=REQUIRED)
    new_consumer_expectations: str | None = strawberry.field(default=None, description=REQUIRED)
    inspirations_signals: str | None = strawberry.field(default=None, description=REQUIRED)
    innovations_emerging: str | None = strawberry.field(default=None, description=REQUIRED)


@strawberry.input(description="The four framework analyses; each is complete or left out.")
class TrendAnalysesInput:
    decomposition: TrendDecompositionInput | None = strawberry.field(
        default=None, description="Trend Decomposition."
    )
    pestle: PestleAnalysisInput | None = strawberry.field(default=None, description="PESTLE.")
    jobs_to_be_done: JobsToBeDoneInput | None = strawberry.field(
        default=None, description="Jobs-to-be-done."
    )
    consumer_trend_canvas: ConsumerTrendCanvasInput | None = strawberry.field(
        default=None, description="Consumer Trend Canvas."
    )


@strawberry.input(
    description="Everything a writer supplies for a trend. Writes replace the whole trend: "
    "a field left out is cleared. Text is stored exactly as given."
)
class TrendInput:
    slug: str = strawberry.field(
        description="Unique identifier: lowercase letters and digits in groups joined by single "
        "hyphens, at most 80 characters (`asyncio`, `large-language-models`)."
    )
    name: str = strawberry.field(description="Display name, not blank, at most 200 characters.")
    aliases: list[str] | None = strawberry.field(
        default=None, description="Other names (at most 20, each at most 200 characters)."
    )
    description: str | None = strawberry.field(
        default=None, description='The "About" text, at most 5,000 characters.'
    )
    category: str | None = strawberry.field(
        default=None, description="Slug of an existing category."
    )
    tags: list[str] | None = strawberry.field(
        default=None, description="Tags in slug form (at most 30, each at most 60 characters)."
    )
    growth: list[GrowthWindowInput] | None = strawberry.field(
        default=None, description="Growth per window, each window at most once; finite numbers."
    )
    status: TrendStatus | None = strawberry.field(default=None, description="Life-cycle status.")
    analyses: TrendAnalysesInput | None = strawberry.field(
        default=None, description="The framework analyses."
    )
    related: list[str] | None = strawberry.field(
        default=None,
        description="Slugs of related trends (at most 50): existing trends, or trends of the "
        "same upsertTrends call; never the trend itself.",
    )


@strawberry.input(description="A category of the taxonomy.")
class CategoryInput:
    slug: str = strawberry.field(
        description="Unique identifier in slug form (see TrendInput.slug); cannot change later."
    )
    name: str = strawberry.field(description="Display name, not blank, at most 200 characters.")
    description: str | None = strawberry.field(
        default=None, description="What the category covers, at most 5,000 characters."
    )
    parent: str | None = strawberry.field(
        default=None,
        description="Slug of the broader category; it must exist and not be the category itself "
        "or one of its descendants.",
    )
