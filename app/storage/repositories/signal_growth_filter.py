"""Filtering trends by one signal's growth (``filter: {signal: {source, region, growth}}``).

A signal's growth lives on the signal (``trend_series``), not on the trend document, so the
filter is a join. The signals matching the range are read first, on the index ``(source,
region, growth.<window>.percent, _id)`` that signal orders use: their trend ids only, in one
reply (:func:`matching_trend_ids`). Then:

- few of them (at most :data:`MAX_IDS_IN_QUERY`): the trend query gains ``_id: {$in: ids}``
  in place of its condition on ``signalKeys`` (the ids imply it; alone, the condition on
  ids is what the embedded server reads from an index) and pages, orders and counts as
  any other filter (the embedded server's ``$in`` grows with the square of the list, so
  the list stays short);
- more: the trend query runs as it is, in its order, reading only ids and sort values
  (on the order's index, narrowed by ``signalKeys``), the matching ones are kept in Python,
  and the page's documents are read by id (:func:`read_ordered_within`);
  ``totalCount`` intersects the same way (:func:`count_within`).

A list ordered by the same signal needs none of this: the range joins the scan of the
signals in order (:mod:`app.storage.repositories.signal_pages`). A list ordered by another
signal drops the signals of other trends from its scan.

Round trips: one more than the same page without the range, two more for a long list of
matches in a trend order; never more with the page size.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection

from app.domain.pagination import SortKey
from app.storage.database import IN_CHUNK, Database, Document, find_in

MAX_IDS_IN_QUERY = IN_CHUNK
"""The longest list of matching trend ids a trend query carries as ``_id: {$in: ...}``."""
ONE_REPLY = 1_000_000
"""A batch size no list of ids reaches: everything in the first reply, no ``getMore``
(a reply holds 16 MB, some 300,000 ids with their sort values)."""


def fits_in_query(trend_ids: Set[ObjectId]) -> bool:
    """Whether a query may carry ``trend_ids`` as an ``$in`` list."""
    return len(trend_ids) <= MAX_IDS_IN_QUERY


async def matching_trend_ids(database: Database, signal_query: Document) -> set[ObjectId]:
    """The ids of the trends whose signal matches ``signal_query`` (one find, indexed)."""
    cursor = database.trend_series.find(signal_query, {"_id": 0, "trendId": 1})
    return {signal["trendId"] for signal in await cursor.batch_size(ONE_REPLY).to_list()}


def within(query: Document, trend_ids: Set[ObjectId]) -> Document:
    """``query`` (a trend filter: no condition on ``_id``) restricted to ``trend_ids`` (a
    short list: see :data:`MAX_IDS_IN_QUERY`)."""
    return {**query, "_id": {"$in": sorted(trend_ids)}}


async def read_ordered_within(
    collection: AsyncCollection[Document],
    query: Document,
    projection: Mapping[str, Any] | None,
    scan: SortKey,
    limit: int,
    trend_ids: Set[ObjectId],
) -> list[Document]:
    """The first ``limit`` documents matching ``query`` in ``scan``'s order whose id is one
    of ``trend_ids``: the order's ids and values first, then those documents by id."""
    ordered = (
        await collection.find(query, {"_id": 1, scan.path: 1})
        .sort(scan.mongo_sort())
        .batch_size(ONE_REPLY)
        .to_list()
    )
    wanted = [document["_id"] for document in ordered if document["_id"] in trend_ids][:limit]
    found = {
        document["_id"]: document
        for document in await find_in(collection, "_id", wanted, projection, per_value=1)
    }  # no other condition: the embedded server reads these by id, not the collection
    # A trend deleted between the two reads is left out.
    return [found[trend_id] for trend_id in wanted if trend_id in found]


async def count_within(
    collection: AsyncCollection[Document], query: Document, trend_ids: Set[ObjectId]
) -> int:
    """How many documents match ``query`` and have one of ``trend_ids`` as id (a long
    list: a short one goes into the query, :func:`within`)."""
    matching = await collection.find(query, {"_id": 1}).batch_size(ONE_REPLY).to_list()
    return sum(1 for document in matching if document["_id"] in trend_ids)
