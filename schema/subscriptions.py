"""Subscriptions: live trend changes over WebSocket (graphql-transport-ws)."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator
from enum import Enum
from typing import Annotated, Self

import strawberry
from strawberry import relay

from app.domain.models import SLUG_PATTERN
from app.storage import changes
from schema.context import Info
from schema.errors import BadUserInputError
from schema.trend import Trend


@strawberry.enum(description="What happened to a trend.")
class TrendChangeKind(Enum):
    CREATED = strawberry.enum_value(
        "CREATED", description="The trend was stored for the first time."
    )
    UPDATED = strawberry.enum_value("UPDATED", description="The trend was changed.")
    DELETED = strawberry.enum_value("DELETED", description="The trend was deleted.")


@strawberry.type(description="One write to a trend, made through any API instance or directly.")
class TrendChangeEvent:
    kind: TrendChangeKind = strawberry.field(description="What happened.")
    id: relay.GlobalID = strawberry.field(description="Global ID of the trend (as `Trend.id`).")
    slug: str | None = strawberry.field(
        description=(
            "Slug of the trend (after the write; before it for DELETED). Null only for the "
            "deletion of a trend this server never saw."
        )
    )
    trend: Trend | None = strawberry.field(
        description="The trend after the write; null for DELETED."
    )

    @classmethod
    def from_change(cls, change: changes.TrendChange) -> Self:
        return cls(
            kind=TrendChangeKind(change.kind.value),
            id=relay.GlobalID("Trend", change.trend_id),
            slug=change.slug,
            trend=Trend.from_model(change.trend) if change.trend else None,
        )


def _check_slug(name: str, value: str | None) -> None:
    if value is not None and not re.fullmatch(SLUG_PATTERN, value):
        raise BadUserInputError(
            f"{name} must be a slug (lowercase letters, digits and single hyphens), got {value!r}",
            argument=name,
        )


@strawberry.type
class TrendSubscription:
    @strawberry.subscription(
        description=(
            "Trends as they are created, updated and deleted, from a MongoDB change stream: "
            "writes made through any API instance reach subscribers on every instance."
        )
    )
    async def trend_changed(
        self,
        info: Info,
        slug: Annotated[
            str | None,
            strawberry.argument(description="Only this trend (by slug; null for all)."),
        ] = None,
        category: Annotated[
            str | None,
            strawberry.argument(description="Only trends in this category (by slug)."),
        ] = None,
    ) -> AsyncGenerator[TrendChangeEvent, None]:
        _check_slug("slug", slug)
        _check_slug("category", category)
        feed = info.context.trend_changes
        if feed is None:
            raise RuntimeError("subscriptions need the ASGI app (no change feed in this context)")
        async with feed.subscribe(slug=slug, category=category) as events:
            async for change in events:
                info.context.renew_loaders()
                yield TrendChangeEvent.from_change(change)
