"""Reading trends: by id, by slug or alias, and filtered, ordered pages with their cursors.

What a list asks for (:class:`TrendFilter`, :class:`TrendOrder`) is built into Mongo filters
and sort keys in :mod:`app.storage.repositories.trend_queries`; writes are
:mod:`app.storage.repositories.trend_writes`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from app.domain.models import Trend
from app.domain.pagination import (
    Position,
    SortKey,
    after,
    decode_cursor,
    encode_cursor,
    stored_position,
)
from app.storage.database import Database, Document, find_in
from app.storage.repositories.signal_growth_filter import (
    count_within,
    fits_in_query,
    matching_trend_ids,
    read_ordered_within,
    within,
)
from app.storage.repositories.signal_pages import signal_filter, signal_ordered_page
from app.storage.repositories.stored import StoredDocumentError, reader
from app.storage.repositories.trend_queries import TrendFilter, TrendOrder

WITHOUT_ANALYSES: Mapping[str, Any] = {"analyses": 0, "searchTerms": 0, "searchCanons": 0}
"""For lists: the analyses and the search keys are the bulk of a trend document."""
WITHOUT_SEARCH_KEYS: Mapping[str, Any] = {"searchTerms": 0, "searchCanons": 0}
"""Everything the model reads: the search keys are for the database's indexes only."""
TrendFields = frozenset[str]
"""Names of :class:`Trend` fields a read must fill; the others keep their defaults (so a
caller must not read them). The fields without a default are always read."""
_REQUIRED = frozenset(name for name, field in Trend.model_fields.items() if field.is_required())


@functools.lru_cache(maxsize=512)
def trend_projection(fields: TrendFields) -> Mapping[str, Any]:
    """The projection reading ``fields`` of a trend (and those the model cannot do without)."""
    unknown = fields - Trend.model_fields.keys()
    if unknown:
        raise ValueError(f"not fields of a trend: {', '.join(sorted(unknown))}")
    return {Trend.model_fields[name].alias or name: 1 for name in sorted(fields | _REQUIRED)}


def _projection(fields: TrendFields | None, with_analyses: bool) -> Mapping[str, Any]:
    if fields is not None:
        return trend_projection(fields)
    return WITHOUT_SEARCH_KEYS if with_analyses else WITHOUT_ANALYSES


