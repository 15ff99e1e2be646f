"""What the write mutations answer: the object written, per-item results, and user errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import strawberry

from app.domain.errors import ErrorCode, FieldError
from app.storage.database import Document
from app.storage.repositories.category_writes import CategoryResult
from app.storage.repositories.stored import expect
from app.storage.repositories.trend_upserts import TrendResult
from app.storage.repositories.trends import read_trend
from app.storage.repositories.writes import ItemResult, Outcome
from schema.category import Category
from schema.enums import describe_values
from schema.trend import Trend

# Bound to the classes (see schema/enums.py); strawberry.enum registers them.
UserErrorCode = ErrorCode
UpsertOutcome = Outcome
strawberry.enum(
    UserErrorCode,
    description="Stable codes of user errors: clients may branch on them (messages may change, "
    "codes do not).",
)
describe_values(
    UserErrorCode,
    {
        "INVALID_INPUT": "A validation rule refused the value: slug format, blank or over-long "
        "text, repeated growth windows, an incomplete analysis, a trend related to itself...",
        "NOT_FOUND": "No trend or category has the slug given.",
        "DUPLICATE_SLUG": "Another trend or category already has this slug.",
        "VERSION_CONFLICT": "`expectedVersion` is stale: someone changed the object since you "
        "read it; read it again and reapply.",
        "UNKNOWN_CATEGORY": "The category (or parent category) named does not exist.",
        "UNKNOWN_RELATED": "A related trend named does not exist.",
        "EMPTY": "appendSeries: no points were given.",
        "TOO_MANY_POINTS": "appendSeries: more points in one call than allowed.",
        "FUTURE_DATE": "appendSeries: a point is dated after today (UTC).",
        "DATE_OUT_OF_RANGE": "appendSeries: a point is dated before 1900.",
        "NOT_FINITE": "appendSeries: a value is infinite or not a number.",
        "NEGATIVE_VALUE": "appendSeries: a value is below zero.",
        "INVALID_SOURCE": "appendSeries: the source is blank, too long or not one line.",
        "SOURCE_MISMATCH": "appendSeries: the series holds another source's data.",
        "INVALID_REGION": "appendSeries: the region is neither WORLD nor an ISO 3166-1 "
        "alpha-2 country code.",
        "UNKNOWN_UNIT": "appendSeries: the unit is neither INDEX nor COUNT.",
        "UNIT_MISMATCH": "appendSeries: the signal holds values of another unit; one signal "
        "has one unit.",
        "SERIES_FULL": "appendSeries: the series would exceed its largest number of points.",
        "CONFLICT": "The object kept changing under the call (appendSeries: its series); "
        "try again.",
        "FORBIDDEN_TARGET": "A webhook URL points at a private, loopback or link-local "
        "address (refused against SSRF unless TRENDGRAPH_WEBHOOK_ALLOW_PRIVATE).",
    },
)
strawberry.enum(
    UpsertOutcome,
    description="What an upsert did with one item.",
)
describe_values(
    UpsertOutcome,
    {
        "INSERTED": "The item was new and was stored.",
        "UPDATED": "The item existed and was changed.",
        "UNCHANGED": "The item was already stored as given: nothing was written, not even "
        "updatedAt or version.",
        "FAILED": "The item was not written; its userErrors say why.",
    },
)


@strawberry.type(description="A problem with the input the client can fix; nothing was written.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input at fault, from the mutation\'s arguments, e.g. ["input", '
        '"growth", "0", "percent"] or ["expectedVersion"]; null when no one field is at fault.'
    )
    message: str = strawberry.field(description="What is wrong, for people.")
    code: UserErrorCode = strawberry.field(description="What is wrong, for programs.")

    @classmethod
    def from_domain(cls, error: FieldError) -> Self:
        return cls(
            field=list(error.field) if error.field else None, message=error.message, code=error.code
        )

    @classmethod
    def many(cls, errors: Sequence[FieldError]) -> list[Self]:
        return [cls.from_domain(error) for error in errors]


@strawberry.type(description="The result of createTrend.")
class CreateTrendPayload:
    trend: Trend | None = strawberry.field(description="The new trend; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of updateTrend.")
class UpdateTrendPayload:
    trend: Trend | None = strawberry.field(
        description="The trend as stored now (unchanged if the input matched it); null when "
        "refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of deleteTrend.")
class DeleteTrendPayload:
    deleted_trend_id: strawberry.ID | None = strawberry.field(
        description="Global ID of the deleted trend; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


def _counts(results: Sequence[ItemResult[Any]]) -> dict[str, int]:
    return {
        name: sum(result.outcome is outcome for result in results)
        for name, outcome in (
            ("inserted", Outcome.INSERTED),
            ("updated", Outcome.UPDATED),
            ("unchanged", Outcome.UNCHANGED),
            ("failed", Outcome.FAILED),
        )
    }


def _stored_trend(root: TrendUpsertResult) -> Trend | None:
    # Validated only when asked for: bulk loads usually select just the outcome. A stored
    # document the model cannot read fails this one field, and the log names it.
    trend = expect(read_trend(root.stored)) if root.stored else None
    return Trend.from_model(trend) if trend else None


@strawberry.type(description="What upsertTrends or importTrends did with one item.")
class TrendUpsertResult:
    index: int = strawberry.field(
        description="Position of the item in `inputs`, or its line in `jsonLines` (from 0)."
    )
    slug: str | None = strawberry.field(description="The item's slug, as given.")
    outcome: UpsertOutcome = strawberry.field(description="What was done.")
    trend: Trend | None = strawberry.field(
        resolver=_stored_trend, description="The trend as stored; null if FAILED."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the item failed; paths start at `inputs` or `jsonLines`."
    )
    cleared_fields: list[str] = strawberry.field(
        description="For UPDATED: what the stored trend had and this item left out, so it "
        "is now cleared (`description`, `tags`, `analyses.pestle`, `growth.1y` for a reported "
        "window...). An upsert replaces a trend's content; empty when nothing was lost."
    )
    stored: strawberry.Private[Document | None]

    @classmethod
    def from_domain(cls, result: TrendResult) -> Self:
        return cls(
            index=result.index,
            slug=result.slug,
            outcome=result.outcome,
            stored=result.item,
            user_errors=UserError.many(result.errors),
            cleared_fields=list(result.cleared),
        )


@strawberry.type(
    description="The result of upsertTrends and importTrends: one result per item, in order."
)
class UpsertTrendsPayload:
    results: list[TrendUpsertResult] = strawberry.field(description="One per input, in order.")
    inserted: int = strawberry.field(description="How many items were inserted.")
    updated: int = strawberry.field(description="How many items were updated.")
    unchanged: int = strawberry.field(description="How many items were already as given.")
    failed: int = strawberry.field(description="How many items failed (see their userErrors).")
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the call as a whole (then nothing was written)."
    )

    @classmethod
    def of(cls, results: Sequence[TrendResult]) -> Self:
        return cls(
            results=[TrendUpsertResult.from_domain(result) for result in results],
            user_errors=[],
            **_counts(results),
        )

    @classmethod
    def refused(cls, errors: Sequence[FieldError]) -> Self:
        return cls(results=[], user_errors=UserError.many(errors), **_counts([]))


@strawberry.type(description="The result of createCategory and updateCategory.")
class CategoryPayload:
    category: Category | None = strawberry.field(
        description="The category as stored now; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="What upsertCategories did with one item.")
class CategoryUpsertResult:
    index: int = strawberry.field(description="Position of the item in `inputs` (from 0).")
    slug: str | None = strawberry.field(description="The item's slug, as given.")
    outcome: UpsertOutcome = strawberry.field(description="What was done.")
    category: Category | None = strawberry.field(
        description="The category as stored; null if FAILED."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the item failed; paths start at `inputs`."
    )

    @classmethod
    def from_domain(cls, result: CategoryResult) -> Self:
        return cls(
            index=result.index,
            slug=result.slug,
            outcome=result.outcome,
            category=Category.from_model(result.item) if result.item else None,
            user_errors=UserError.many(result.errors),
        )


@strawberry.type(description="The result of upsertCategories: one result per input, in order.")
class UpsertCategoriesPayload:
    results: list[CategoryUpsertResult] = strawberry.field(description="One per input, in order.")
    inserted: int = strawberry.field(description="How many items were inserted.")
    updated: int = strawberry.field(description="How many items were updated.")
    unchanged: int = strawberry.field(description="How many items were already as given.")
    failed: int = strawberry.field(description="How many items failed (see their userErrors).")
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the call as a whole (then nothing was written)."
    )

    @classmethod
    def of(cls, results: Sequence[CategoryResult]) -> Self:
        return cls(
            results=[CategoryUpsertResult.from_domain(result) for result in results],
            user_errors=[],
            **_counts(results),
        )

    @classmethod
    def refused(cls, errors: Sequence[FieldError]) -> Self:
        return cls(results=[], user_errors=UserError.many(errors), **_counts([]))
