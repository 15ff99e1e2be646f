"""Bulk loading of synthetic trends: ``insert_many`` in batches, series alongside."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from bson import ObjectId

from app.storage.database import Database
from app.storage.repositories import TrendRepository
from app.storage.repositories.series import series_document
from app.storage.repositories.trend_writes import new_trend_document
from seeds.synthetic.generator import SYNTHETIC_SOURCE, SyntheticTrend

SYNTHETIC_FILTER = {"analyses.decomposition.source": {"$regex": f"^{SYNTHETIC_SOURCE}"}}
"""Trends whose analyses say they are synthetic (the generator's provenance)."""
ID_BATCH = 200  # $in cost grows with the square of the list here (docs/architecture.md)


T = TypeVar("T")


def batched(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in slices of ``size`` (itertools.batched needs Python 3.12)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SlugTakenError(ValueError):
    """Generated slugs that trends not made by the generator already use."""


async def remove_synthetic(database: Database) -> int:
    """Delete every synthetic trend and its series; how many trends were deleted."""
    ids = [doc["_id"] async for doc in database.trends.find(SYNTHETIC_FILTER, {"_id": 1})]
    for chunk in batched(ids, ID_BATCH):
        await database.trend_series.delete_many({"_id": {"$in": list(chunk)}})
        await database.trends.delete_many({"_id": {"$in": list(chunk)}})
    return len(ids)


async def load_synthetic(
    database: Database,
    trends: Sequence[SyntheticTrend],
    *,
    batch_size: int = 500,
    on_batch: Callable[[int], None] = lambda done: None,
) -> None:
    """Insert ``trends`` and their series in batches, calling ``on_batch(n)`` after each.

    Raises :class:`SlugTakenError`, writing nothing, when a slug is already in use.
    """
    repository = TrendRepository(database)
    slugs = [trend.spec.slug for trend in trends]
    taken = set()
    for slug_batch in batched(slugs, ID_BATCH):
        taken |= await repository.existing_slugs(slug_batch)
    if taken:
        raise SlugTakenError(f"slugs already in use: {', '.join(sorted(taken)[:10])}")
    ids = {slug: ObjectId() for slug in slugs}
    now = datetime.now(UTC)
    for chunk in batched(trends, batch_size):
        trend_documents = []
        series_documents = []
        for trend in chunk:
            trend_id = ids[trend.spec.slug]
            related = [ids[slug] for slug in trend.spec.related]
            document = new_trend_document(trend.spec, trend_id, related, now)
            # The generated growth is computed from the series (see the generator).
            trend_documents.append(
                {**document, "computedGrowth": document["growth"], "seriesVersion": 1}
            )
            series_documents.append(
                {"_id": trend_id, **series_document(SYNTHETIC_SOURCE, trend.points, 1)}
            )
        await database.trends.insert_many(trend_documents)
        await database.trend_series.insert_many(series_documents)
        on_batch(len(chunk))
