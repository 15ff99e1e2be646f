"""Per-request DataLoaders: each batches one event-loop tick's keys into one ``$in`` query.

Created fresh for every request (in the GraphQL context), so a cache never outlives the
request that filled it and one client's reads never show up in another's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from strawberry.dataloader import DataLoader

from app.models import Category, Trend
from app.observability import Metrics
from app.repositories import CategoryRepository, TrendRepository

Value = TypeVar("Value")
BatchFunction = Callable[[Sequence[str]], Awaitable[list[Value]]]


def _observed(
    name: str, batch: BatchFunction[Value], metrics: Metrics | None
) -> BatchFunction[Value]:
    if metrics is None:
        return batch
    histogram = metrics.dataloader_batch_size.labels(name)

    async def observed(keys: Sequence[str]) -> list[Value]:
        histogram.observe(len(keys))
        return await batch(keys)

    return observed


@dataclass(frozen=True, slots=True)
class Loaders:
    trend_by_id: DataLoader[str, Trend | None]
    trend_summary_by_id: DataLoader[str, Trend | None]
    """Like ``trend_by_id`` without the analyses, for lists that do not select them."""
    trend_by_slug: DataLoader[str, Trend | None]
    """By slug, falling back to aliases."""
    category_by_slug: DataLoader[str, Category | None]

    @classmethod
    def create(
        cls,
        trends: TrendRepository,
        categories: CategoryRepository,
        *,
        max_batch_size: int,
        metrics: Metrics | None = None,
        batching: bool = True,
    ) -> Loaders:
        """``batching=False`` is the benchmark's naive baseline: one query per key, no cache."""

        async def full_by_id(ids: Sequence[str]) -> list[Trend | None]:
            return await trends.by_ids(ids)

        async def summary_by_id(ids: Sequence[str]) -> list[Trend | None]:
            return await trends.by_ids(ids, with_analyses=False)

        # The embedded server's $in cost grows with the square of the list length
        # (DESIGN.md), so batches are capped; each cap-sized batch is still one query.
        def loader(name: str, batch: BatchFunction[Value]) -> DataLoader[str, Value]:
            if not batching:
                return DataLoader(_observed(name, batch, metrics), max_batch_size=1, cache=False)
            return DataLoader(_observed(name, batch, metrics), max_batch_size=max_batch_size)

        return cls(
            trend_by_id=loader("trend_by_id", full_by_id),
            trend_summary_by_id=loader("trend_summary_by_id", summary_by_id),
            trend_by_slug=loader("trend_by_slug", trends.by_slugs),
            category_by_slug=loader("category_by_slug", categories.by_slugs),
        )
