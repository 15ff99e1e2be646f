"""Pages of trends ordered by one of their signals (``orderBy: {source:, region:}``).

The order is read from the signals themselves: ``trend_series`` is scanned on the index
``(source, region, <value>, _id)`` (the value: a window's growth, or the latest count for
VOLUME, COUNT signals only), and the trends of each scanned batch are read by id with the
page's filter; batches grow until the page is full or the signals run out. A trend without
that signal is not in such a list (the page's filter says so to ``totalCount`` too). Cursors
hold the signal's value and the signal document's id, so ties page stably.

A filter on another signal's growth passes the trends it lets through (``trend_ids``):
signals of other trends are left out of the scan when the list is short, else dropped
before their trends are read (:mod:`app.storage.repositories.signal_growth_filter`).

Round trips: two per batch. With no trend-level filter (or one most trends pass) that is
two; a filter that few of the ordered trends pass costs more batches, each twice as large.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from bson import ObjectId

from app.domain.pagination import (
    Position,
    SortKey,
    after,
    decode_cursor,
    stored_position,
)
from app.domain.signals import SignalUnit
from app.storage.database import Database, Document, find_in
from app.storage.repositories.signal_growth_filter import fits_in_query

FIRST_BATCH_FACTOR = 2
"""The first batch scans twice the page, so a filter half the trends pass needs one."""
MAX_BATCH = 2_000


def signal_sort_path(field: str, window: str) -> str:
    """Where a signal document keeps the value a signal order sorts by."""
    return "latest.value" if field == "VOLUME" else f"growth.{window}.percent"


async def signal_ordered_page(
    database: Database,
    *,
    signal_filter: Document,
    trend_ids: Set[ObjectId] | None = None,
    sort: SortKey,
    trend_query: Document,
    projection: Mapping[str, Any] | None,
    limit: int,
    backwards: bool,
    after_cursor: str | None,
    before_cursor: str | None,
) -> tuple[list[Document], list[Position], bool]:
    """Up to ``limit + 1`` trend documents in ``sort``'s order of their signal matching
    ``signal_filter``, the positions of the first ``limit`` (of their signals), and whether
    there were more. ``trend_ids``: only the signals of these trends (those a filter on
    another signal's growth lets through), when given."""
    scanned = dict(signal_filter)
    if trend_ids is not None and fits_in_query(trend_ids):
        scanned["trendId"] = {"$in": sorted(trend_ids)}
    conditions = [scanned]
    if after_cursor is not None:
        conditions.append(after(sort, decode_cursor(sort, after_cursor)))
    if before_cursor is not None:
        conditions.append(after(sort.reversed(), decode_cursor(sort, before_cursor)))
    scan = sort.reversed() if backwards else sort
    found: list[tuple[Document, Position]] = []
    batch = max(1, (limit + 1) * FIRST_BATCH_FACTOR)
    last_position: Position | None = None
    while len(found) <= limit:
        query = list(conditions)
        if last_position is not None:
            query.append(after(scan, last_position))
        # One condition stays bare: the embedded server plans no index for an ``$and``.
        scan_filter = query[0] if len(query) == 1 else {"$and": query}
        signals = (
            await database.trend_series.find(scan_filter, {"trendId": 1, sort.path: 1})
            .sort(scan.mongo_sort())
            .limit(batch)
            .to_list()
        )
        if not signals:
            break
        last_position = stored_position(scan, signals[-1])
        ids = [
            signal["trendId"]
            for signal in signals
            if trend_ids is None or signal["trendId"] in trend_ids
        ]
        trends = {
            document["_id"]: document
            for document in await find_in(
                database.trends,
                "_id",
                ids,
                projection,
                per_value=1,
                extra=trend_query or None,  # none: the embedded server reads them by id
            )
        }
        for signal in signals:
            trend = trends.get(signal["trendId"])
            if trend is not None:
                found.append((trend, stored_position(sort, signal)))
        if len(signals) < batch:
            break
        batch = min(batch * 2, MAX_BATCH)
    has_more = len(found) > limit
    found = found[:limit]
    if backwards:
        found.reverse()
    return [trend for trend, _ in found], [position for _, position in found], has_more


def signal_filter(source: str, region: str, field: str) -> Document:
    query: Document = {"source": source, "region": region}
    if field == "VOLUME":
        query["unit"] = SignalUnit.COUNT.value
    return query
