"""The Trend type and its growth windows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Self

import strawberry
from strawberry import relay

from app import models
from app.context import Info
from schema.analyses import TrendAnalyses
from schema.category import Category
from schema.enums import GrowthMethod, GrowthWindowKey, TrendStatus
from schema.errors import BadUserInputError
from schema.selection import selects

MAX_RELATED = 50


@strawberry.type(description="Growth of a trend over one window.")
class GrowthWindow:
    window: GrowthWindowKey = strawberry.field(description="The window measured.")
    label: str = strawberry.field(
        description='Short form users know: "3mo", "6mo", "1y", "2y", "5y".'
    )
    percent: float = strawberry.field(
        description="Change over the window in percent (21 means +21%)."
    )
    method: GrowthMethod = strawberry.field(description="How the figure was obtained.")
    start_value: float | None = strawberry.field(
        description="The measured value at the window's start, where known."
    )
    end_value: float | None = strawberry.field(
        description="The measured value at the window's end, where known."
    )

    @classmethod
    def from_model(cls, model: models.GrowthWindow) -> Self:
        return cls(
            window=model.window,
            label=model.window.label,
            percent=model.percent,
            method=model.method,
            start_value=model.start_value,
            end_value=model.end_value,
        )


@strawberry.type(
    description="A trend: a technology, product category or behaviour, and how it grows."
)
class Trend(relay.Node):
    id: relay.NodeID[str]
    slug: str = strawberry.field(description="Unique, URL-safe identifier, e.g. `asyncio`.")
    name: str = strawberry.field(description="Display name, e.g. `Asyncio`.")
    aliases: list[str] = strawberry.field(description="Other names the trend goes by.")
    description: str | None = strawberry.field(description='What the trend is (the "About" text).')
    tags: list[str] = strawberry.field(description="Free-form tags (slug form).")
    status: TrendStatus | None = strawberry.field(description="Life-cycle status, where known.")
    created_at: datetime = strawberry.field(description="When the trend was first stored.")
    updated_at: datetime = strawberry.field(description="When the trend last changed.")
    version: int = strawberry.field(
        description="Starts at 1 and grows by one on every change (for optimistic concurrency)."
    )
    model: strawberry.Private[models.Trend]

    @classmethod
    def from_model(cls, model: models.Trend) -> Self:
        return cls(
            id=model.id,
            slug=model.slug,
            name=model.name,
            aliases=model.aliases,
            description=model.description,
            tags=model.tags,
            status=model.status,
            created_at=model.created_at,
            updated_at=model.updated_at,
            version=model.version,
            model=model,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        trends = await info.context.loaders.trend_by_id.load_many(list(node_ids))
        return [cls.from_model(trend) if trend else None for trend in trends]

    @strawberry.field(description="The category the trend is filed under.")
    async def category(self, info: Info) -> Category | None:
        if self.model.category is None:
            return None
        category = await info.context.loaders.category_by_slug.load(self.model.category)
        return Category.from_model(category) if category else None

    @strawberry.field(description="Growth per window that has a figure, shortest window first.")
    def growth(self) -> list[GrowthWindow]:
        return [GrowthWindow.from_model(window) for window in self.model.growth_windows()]

    @strawberry.field(description="Growth over one window; null when there is no figure for it.")
    def growth_for(
        self,
        window: Annotated[GrowthWindowKey, strawberry.argument(description="The window wanted.")],
    ) -> GrowthWindow | None:
        growth = self.model.growth.get(window)
        return GrowthWindow.from_model(growth) if growth else None

    @strawberry.field(description="The four framework analyses of the trend.")
    async def analyses(self, info: Info) -> TrendAnalyses:
        analyses = self.model.analyses
        if analyses is None:  # left out of a list read's projection; fetch it (batched)
            full = await info.context.loaders.trend_by_id.load(self.model.id)
            analyses = full.analyses if full and full.analyses else models.TrendAnalyses()
        return TrendAnalyses.from_model(analyses)

    @strawberry.field(description="Trends linked to this one, in the order they were linked.")
    async def related(
        self,
        info: Info,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"How many related trends to return, 0 to {MAX_RELATED}."
            ),
        ] = 10,
    ) -> list[Trend]:
        limit = MAX_RELATED if first is None else first
        if not 0 <= limit <= MAX_RELATED:
            raise BadUserInputError(
                f"related(first:) must be between 0 and {MAX_RELATED}, got {limit}",
                argument="first",
            )
        loader = (
            info.context.loaders.trend_by_id
            if info.context.settings.naive or selects(info, "analyses")
            else info.context.loaders.trend_summary_by_id
        )
        ids = self.model.related[:limit]
        return [Trend.from_model(trend) for trend in await loader.load_many(ids) if trend]
