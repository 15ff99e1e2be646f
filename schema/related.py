"""Related trends with the reason and strength of each link (``Trend.relatedEdges``), and
the ranking ``Trend.related`` shares with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from app.domain import models, related
from app.storage.repositories.related import RelatedSubject
from schema.context import Info
from schema.errors import BadUserInputError

if TYPE_CHECKING:
    from schema.trend import Trend

MAX_RELATED = 50
RelatedReason = related.RelatedReason
strawberry.enum(
    related.RelatedReason,
    description="Why a trend is related: EXPLICIT (linked by a writer), CO_MOVEMENT (the "
    "growth of the two trends' primary signals correlated over the last year: computed when "
    "a series is written, never at read time), or SHARED_TAGS (they carry the same tags).",
)


@strawberry.type(description="A related trend, why it is related, and how strongly.")
class RelatedTrend:
    node: Annotated[Trend, strawberry.lazy("schema.trend")] = strawberry.field(
        description="The related trend."
    )
    reason: RelatedReason = strawberry.field(description="Why it is related.")
    strength: float = strawberry.field(
        description="How strongly, 0 to 1: 1 for EXPLICIT, the correlation (0.5 and up) for "
        "CO_MOVEMENT, the share of this trend's tags the other carries for SHARED_TAGS."
    )


def check_limit(first: int | None) -> int:
    limit = MAX_RELATED if first is None else first
    if not 0 <= limit <= MAX_RELATED:
        raise BadUserInputError(
            f"related(first:) must be between 0 and {MAX_RELATED}, got {limit}",
            argument="first",
        )
    return limit


async def related_links(info: Info, model: models.Trend, limit: int) -> list[related.RelatedLink]:
    """Explicit links, then co-moving trends, then trends sharing tags (read only when the
    first two leave room)."""
    co_moving = [(link.trend, link.strength) for link in model.co_moving]
    links = related.related_links(
        model.related, co_moving, [], tag_count=len(model.tags), limit=limit
    )
    if len(links) < limit and model.tags:
        subject = RelatedSubject(model.id, model.category, tuple(model.tags))
        shared = await info.context.loaders.related_suggestions.load(subject)
        links = related.related_links(
            model.related, co_moving, shared, tag_count=len(model.tags), limit=limit + 1
        )
    return [link for link in links if link.trend_id != model.id][:limit]
