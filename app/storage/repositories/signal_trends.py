"""What writing a signal changes on its trend document, in one update (one change).

- ``signalKeys`` (``source/region`` of each signal, indexed for filters) gains the signal;
- ``volume``: the latest count of the trend's volume signal
  (:func:`app.domain.signals.volume_key`), indexed for ``orderBy: VOLUME``;
- from the primary signal only (:func:`app.domain.signals.primary_key`): ``computedGrowth``
  (its growth), ``growth`` (per window the REPORTED figure when the trend has one, else the
  computed one: :func:`app.domain.growth.merge_growth`), ``status`` (derived from that
  growth), ``coMoving`` (:mod:`app.storage.repositories.comovement`), ``seriesVersion`` and
  ``growthSource`` (which signal, at which version, wrote them).

Growth is read, merged and written back conditionally on the trend's ``version``, so a
writer changing its REPORTED figures meanwhile is not overwritten (retried; the last try is
unconditional on it, so an append always finishes); it is never overwritten by an older
version of the same signal.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from app.domain.growth import merge_growth
from app.domain.models import GrowthMethod, GrowthWindow
from app.domain.signals import Signal, SignalKey, SignalUnit, primary_key, volume_key
from app.domain.status import derive_status, status_fields
from app.storage.database import Database, Document
from app.storage.repositories.comovement import co_moving, movement_from

MAX_ATTEMPTS = 5
GROWTH_PROJECTION = {"growth": 1, "version": 1, "seriesVersion": 1, "growthSource": 1}


def signal_key_text(key: SignalKey) -> str:
    """How a trend document lists a signal in ``signalKeys``."""
    return f"{key.source}/{key.region}"


def growth_document(growth: list[GrowthWindow] | tuple[GrowthWindow, ...]) -> Document:
    """The stored shape of growth windows: one sub-document per window key."""
    return {window.window.value: window.model_dump(by_alias=True) for window in growth}


def reported_growth(trend: Document) -> list[GrowthWindow]:
    """The stored trend's growth windows a source reported (method ``REPORTED``)."""
    return [
        GrowthWindow.model_validate(window)
        for window in (trend.get("growth") or {}).values()
        if window.get("method") == GrowthMethod.REPORTED
    ]


def _newer_than_stored(trend: Document, signal: Signal) -> bool:
    """Whether ``signal`` may write the trend's growth: another signal wrote it last (the
    primary signal changed), or an older version of this one did."""
    return (
        trend.get("growthSource") != signal_key_text(signal.key)
        or trend.get("seriesVersion", 0) < signal.version
    )


async def update_trend(
    database: Database,
    trend_id: ObjectId,
    keys: dict[SignalKey, Document],
    signal: Signal,
    document: Document,
) -> None:
    """Bring the trend up to date with ``signal`` (stored as ``document``) just written;
    ``keys``: every signal of the trend, ``signal`` included."""
    volume_of = volume_key({key: SignalUnit(stored["unit"]) for key, stored in keys.items()})
    latest = keys[volume_of]["latest"] if volume_of else None
    common: dict[str, Any] = {
        "volume": latest["value"] if latest else None,
        "updatedAt": datetime.now(UTC),
    }
    change: dict[str, Any] = {
        "$addToSet": {"signalKeys": signal_key_text(signal.key)},
        "$inc": {"version": 1},
    }
    trends = database.trends
    if primary_key(keys) == signal.key:
        computed = list(signal.growth)
        movement = movement_from(document["movement"])
        common["coMoving"] = await co_moving(database.trend_series, trend_id, movement)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            trend = await trends.find_one({"_id": trend_id}, GROWTH_PROJECTION)
            if trend is None or not _newer_than_stored(trend, signal):
                break
            growth = merge_growth(reported_growth(trend), computed)
            from_signal = {
                **common,
                "growth": growth_document(growth),
                "computedGrowth": growth_document(computed),
                **status_fields(derive_status(growth)),
                "seriesVersion": signal.version,
                "growthSource": signal_key_text(signal.key),
            }
            condition: dict[str, Any] = {"_id": trend_id}
            if attempt < MAX_ATTEMPTS:
                condition["version"] = trend["version"]
            written = await trends.update_one(condition, {**change, "$set": from_signal})
            if written.matched_count:
                return
    await trends.update_one({"_id": trend_id}, {**change, "$set": common})
