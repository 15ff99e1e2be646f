"""Per-request DataLoaders: each batches one event-loop tick's keys into one ``$in`` query.

Created fresh for every request (in the GraphQL context), so a cache never outlives the
request that filled it and one client's reads never show up in another's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from app.models import Category, Trend
from app.repositories import CategoryRepository, TrendRepository
from app.repositories.related import RelatedRepository, RelatedSubject
from app.repositories.series import SeriesRepository
from app.series import Series


@dataclass(frozen=True, slots=True)
class Loaders:
    trend_by_id: DataLoader[str, Trend | None]
    trend_summary_by_id: DataLoader[str, Trend | None]
    """Like ``trend_by_id`` without the analyses, for lists that do not select them."""
    trend_by_slug: DataLoader[str, Trend | None]
    """By slug, falling back to aliases."""
    category_by_slug: DataLoader[str, Category | None]
    series_by_trend_id: DataLoader[str, Series | None]
    related_suggestions: DataLoader[RelatedSubject, list[str]]
    """Ids of trends sharing tags with the subject, best first."""

    @classmethod
    def create(
        cls,
        trends: TrendRepository,
        categories: CategoryRepository,
        series: SeriesRepository,
        related: RelatedRepository,
        *,
        max_batch_size: int,
    ) -> Loaders:
        async def full_by_id(ids: Sequence[str]) -> list[Trend | None]:
            return await trends.by_ids(ids)

        async def summary_by_id(ids: Sequence[str]) -> list[Trend | None]:
            return await trends.by_ids(ids, with_analyses=False)

        # The embedded server's $in cost grows with the square of the list length
        # (DESIGN.md), so batches are capped; each cap-sized batch is still one query.
        return cls(
            trend_by_id=DataLoader(full_by_id, max_batch_size=max_batch_size),
            trend_summary_by_id=DataLoader(summary_by_id, max_batch_size=max_batch_size),
            trend_by_slug=DataLoader(trends.by_slugs, max_batch_size=max_batch_size),
            category_by_slug=DataLoader(categories.by_slugs, max_batch_size=max_batch_size),
            series_by_trend_id=DataLoader(series.by_trend_ids, max_batch_size=max_batch_size),
            related_suggestions=DataLoader(related.suggestions, max_batch_size=max_batch_size),
        )
