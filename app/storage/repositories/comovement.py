"""Co-movement, computed when a trend's primary signal is written and stored on the trend.

The candidates are every other trend's primary signal (``primary: true`` on its signal
document) with a movement: one read of their small ``movement`` summaries (12 numbers each),
ranked here by :func:`app.domain.comovement.strongest`. The result is stored on the trend
as ``coMoving`` (trend ids and correlations), so reads never compute it. Each trend's list is
brought up to date when its own primary signal changes (and by bulk loads); another trend's
list may name this one with the correlation of its last write.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection

from app.domain.comovement import Movement, strongest

MAX_CO_MOVING = 20
ONE_REPLY = 1_000_000
"""A batch size no candidate read reaches (a reply is capped by MongoDB's 16 MB anyway)."""
CANDIDATES_PROJECTION = {"trendId": 1, "movement": 1}


def movement_from(document: dict[str, Any] | None) -> Movement | None:
    if not document:
        return None
    return Movement(document["endMonth"], tuple(document["changes"]))


def co_moving_document(ranked: list[tuple[ObjectId, float]]) -> list[dict[str, Any]]:
    return [{"trend": trend_id, "strength": strength} for trend_id, strength in ranked]


async def co_moving(
    signals: AsyncCollection[dict[str, Any]], trend_id: ObjectId, movement: Movement | None
) -> list[dict[str, Any]]:
    """The stored form of the trends moving most like ``movement`` (one query)."""
    if movement is None:
        return []
    cursor = signals.find(
        {"primary": True, "trendId": {"$ne": trend_id}, "movement": {"$ne": None}},
        CANDIDATES_PROJECTION,
    ).batch_size(ONE_REPLY)
    candidates = [
        (document["trendId"], other)
        async for document in cursor
        if (other := movement_from(document["movement"])) is not None
    ]
    return co_moving_document(strongest(movement, candidates, MAX_CO_MOVING))
