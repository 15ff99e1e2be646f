"""Signals: batched reads, sparkline tails, and appends that recompute growth and volume.

Storage: one ``trend_series`` document per signal (trend, source, region), unique on
``(trendId, source, region)``, holding the whole series (``points`` in date order) and what
is derived from it when it is written: ``growth`` (per window), ``latest`` point,
``granularity``, ``pointCount`` and ``movement`` (the last year's monthly changes, for
co-movement). One document per signal, not per point, because:

- every append recomputes growth up to five years back, so it reads the whole series
  anyway, and a chart reads one contiguous range: one indexed lookup for both;
- a page of trends reads the summaries of all their signals in one ``$in`` on ``trendId``
  (points left out), and their sparklines in one more (``$slice`` of the last N points);
- a series is capped at :data:`app.domain.series.MAX_POINTS_PER_SERIES` points (about 27
  years of daily data, under 0.5 MB), far below MongoDB's 16 MB document limit.

Appends are optimistic: a signal is replaced only if its ``version`` is still the one read
(retried otherwise). The trend document keeps what lists filter and sort by:
``signalKeys`` (``source/region`` of each signal), ``volume`` (see
:func:`app.domain.signals.volume_key`), and, from its primary signal, ``growth`` and
``status``, overwritten only by a newer version of that signal (``seriesVersion``) and never
over REPORTED figures: a trend with REPORTED growth keeps answering it (its signals still
answer their own computed growth).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from app.domain.comovement import Movement, movement_of
from app.domain.errors import ErrorCode, WriteError
from app.domain.growth import compute_growth
from app.domain.models import GrowthWindow
from app.domain.regions import WORLD
from app.domain.series import (
    DEFAULT_SOURCE,
    MAX_POINTS_PER_SERIES,
    Series,
    SeriesPoint,
    merge_points,
    to_stored_date,
)
from app.domain.signals import (
    DEFAULT_UNIT,
    Granularity,
    Signal,
    SignalKey,
    SignalUnit,
    granularity_of,
    primary_key,
)
from app.storage.database import Database, Document, find_in
from app.storage.repositories.signal_trends import (
    growth_document,
    update_trend,
)
from app.storage.repositories.trends import parse_object_id

MAX_APPEND_ATTEMPTS = 5
SUMMARY_PROJECTION: dict[str, Any] = {"points": 0, "movement": 0}
"""A signal without its points: what a list of trends needs besides sparklines."""
PER_TREND = 50
"""Signals a trend is expected to have at most, sizing one reply (more cost a ``getMore``)."""
KEY_PROJECTION: dict[str, Any] = {"source": 1, "region": 1, "unit": 1, "latest": 1}


@dataclass(frozen=True, slots=True)
class AppendResult:
    series: Series
    growth: list[GrowthWindow]
    signal: Signal


def _movement_document(movement: Movement | None) -> Document | None:
    if movement is None:
        return None
    return {"endMonth": movement.end_month, "changes": list(movement.changes)}


def series_document(
    source: str,
    points: Sequence[SeriesPoint],
    version: int,
    *,
    region: str = WORLD,
    unit: SignalUnit = DEFAULT_UNIT,
) -> Document:
    """The stored shape of a signal (without ``_id`` and ``trendId``), derived fields included."""
    growth = compute_growth(points)
    granularity = granularity_of([point.date for point in points])
    return {
        "source": source,
        "region": region,
        "unit": unit.value,
        "granularity": granularity.value if granularity else None,
        "points": [{"date": to_stored_date(p.date), "value": float(p.value)} for p in points],
        "pointCount": len(points),
        "latest": (
            {"date": to_stored_date(points[-1].date), "value": float(points[-1].value)}
            if points
            else None
        ),
        "growth": growth_document(growth),
        "movement": _movement_document(movement_of(points)),
        "version": version,
        "updatedAt": datetime.now(UTC),
    }


def _points(document: Document) -> tuple[SeriesPoint, ...]:
    return tuple(SeriesPoint(point["date"].date(), point["value"]) for point in document["points"])


def read_signal(document: Document) -> Signal:
    """A stored signal document (with or without its points) as the domain object."""
    latest = document.get("latest")
    growth = document.get("growth") or {}
    return Signal(
        id=str(document["_id"]),
        trend_id=str(document["trendId"]),
        key=SignalKey(document["source"], document["region"]),
        unit=SignalUnit(document["unit"]),
        granularity=Granularity(document["granularity"]) if document.get("granularity") else None,
        stored_growth=growth,
        latest=SeriesPoint(latest["date"].date(), latest["value"]) if latest else None,
        point_count=document.get("pointCount", 0),
        version=document["version"],
        points=_points(document) if "points" in document else None,
    )


def _growth_of(points: Sequence[SeriesPoint]) -> list[GrowthWindow]:
    """The growth of ``points``, or :class:`WriteError` when values too large for
    the maths (sums past 1.8e308) make it infinite: checked before anything is written."""
    try:
        return compute_growth(points)
    except (OverflowError, ValueError) as error:
        raise WriteError.single(
            ErrorCode.NOT_FINITE,
            f"growth cannot be computed from these values (they are too large: {error})",
            "points",
        ) from error


class SeriesRepository:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._collection = database.trend_series

    async def signals_of(self, trend_ids: Sequence[str]) -> list[list[Signal]]:
        """Each trend's signals without their points, by source then region (one query)."""
        object_ids = [oid for oid in map(parse_object_id, trend_ids) if oid]
        found: dict[str, list[Signal]] = {}
        summaries = await find_in(
            self._collection, "trendId", object_ids, SUMMARY_PROJECTION, per_value=PER_TREND
        )
        for document in summaries:
            signal = read_signal(document)
            found.setdefault(signal.trend_id, []).append(signal)
        return [sorted(found.get(trend_id, []), key=lambda s: s.key) for trend_id in trend_ids]

    async def points_of(self, signal_ids: Sequence[str]) -> list[tuple[SeriesPoint, ...] | None]:
        """Each signal's whole series, in the order asked (one query)."""
        object_ids = [oid for oid in map(parse_object_id, signal_ids) if oid]
        found = {
            str(document["_id"]): _points(document)
            for document in await find_in(self._collection, "_id", object_ids, {"points": 1})
        }
        return [found.get(signal_id) for signal_id in signal_ids]

    async def tails(self, keys: Sequence[tuple[str, int]]) -> list[tuple[SeriesPoint, ...] | None]:
        """The last ``n`` points of each ``(signal id, n)``: one query per distinct ``n``."""
        by_length: dict[int, list[ObjectId]] = {}
        for signal_id, length in keys:
            object_id = parse_object_id(signal_id)
            if object_id:
                by_length.setdefault(length, []).append(object_id)
        found: dict[tuple[str, int], tuple[SeriesPoint, ...]] = {}
        for length, ids in by_length.items():
            projection = {"points": {"$slice": -length}}
            for document in await find_in(self._collection, "_id", ids, projection):
                found[(str(document["_id"]), length)] = _points(document)
        return [found.get(key) for key in keys]

    async def by_trend_ids(self, trend_ids: Sequence[str]) -> list[Series | None]:
        """Each trend's primary signal with its points, in the order asked; ``None`` where a
        trend has no signal. Reads only the signals flagged ``primary`` (should a race have
        left two flagged, the primary rule picks among them)."""
        object_ids = [oid for oid in map(parse_object_id, trend_ids) if oid]
        documents: dict[str, list[Document]] = {}
        primaries = await find_in(
            self._collection,
            "trendId",
            object_ids,
            {"trendId": 1, "source": 1, "region": 1, "points": 1, "version": 1},
            extra={"primary": True},
        )
        for document in primaries:
            documents.setdefault(str(document["trendId"]), []).append(document)
        found: dict[str, Series] = {}
        for trend_id, stored in documents.items():
            by_key = {SignalKey(d["source"], d["region"]): d for d in stored}
            primary = primary_key(by_key)
            assert primary is not None
            document = by_key[primary]
            found[trend_id] = Series(
                trend_id, primary.source, _points(document), document["version"]
            )
        return [found.get(trend_id) for trend_id in trend_ids]

    async def _keys(self, trend_id: ObjectId) -> dict[SignalKey, Document]:
        cursor = self._collection.find({"trendId": trend_id}, KEY_PROJECTION)
        return {SignalKey(d["source"], d["region"]): d async for d in cursor}

    async def append(
        self,
        trend_id: str,
        points: Sequence[SeriesPoint],
        source: str | None = None,
        *,
        region: str | None = None,
        unit: SignalUnit | None = None,
    ) -> AppendResult:
        """Merge ``points`` (checked by :func:`app.domain.series.check_points`) into a signal.

        The signal is ``source`` in ``region``; with neither given, the trend's primary
        signal (``search-interest`` in ``WORLD`` for a trend without signals); a missing one
        defaults to ``search-interest`` and ``WORLD``. ``unit`` defaults to the stored
        signal's (``INDEX`` for a new one) and must match it. A point replaces a stored one
        of the same date. Raises :class:`WriteError` before any write.
        """
        object_id = ObjectId(trend_id)
        for _ in range(MAX_APPEND_ATTEMPTS):
            keys = await self._keys(object_id)
            key = _wanted_key(keys, source, region)
            stored_document = (
                await self._collection.find_one({"trendId": object_id, **_key_filter(key)})
                if key in keys
                else None
            )
            stored = read_signal(stored_document) if stored_document else None
            if stored is not None and unit is not None and unit is not stored.unit:
                raise WriteError.single(
                    ErrorCode.UNIT_MISMATCH,
                    f"the {key.source} signal in {key.region} holds {stored.unit} values; one "
                    f"signal has one unit (give {unit} values another source or region)",
                    "unit",
                )
            wanted_unit = stored.unit if stored else unit or DEFAULT_UNIT
            merged = merge_points(stored.points or () if stored else (), points)
            if len(merged) > MAX_POINTS_PER_SERIES:
                raise WriteError.single(
                    ErrorCode.SERIES_FULL,
                    f"a series holds at most {MAX_POINTS_PER_SERIES} points; "
                    f"this append would make {len(merged)}",
                    "points",
                )
            _growth_of(merged)  # before any write: values the maths cannot take refuse
            version = stored.version + 1 if stored else 1
            document = series_document(
                key.source, merged, version, region=key.region, unit=wanted_unit
            )
            previous_primary = primary_key(keys)
            primary = primary_key([*keys, key])
            document["trendId"] = object_id
            document["primary"] = key == primary
            if stored_document is None:
                signal_id = ObjectId()
                try:
                    await self._collection.insert_one({"_id": signal_id, **document})
                except DuplicateKeyError:  # another append created it first: merge again
                    continue
            else:
                signal_id = stored_document["_id"]
                replaced = await self._collection.replace_one(
                    {"_id": signal_id, "version": stored_document["version"]}, document
                )
                if replaced.matched_count == 0:  # another append won the race: merge again
                    continue
            signal = read_signal({"_id": signal_id, **document})
            keys[key] = document
            growth = list(signal.growth)
            if key == primary and previous_primary not in (None, key):
                await self._collection.update_many(
                    {"trendId": object_id, "primary": True, "_id": {"$ne": signal_id}},
                    {"$set": {"primary": False}},
                )
            await update_trend(self._database, object_id, keys, signal, document)
            return AppendResult(Series(trend_id, key.source, merged, version), growth, signal)
        raise WriteError.single(
            ErrorCode.CONFLICT, "the series kept changing under this append; try again", "points"
        )


def _key_filter(key: SignalKey) -> Document:
    return {"source": key.source, "region": key.region}


def _wanted_key(
    keys: dict[SignalKey, Document], source: str | None, region: str | None
) -> SignalKey:
    if source is None and region is None:
        return primary_key(keys) or SignalKey(DEFAULT_SOURCE, WORLD)
    return SignalKey(source or DEFAULT_SOURCE, region or WORLD)
