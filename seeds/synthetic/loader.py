"""Bulk loading of synthetic trends: ``insert_many`` in batches, series alongside."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from bson import ObjectId

from app.domain.comovement import MovementIndex
from app.domain.series import DEFAULT_SOURCE
from app.domain.signals import SignalKey, SignalUnit, volume_key
from app.storage.database import Database
from app.storage.repositories import TrendRepository
from app.storage.repositories.comovement import (
    CANDIDATES_PROJECTION,
    MAX_CO_MOVING,
    ONE_REPLY,
    co_moving_document,
    movement_from,
)
from app.storage.repositories.series import series_document
from app.storage.repositories.signal_trends import signal_key_text
from app.storage.repositories.trend_content import new_trend_document
from seeds.synthetic.generator import SYNTHETIC_SOURCE, SyntheticSignal, SyntheticTrend

SYNTHETIC_FILTER = {"analyses.decomposition.source": {"$regex": f"^{SYNTHETIC_SOURCE}"}}
"""Trends whose analyses say they are synthetic (the generator's provenance)."""
ID_BATCH = 200  # $in cost grows with the square of the list here (docs/architecture.md)


T = TypeVar("T")


def batched(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in slices of ``size`` (itertools.batched needs Python 3.12)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def store_co_movement(database: Database, trend_ids: Sequence[ObjectId]) -> None:
    """Compute and store ``coMoving`` for ``trend_ids`` against every trend's primary signal:
    what an append does for one trend, done once for a bulk load (one candidate read)."""
    cursor = database.trend_series.find(
        {"primary": True, "movement": {"$ne": None}}, CANDIDATES_PROJECTION
    ).batch_size(ONE_REPLY)
    movements = {
        document["trendId"]: movement
        async for document in cursor
        if (movement := movement_from(document["movement"])) is not None
    }
    index = MovementIndex(movements.items())
    for trend_id in trend_ids:
        movement = movements.get(trend_id)
        if movement is None:
            continue
        ranked = index.strongest(trend_id, movement, MAX_CO_MOVING)
        await database.trends.update_one(
            {"_id": trend_id}, {"$set": {"coMoving": co_moving_document(ranked)}}
        )


class SlugTakenError(ValueError):
    """Generated slugs that trends not made by the generator already use."""


async def remove_synthetic(database: Database) -> int:
    """Delete every synthetic trend and its series; how many trends were deleted."""
    ids = [doc["_id"] async for doc in database.trends.find(SYNTHETIC_FILTER, {"_id": 1})]
    for chunk in batched(ids, ID_BATCH):
        await database.trend_series.delete_many({"trendId": {"$in": list(chunk)}})
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
        series_documents: list[dict[str, Any]] = []
        for trend in chunk:
            trend_id = ids[trend.spec.slug]
            related = [ids[slug] for slug in trend.spec.related]
            primary = SyntheticSignal(SignalKey(DEFAULT_SOURCE), SignalUnit.INDEX, trend.points)
            signals = (primary, *trend.other_signals)
            volume_of = volume_key({signal.key: signal.unit for signal in signals})
            volume = next(
                (s.points[-1].value for s in signals if s.key == volume_of and s.points), None
            )
            trend_documents.append(
                {
                    **new_trend_document(trend.spec, trend_id, related, now),
                    "seriesVersion": 1,
                    "growthSource": signal_key_text(primary.key),
                    "signalKeys": [signal_key_text(signal.key) for signal in signals],
                    "volume": volume,
                }
            )
            series_documents.extend(
                {
                    "_id": ObjectId(),
                    "trendId": trend_id,
                    **series_document(
                        signal.key.source,
                        signal.points,
                        1,
                        region=signal.key.region,
                        unit=signal.unit,
                    ),
                    "primary": signal is primary,
                }
                for signal in signals
            )
        await database.trends.insert_many(trend_documents)
        await database.trend_series.insert_many(series_documents)
        on_batch(len(chunk))
    await store_co_movement(database, [ids[slug] for slug in slugs])
