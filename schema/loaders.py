"""Per-request DataLoaders: each batches one event-loop tick's keys into one ``$in`` query.

Created fresh for every request (in the GraphQL context), so a cache never outlives the
request that filled it and one client's reads never show up in another's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

from strawberry.dataloader import DataLoader

from app.domain.forecasting import ForecastOutcome
from app.domain.models import Category, Trend
from app.domain.series import Series, SeriesPoint
from app.domain.signals import Signal
from app.observability import Metrics
from app.storage.repositories import CategoryRepository, TrendRepository
from app.storage.repositories.forecasts import ForecastRepository
from app.storage.repositories.related import RelatedRepository, RelatedSubject
from app.storage.repositories.series import SeriesRepository
from app.storage.repositories.stored import StoredDocumentError
from app.storage.repositories.trends import TrendFields

Key = TypeVar("Key")
Value = TypeVar("Value")
BatchFunction = Callable[[Sequence[Key]], Awaitable[Sequence[Value | BaseException]]]
"""A batch load: one value per key, or the exception that key alone fails with."""


def _observed(
    name: str, batch: BatchFunction[Key, Value], metrics: Metrics | None
) -> BatchFunction[Key, Value]:
    if metrics is None:
        return batch
    histogram = metrics.dataloader_batch_size

    # The label is looked up at a batch, not when the loader is made: a request makes
    # every loader and uses a few.
    async def observed(keys: Sequence[Key]) -> Sequence[Value | BaseException]:
        histogram.labels(name).observe(len(keys))
        return await batch(keys)

    return observed


async def load_each(
    loader: DataLoader[Key, Value], keys: Iterable[Key]
) -> list[Value | StoredDocumentError]:
    """Like ``loader.load_many(keys)`` (the same batch), but a key whose stored document
    cannot be read gives its :class:`StoredDocumentError` in its place instead of failing
    them all; a list resolver returns it as that item (see :mod:`app.storage.repositories.stored`).

    Any other error (the database is down, a bug) still fails the whole list, once.
    """
    loaded = await asyncio.gather(*map(loader.load, keys), return_exceptions=True)
    for value in loaded:
        if isinstance(value, BaseException) and not isinstance(value, StoredDocumentError):
            raise value
    return cast("list[Value | StoredDocumentError]", loaded)  # the only errors left


FieldsKey = tuple[str, TrendFields | None]
"""A trend's id or slug, and the fields wanted of it (``None``: all but the search keys)."""


def _union(keys: Sequence[FieldsKey]) -> TrendFields | None:
    """Every field any of ``keys`` wants: one query reads what the whole batch needs."""
    fields: set[str] = set()
    for _, wanted in keys:
        if wanted is None:
            return None
        fields |= wanted
    return frozenset(fields)


@dataclass(frozen=True, slots=True)
class Loaders:
    trend_by_id: DataLoader[str, Trend | None]
    trend_summary_by_id: DataLoader[str, Trend | None]
    """Like ``trend_by_id`` without the analyses, for lists that do not select them."""
    trend_by_slug: DataLoader[str, Trend | None]
    """By slug, falling back to aliases."""
    category_by_slug: DataLoader[str, Category | None]
    series_by_trend_id: DataLoader[str, Series | None]
    """Each trend's primary signal, with its points."""
    signals_by_trend_id: DataLoader[str, list[Signal]]
    """Each trend's signals without their points."""
    signal_points: DataLoader[str, tuple[SeriesPoint, ...] | None]
    """A signal's whole series, by signal id."""
    signal_tail: DataLoader[tuple[str, int], tuple[SeriesPoint, ...] | None]
    """A signal's last ``n`` points, by ``(signal id, n)``: sparklines."""
    related_suggestions: DataLoader[RelatedSubject, list[tuple[str, int]]]
    """Ids of trends sharing tags with the subject, with how many, best first."""
    trend_fields_by_id: DataLoader[FieldsKey, Trend | None]
    """By id, reading only the fields asked (with the rest of the batch's)."""
    trend_fields_by_slug: DataLoader[FieldsKey, Trend | None]
    """By slug or alias, reading only the fields asked (with the rest of the batch's)."""
    forecast_by_signal_id: DataLoader[str, ForecastOutcome | None]
    """A signal's stored forecast (computed on write, only read here), by signal id."""

    @classmethod
    def create(
        cls,
        trends: TrendRepository,
        categories: CategoryRepository,
        series: SeriesRepository,
        related: RelatedRepository,
        forecasts: ForecastRepository,
        *,
        max_batch_size: int,
        metrics: Metrics | None = None,
        batching: bool = True,
    ) -> Loaders:
        """``batching=False`` makes loaders that read one key per query and keep nothing:
        what a resolver costs without DataLoaders (a baseline to measure against)."""

        async def summary_by_id(ids: Sequence[str]) -> Sequence[Trend | BaseException | None]:
            return await trends.by_ids(ids, with_analyses=False)

        # The embedded server's $in cost grows with the square of the list length
        # (docs/architecture.md), so batches are capped; each cap-sized batch is still one query.
        def loader(name: str, batch: BatchFunction[Key, Value]) -> DataLoader[Key, Value]:
            if not batching:
                return DataLoader(_observed(name, batch, metrics), max_batch_size=1, cache=False)
            return DataLoader(_observed(name, batch, metrics), max_batch_size=max_batch_size)

        async def full_by_id(ids: Sequence[str]) -> Sequence[Trend | BaseException | None]:
            return await trends.by_ids(ids)

        async def fields_by_id(keys: Sequence[FieldsKey]) -> Sequence[Trend | BaseException | None]:
            return await trends.by_ids([key for key, _ in keys], fields=_union(keys))

        async def fields_by_slug(
            keys: Sequence[FieldsKey],
        ) -> Sequence[Trend | BaseException | None]:
            return await trends.by_slugs([key for key, _ in keys], fields=_union(keys))

        return cls(
            trend_by_id=loader("trend_by_id", full_by_id),
            trend_summary_by_id=loader("trend_summary_by_id", summary_by_id),
            trend_by_slug=loader("trend_by_slug", trends.by_slugs),
            category_by_slug=loader("category_by_slug", categories.by_slugs),
            series_by_trend_id=loader("series_by_trend_id", series.by_trend_ids),
            signals_by_trend_id=loader("signals_by_trend_id", series.signals_of),
            signal_points=loader("signal_points", series.points_of),
            signal_tail=loader("signal_tail", series.tails),
            related_suggestions=loader("related_suggestions", related.scored),
            trend_fields_by_id=loader("trend_by_id", fields_by_id),
            trend_fields_by_slug=loader("trend_by_slug", fields_by_slug),
            forecast_by_signal_id=loader("forecast_by_signal_id", forecasts.by_signal_ids),
        )
