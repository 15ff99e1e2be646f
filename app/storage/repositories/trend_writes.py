"""Writing one trend: create, update and delete with optimistic concurrency.

Concurrency rests on two things the database does atomically: the unique index on
``slug`` (two writers inserting one slug: one gets ``DuplicateKeyError``) and conditional
updates (``{_id, version: expected}`` matches only while nobody else has written). The batched
upsert is :mod:`app.storage.repositories.trend_upserts`; what both store is built in
:mod:`app.storage.repositories.trend_content`.
"""

from __future__ import annotations

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from app.domain.errors import (
    DuplicateSlugError,
    ErrorCode,
    FieldError,
    NotFoundError,
    VersionConflictError,
    WriteError,
)
from app.domain.models import Trend, TrendSpec
from app.storage.database import Database, Document
from app.storage.repositories.trend_content import (
    content_for,
    new_trend_document,
    trend_content,
    unknown_category,
    unknown_related,
)
from app.storage.repositories.trend_upserts import TrendUpserter
from app.storage.repositories.writes import now, unchanged


class TrendWriter(TrendUpserter):
    """Every write to the ``trends`` collection goes through here: the single-trend writes
    below, and the batched :meth:`~TrendUpserter.upsert` they inherit."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self._series = database.trend_series

    async def create(self, spec: TrendSpec) -> Trend:
        """Store a new trend; :class:`WriteError` (nothing written) when it cannot be."""
        related_ids = await self._check_references(spec)
        moment = now()
        document = new_trend_document(spec, ObjectId(), related_ids, moment)
        try:
            await self._trends.insert_one(document)
        except DuplicateKeyError:
            raise DuplicateSlugError("trend", spec.slug, "input", "slug") from None
        return Trend.model_validate(document)

    async def update(self, slug: str, spec: TrendSpec, *, expected_version: int) -> Trend:
        """Replace the content of trend ``slug`` with ``spec`` if it is at ``expected_version``.

        ``spec.slug`` may differ from ``slug`` (a rename). Content equal to what is stored
        changes nothing, not even ``updatedAt`` or ``version``.
        """
        stored = await self._trends.find_one({"slug": slug})
        if stored is None:
            raise NotFoundError("trend", slug)
        _check_version(stored, expected_version)
        related_ids = await self._check_references(spec, own_id=stored["_id"])
        content = content_for(stored, trend_content(spec, related_ids), spec)
        if unchanged(stored, content):
            return Trend.model_validate(stored)
        try:
            updated = await self._trends.find_one_and_update(
                {"_id": stored["_id"], "version": expected_version},
                {"$set": {**content, "updatedAt": now()}, "$inc": {"version": 1}},
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            raise DuplicateSlugError("trend", spec.slug, "input", "slug") from None
        if updated is None:  # another writer got there between our read and our write
            await self._raise_lost_race(stored["_id"], slug, expected_version)
        return Trend.model_validate(updated)

    async def delete(self, slug: str, *, expected_version: int) -> Trend:
        """Delete trend ``slug`` if it is at ``expected_version``; returns it as it was.

        Its series is deleted too. Other trends that listed it as related stop doing so (a
        change: their version grows).
        """
        stored = await self._trends.find_one({"slug": slug})
        if stored is None:
            raise NotFoundError("trend", slug)
        _check_version(stored, expected_version)
        result = await self._trends.delete_one({"_id": stored["_id"], "version": expected_version})
        if result.deleted_count == 0:
            await self._raise_lost_race(stored["_id"], slug, expected_version)
        await self._series.delete_many({"trendId": stored["_id"]})  # its signals go with it
        await self._trends.update_many(
            {"related": stored["_id"]},
            {
                "$pull": {"related": stored["_id"]},
                "$set": {"updatedAt": now()},
                "$inc": {"version": 1},
            },
        )
        return Trend.model_validate(stored)

    async def _raise_lost_race(self, trend_id: ObjectId, slug: str, expected: int) -> None:
        current = await self._trends.find_one({"_id": trend_id}, {"version": 1})
        if current is None:
            raise NotFoundError("trend", slug)
        raise VersionConflictError(expected, current["version"])

    async def _check_references(
        self, spec: TrendSpec, *, own_id: ObjectId | None = None
    ) -> list[ObjectId]:
        """The ids of ``spec.related``; :class:`WriteError` for unknown category or trends."""
        errors: list[FieldError] = []
        if spec.category is not None and not await self._categories.find_one(
            {"slug": spec.category}, {"_id": 1}
        ):
            errors.append(unknown_category(spec.category).under("input"))
        ids = {
            document["slug"]: document["_id"]
            async for document in self._trends.find(
                {"slug": {"$in": list(spec.related)}}, {"slug": 1}
            )
        }
        unknown = unknown_related(spec, ids)
        if unknown is not None:
            errors.append(unknown.under("input"))
        elif own_id is not None and own_id in ids.values():
            position = [ids[slug] for slug in spec.related].index(own_id)
            errors.append(
                FieldError(
                    ("input", "related", str(position)),
                    "a trend cannot be related to itself",
                    ErrorCode.INVALID_INPUT,
                )
            )
        if errors:
            raise WriteError(errors)
        return [ids[slug] for slug in spec.related]


def _check_version(stored: Document, expected: int) -> None:
    if stored["version"] != expected:
        raise VersionConflictError(expected, stored["version"])