def _with_path(projection: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    """``projection`` reading ``path`` too, unless it already does (MongoDB refuses a
    projection naming both a field and a field inside it)."""
    if next(iter(projection.values()), 1) == 0:  # an exclusion: reads the path already
        return projection
    if any(path == name or path.startswith(name + ".") for name in projection):
        return projection
    return {**projection, path: 1}


TrendOrError = Trend | StoredDocumentError
"""What a batched read gives for one key: the trend, or why its document cannot be read."""
read_trend = reader("trends", Trend)
"""A stored trend document as the model, or the error saying why it cannot be read."""


@dataclass(slots=True)
class TrendPage:
    """One page of an ordered, filtered list, with what is needed to build its cursors."""

    trends: list[TrendOrError]
    """In order; a document the model cannot read is its error, in its place."""
    positions: list[Position]
    """Where each trend stands in ``sort``: its cursor, not yet encoded."""
    sort: SortKey
    has_next_page: bool
    has_previous_page: bool

    def cursor(self, index: int) -> str:
        """The cursor of the trend at ``index`` (encoded only when a client selects it)."""
        return encode_cursor(self.sort, self.positions[index])


def parse_object_id(value: str) -> ObjectId | None:
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        return None


class TrendRepository:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._collection = database.trends

    async def by_ids(
        self,
        ids: Sequence[str],
        *,
        with_analyses: bool = True,
        fields: TrendFields | None = None,
    ) -> list[TrendOrError | None]:
        """Trends by id, in the order asked; ``None`` for unknown or malformed ids.

        ``fields``: only these are read (see :data:`TrendFields`); else all but the
        analyses when not ``with_analyses``."""
        object_ids = {object_id for object_id in map(parse_object_id, ids) if object_id}
        projection = _projection(fields, with_analyses)
        found = {
            str(document["_id"]): read_trend(document)
            async for document in self._collection.find(
                {"_id": {"$in": list(object_ids)}}, projection
            ).batch_size(len(object_ids) + 1)  # one reply: no getMore past 101 trends
        }
        return [found.get(trend_id) for trend_id in ids]

    async def by_slugs(
        self,
        slugs: Sequence[str],
        *,
        with_analyses: bool = True,
        fields: TrendFields | None = None,
    ) -> list[TrendOrError | None]:
        """Trends by slug, or by an alias when no trend has that slug, in the order asked.

        Slugs first, then aliases for the slugs not found: two indexed equality lookups
        (the second only on a miss) rather than one ``$or``, which the embedded server
        answers with a full collection scan. ``fields`` as for :meth:`by_ids`.
        """
        projection = _projection(fields, with_analyses)
        by_slug = {
            document["slug"]: read_trend(document)
            for document in await find_in(self._collection, "slug", slugs, projection)
        }
        missing = [slug for slug in dict.fromkeys(slugs) if slug not in by_slug]
        by_alias: dict[str, TrendOrError] = {}
        if missing:
            wanted = set(missing)
            alias_projection = _with_path(projection, "aliasSlugs")  # to match them below
            for document in await find_in(
                self._collection, "aliasSlugs", missing, alias_projection
            ):
                trend = read_trend(document)
                for alias_slug in document.get("aliasSlugs", ()):
                    if alias_slug in wanted:
                        by_alias.setdefault(alias_slug, trend)
        return [by_slug.get(slug) or by_alias.get(slug) for slug in slugs]

    async def page(
        self,
        trend_filter: TrendFilter,
        order: TrendOrder,
        *,
        first: int | None = None,
        after_cursor: str | None = None,
        last: int | None = None,
        before_cursor: str | None = None,
        with_analyses: bool = True,
        fields: TrendFields | None = None,
    ) -> TrendPage:
        """At most ``first`` trends after ``after_cursor`` (or ``last`` before ``before_cursor``).

        ``fields`` as for :meth:`by_ids` (the order's own field is always read).

        Raises :class:`app.domain.pagination.InvalidCursorError` for a cursor we did not issue.
        """
        sort = order.sort_key()
        backwards = last is not None
        limit = last if backwards else first
        assert limit is not None
        if order.by_signal:
            return await self._signal_ordered_page(
                trend_filter, order, sort, limit, backwards, after_cursor, before_cursor,
                with_analyses,
            )  # fmt: skip
        trend_query = trend_filter.to_mongo()
        only: set[ObjectId] | None = None  # what a signal growth range lets through, if long
        by_id = False  # the query names its trends: a short list of ids
        signal_query = trend_filter.signal_growth_query()
        if signal_query is not None:
            trend_ids = await matching_trend_ids(self._database, signal_query)
            if fits_in_query(trend_ids):
                trend_query = within(trend_filter.checked_by_signals().to_mongo(), trend_ids)
                by_id = True
            else:
                only = trend_ids
        conditions = [trend_query]
        if after_cursor is not None:
            conditions.append(after(sort, decode_cursor(sort, after_cursor)))
        if before_cursor is not None:
            conditions.append(after(sort.reversed(), decode_cursor(sort, before_cursor)))
        query = {"$and": conditions} if len(conditions) > 1 else conditions[0]
        scan = sort.reversed() if backwards else sort
        if fields is not None:
            fields |= {order.model_field}
        # The stored sort value too: the position of a document the model cannot read.
        projection = _with_path(_projection(fields, with_analyses), sort.path)
        if only is not None:
            documents = await read_ordered_within(
                self._collection, query, projection, scan, limit + 1, only
            )
        elif by_id:  # no learned bound: a second condition would cost more than it saves
            documents = await self._read(query, projection, scan, limit + 1)
        elif len(conditions) == 1 and scan.direction == -1:  # a first page, descending
            documents = await self._first_page(scan, query, projection, limit + 1)
        else:
            documents = await self._read(query, projection, scan, limit + 1)
        has_more = len(documents) > limit
        documents = documents[:limit]
        if backwards:
            documents.reverse()
        trends: list[TrendOrError] = []
        positions: list[Position] = []
        for document in documents:
            trend = read_trend(document)
            if isinstance(trend, Trend):
                position = Position(order.value_of(trend), document["_id"])
            else:  # its place in the order, read from the document itself
                position = stored_position(sort, document)
            trends.append(trend)
            positions.append(position)
        return TrendPage(
            trends=trends,
            positions=positions,
            sort=sort,
            # Without a second query we only know there is something beyond the cursor
            # we were given (the Relay spec allows this).
            has_next_page=has_more if not backwards else before_cursor is not None,
            has_previous_page=has_more if backwards else after_cursor is not None,
        )

    async def _read(
        self, query: Document, projection: Mapping[str, Any] | None, sort: SortKey, limit: int
    ) -> list[Document]:
        cursor = self._collection.find(query, projection).sort(sort.mongo_sort()).limit(limit)
        documents: list[Document] = await cursor.to_list()
        return documents

    async def _first_page(
        self, sort: SortKey, query: Document, projection: Mapping[str, Any] | None, limit: int
    ) -> list[Document]:
        """The first ``limit`` documents in ``sort``'s (descending) order, read within a
        learned bound on the sort value when one reaches that far (see
        :mod:`app.storage.sort_bounds`), else plainly."""
        bounds = self._database.sort_bounds
        key = f"{sort.path}:{sort.direction}|{query!r}"
        bounded = bounds.bounded_query(key, sort.path, query, limit)
        if bounded is not None:
            documents = await self._read(bounded, projection, sort, limit)
            if len(documents) == limit:
                bounds.count("bounded")
                bounds.learn(key, stored_position(sort, documents[-1]).value, limit, bounded=True)
                return documents
            bounds.count("fallback")  # fewer trends reach the bound now: read plainly
        else:
            bounds.count("unbounded")
        documents = await self._read(query, projection, sort, limit)
        if documents:
            value = stored_position(sort, documents[-1]).value
            bounds.learn(key, value, len(documents), bounded=False)
        return documents

    async def _signal_ordered_page(
        self,
        trend_filter: TrendFilter,
        order: TrendOrder,
        sort: SortKey,
        limit: int,
        backwards: bool,
        after_cursor: str | None,
        before_cursor: str | None,
        with_analyses: bool,
    ) -> TrendPage:
        assert order.source is not None and order.region is not None
        scan_filter = signal_filter(order.source, order.region, order.field.value)
        trend_ids: set[ObjectId] | None = None
        signal_query = trend_filter.signal_growth_query()
        same_signal = (order.source, order.region) == (
            trend_filter.signal_source,
            trend_filter.signal_region,
        )
        if signal_query is not None:
            if same_signal:
                scan_filter = {**scan_filter, **signal_query}  # the range joins the scan
            else:
                trend_ids = await matching_trend_ids(self._database, signal_query)
        # The trends read here have the order's signal and, with a range, the filter's:
        # conditions on signalKeys they all pass, left out (the embedded server reads
        # trends by id only when the id is all the filter names).
        implied = dataclasses.replace(trend_filter, ordered_signal_key=None)
        if signal_query is not None or same_signal:
            implied = implied.checked_by_signals()
        documents, positions, has_more = await signal_ordered_page(
            self._database,
            signal_filter=scan_filter,
            trend_ids=trend_ids,
            sort=sort,
            trend_query=implied.to_mongo(),
            projection=None if with_analyses else WITHOUT_ANALYSES,
            limit=limit,
            backwards=backwards,
            after_cursor=after_cursor,
            before_cursor=before_cursor,
        )
        return TrendPage(
            trends=[read_trend(document) for document in documents],
            positions=positions,
            sort=sort,
            has_next_page=has_more if not backwards else before_cursor is not None,
            has_previous_page=has_more if backwards else after_cursor is not None,
        )

    async def existing_slugs(self, slugs: Sequence[str]) -> set[str]:
        cursor = self._collection.find({"slug": {"$in": list(set(slugs))}}, {"slug": 1})
        return {document["slug"] async for document in cursor}

    async def count(self, trend_filter: TrendFilter) -> int:
        query = trend_filter.to_mongo()
        signal_query = trend_filter.signal_growth_query()
        if signal_query is None:
            return await self._collection.count_documents(query)
        trend_ids = await matching_trend_ids(self._database, signal_query)
        if fits_in_query(trend_ids):
            query = within(trend_filter.checked_by_signals().to_mongo(), trend_ids)
            return await self._collection.count_documents(query)
        return await count_within(self._collection, query, trend_ids)
