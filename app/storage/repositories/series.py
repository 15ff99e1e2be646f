"""Trend series: batched reads, and appends that recompute the trend's growth and status.

Storage: one ``trend_series`` document per trend, ``_id`` = the trend's ``_id``, holding
the whole series (``source``, ``points`` in date order, ``version``). Not one document per
point, nor per trend and year, because:

- every append recomputes growth up to five years back, so it reads the whole series
  anyway, and a chart reads one contiguous range: one document is one indexed ``_id``
  lookup for both, and a page of trends is one ``$in`` on ``_id``;
- bulk loads write one document per trend (10,000 trends: 10,000 series documents, not
  2.6 million points); the embedded server takes 10,000 trends with their series in
  under a minute (``python -m seeds.synthetic``);
- a series is capped at :data:`app.domain.series.MAX_POINTS_PER_SERIES` points (about 27 years
  of daily data, under 0.5 MB), far below MongoDB's 16 MB document limit.

Appends are optimistic: the series is replaced only if its ``version`` is still the one
read (retried otherwise), and the trend's computed growth is only overwritten by a newer
series version (``seriesVersion``), so concurrent appends never lose points or leave older
growth. Computed windows go to ``computedGrowth``; ``growth`` holds, per window, a reported
figure when the trend has one and the computed figure otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from app.domain.growth import compute_growth, merge_growth
from app.domain.models import GrowthMethod, GrowthWindow
from app.domain.series import (
    DEFAULT_SOURCE,
    MAX_POINTS_PER_SERIES,
    Series,
    SeriesPoint,
    merge_points,
    to_stored_date,
)
from app.domain.status import derive_status, status_fields
from app.storage.database import Database, Document
from app.storage.repositories.trends import parse_object_id

MAX_APPEND_ATTEMPTS = 5


class SeriesAppendError(ValueError):
    """An append that cannot be written as asked; nothing was written."""

    def __init__(self, field: str, message: str, code: str) -> None:
        self.field, self.code = field, code
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class AppendResult:
    series: Series
    growth: list[GrowthWindow]


def series_document(source: str, points: Sequence[SeriesPoint], version: int) -> Document:
    """The stored shape of a series (without its ``_id``)."""
    return {
        "source": source,
        "points": [{"date": to_stored_date(p.date), "value": float(p.value)} for p in points],
        "version": version,
        "updatedAt": datetime.now(UTC),
    }


def growth_document(growth: Sequence[GrowthWindow]) -> Document:
    """The stored shape of growth windows: one sub-document per window key."""
    return {window.window.value: window.model_dump(by_alias=True) for window in growth}


def _series(document: Document) -> Series:
    return Series(
        trend_id=str(document["_id"]),
        source=document["source"],
        points=tuple(
            SeriesPoint(point["date"].date(), point["value"]) for point in document["points"]
        ),
        version=document["version"],
    )


class SeriesRepository:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._collection = database.trend_series

    async def by_trend_ids(self, trend_ids: Sequence[str]) -> list[Series | None]:
        """Each trend's series, in the order asked; ``None`` where a trend has none."""
        object_ids = list({oid for oid in map(parse_object_id, trend_ids) if oid})
        found = {
            str(document["_id"]): _series(document)
            async for document in self._collection.find({"_id": {"$in": object_ids}}).batch_size(
                len(object_ids) + 1  # one reply, not 101 series and a getMore
            )
        }
        return [found.get(trend_id) for trend_id in trend_ids]

    async def append(
        self, trend_id: str, points: Sequence[SeriesPoint], source: str | None = None
    ) -> AppendResult:
        """Merge ``points`` (checked by :func:`app.domain.series.check_points`) into the series.

        A point replaces a stored one of the same date. ``source`` defaults to the stored
        series' source (``search-interest`` for a new series) and must match it. Recomputes
        the trend's growth and status. Raises :class:`SeriesAppendError` before any write.
        """
        object_id = ObjectId(trend_id)
        for _ in range(MAX_APPEND_ATTEMPTS):
            stored_document = await self._collection.find_one({"_id": object_id})
            stored = _series(stored_document) if stored_document else None
            stored_source = stored.source if stored else None
            wanted_source = source or stored_source or DEFAULT_SOURCE
            if stored_source is not None and wanted_source != stored_source:
                raise SeriesAppendError(
                    "source",
                    f"this series holds {stored_source!r} data; one series has one source",
                    "SOURCE_MISMATCH",
                )
            merged = merge_points(stored.points if stored else (), points)
            if len(merged) > MAX_POINTS_PER_SERIES:
                raise SeriesAppendError(
                    "points",
                    f"a series holds at most {MAX_POINTS_PER_SERIES} points; "
                    f"this append would make {len(merged)}",
                    "SERIES_FULL",
                )
            version = stored.version + 1 if stored else 1
            document = series_document(wanted_source, merged, version)
            if stored is None:
                try:
                    await self._collection.insert_one({"_id": object_id, **document})
                except DuplicateKeyError:  # another append created it first: merge again
                    continue
            else:
                replaced = await self._collection.replace_one(
                    {"_id": object_id, "version": stored.version}, document
                )
                if replaced.matched_count == 0:  # another append won the race: merge again
                    continue
            growth = await self._store_growth(object_id, compute_growth(merged), version)
            return AppendResult(Series(trend_id, wanted_source, merged, version), growth)
        raise SeriesAppendError(
            "points", "the series kept changing under this append; try again", "CONFLICT"
        )

    async def _store_growth(
        self, trend_id: ObjectId, computed: list[GrowthWindow], series_version: int
    ) -> list[GrowthWindow]:
        """Store ``computed`` as the trend's ``computedGrowth`` and merge it into its growth
        (reported windows win; see :func:`app.domain.growth.merge_growth`), with the status
        of the merged growth, unless a newer series version already did. Returns the merged
        growth."""
        trends = self._database.trends
        for attempt in range(1, MAX_APPEND_ATTEMPTS + 1):
            trend = await trends.find_one(
                {"_id": trend_id}, {"growth": 1, "version": 1, "seriesVersion": 1}
            )
            if trend is None or trend.get("seriesVersion", 0) >= series_version:
                return computed
            growth = merge_growth(reported_growth(trend), computed)
            update: dict[str, Any] = {
                "growth": growth_document(growth),
                "computedGrowth": growth_document(computed),
                **status_fields(derive_status(growth)),
                "seriesVersion": series_version,
                "updatedAt": datetime.now(UTC),
            }
            condition: dict[str, Any] = {
                "_id": trend_id,
                "$or": [
                    {"seriesVersion": {"$lt": series_version}},
                    {"seriesVersion": {"$exists": False}},
                ],
            }
            if attempt < MAX_APPEND_ATTEMPTS:  # a writer changing reported figures meanwhile
                condition["version"] = trend["version"]
            written = await trends.update_one(condition, {"$set": update, "$inc": {"version": 1}})
            if written.matched_count:
                return growth
        return computed


def reported_growth(trend: Document) -> list[GrowthWindow]:
    """The stored trend's growth windows a source reported (method ``REPORTED``)."""
    return [
        GrowthWindow.model_validate(window)
        for window in trend.get("growth", {}).values()
        if window.get("method") == GrowthMethod.REPORTED
    ]
