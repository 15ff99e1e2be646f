"""The batched trend upsert: insert or update many trends by slug, one result per item.

Each batch is validated up front (duplicate slugs, unknown categories, related slugs that are
neither stored nor written by the batch), then written in as few round trips as the server
allows: one unordered ``insert_many`` for new slugs, one ``bulk_write`` of conditional updates
for changed ones. An item that loses a race to another writer is retried alone. The single
trend create, update and delete are :class:`app.storage.repositories.trend_writes.TrendWriter`'s,
which inherits this path.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bson import ObjectId
from pymongo import ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, ConnectionFailure, OperationFailure
from pymongo.results import BulkWriteResult

from app.domain.errors import ErrorCode, FieldError
from app.domain.models import TrendSpec
from app.storage.database import Database, Document, find_in
from app.storage.repositories.trend_content import (
    cleared_fields,
    content_for,
    new_trend_document,
    trend_content,
    unknown_category,
    unknown_related,
)
from app.storage.repositories.writes import (
    MAX_ATTEMPTS,
    ItemResult,
    Outcome,
    now,
    same,
    unchanged,
)

logger = logging.getLogger(__name__)

TrendResult = ItemResult[Document]
"""A bulk upsert item's outcome, with the trend as stored (a raw document: callers that
show it validate it, so a bulk load that does not ask for it does not pay for that)."""
DUPLICATE_KEY = 11000


class TrendUpserter:
    """Bulk upserts of trends (:class:`~app.storage.repositories.trend_writes.TrendWriter`
    is one, with the single-trend writes besides)."""

    def __init__(self, database: Database) -> None:
        self._trends = database.trends
        self._categories = database.categories

    async def upsert(self, specs: Sequence[TrendSpec]) -> list[TrendResult]:
        """Insert or update each trend by slug; one result per spec, in order.

        Valid items are written even when others fail. Related slugs may name trends of
        the same batch. An item equal to what is stored is ``UNCHANGED`` (``updatedAt`` and
        ``version`` stay). Safe to run concurrently with itself and to retry.
        """
        results: dict[int, TrendResult] = {}
        positions: dict[str, list[int]] = {}
        for index, spec in enumerate(specs):
            positions.setdefault(spec.slug, []).append(index)
        for slug, indexes in positions.items():
            if len(indexes) > 1:
                message = f"slug {slug!r} appears more than once in this batch (items {indexes})"
                for index in indexes:
                    results[index] = _failed(
                        index, slug, FieldError(("slug",), message, ErrorCode.DUPLICATE_SLUG)
                    )

        def pending() -> list[int]:
            return [index for index in range(len(specs)) if index not in results]

        wanted_categories = {specs[i].category for i in pending() if specs[i].category}
        known_categories = {
            document["slug"]
            async for document in self._categories.find(
                {"slug": {"$in": sorted(c for c in wanted_categories if c)}}, {"slug": 1}
            )
        }
        for index in pending():
            category = specs[index].category
            if category is not None and category not in known_categories:
                results[index] = _failed(index, specs[index].slug, unknown_category(category))

        # Whole documents of the items' own slugs (to compare), only ids of what they point
        # at: both lookups at once.
        batch_slugs = {spec.slug for spec in specs}
        pointed_at = {slug for spec in specs for slug in spec.related} - batch_slugs
        own, others = await asyncio.gather(
            find_in(self._trends, "slug", sorted(batch_slugs)),
            find_in(self._trends, "slug", sorted(pointed_at), {"slug": 1}),
        )
        stored = {document["slug"]: document for document in [*own, *others]}
        # An item may only point at stored trends or at items of this batch that will be
        # written; failing one item can strand another, so repeat until nothing changes.
        while True:
            writable = set(stored) | {specs[index].slug for index in pending()}
            stranded = [
                (index, error)
                for index in pending()
                if (error := unknown_related(specs[index], writable)) is not None
            ]
            if not stranded:
                break
            for index, error in stranded:
                results[index] = _failed(index, specs[index].slug, error)

        ids = {slug: document["_id"] for slug, document in stored.items()}
        for index in pending():
            ids.setdefault(specs[index].slug, ObjectId())
        await self._insert_new(specs, pending(), stored, ids, results)
        await self._update_changed(specs, pending(), stored, ids, results)
        return [results[index] for index in range(len(specs))]

    async def _update_changed(
        self,
        specs: Sequence[TrendSpec],
        indexes: list[int],
        stored: dict[str, Document],
        ids: dict[str, ObjectId],
        results: dict[int, TrendResult],
    ) -> None:
        """Bring the stored trends of ``indexes`` to their specs: one ``bulk_write`` of
        conditional updates (each on the version compared against) for the whole batch.

        An update that did not match (another writer got there first) is found by reading
        the batch back, and that item goes through :meth:`_update_one`, which re-reads and
        retries it alone.
        """
        # index: (compared, expected, what it clears)
        planned: dict[int, tuple[Document, Document, tuple[str, ...]]] = {}
        operations: list[UpdateOne] = []
        moment = now()
        for index in indexes:
            spec = specs[index]
            current = stored[spec.slug]
            given = trend_content(spec, [ids[s] for s in spec.related])
            content = content_for(current, given, spec)
            if unchanged(current, content):
                results[index] = ItemResult(index, spec.slug, Outcome.UNCHANGED, current)
                continue
            version = current["version"]
            expected = {**current, **content, "updatedAt": moment, "version": version + 1}
            planned[index] = (current, expected, cleared_fields(current, given))
            # Only what differs: the server then rewrites fewer index entries.
            changed = {
                key: value for key, value in content.items() if not same(current.get(key), value)
            }
            operations.append(
                UpdateOne(
                    {"_id": current["_id"], "version": version},
                    {"$set": {**changed, "updatedAt": moment}, "$inc": {"version": 1}},
                )
            )
        if not operations:
            return
        outcome = await self._bulk_write(operations)
        if outcome.matched_count == len(operations):
            for index, (_, expected, cleared) in planned.items():
                results[index] = ItemResult(
                    index, specs[index].slug, Outcome.UPDATED, expected, cleared=cleared
                )
            return
        # Some lost a race: those whose document is not what this write made go again.
        written = {
            document["_id"]: document
            for document in await find_in(
                self._trends, "_id", [compared["_id"] for compared, _, _ in planned.values()]
            )
        }
        for index, (compared, expected, cleared) in planned.items():
            now_stored = written.get(compared["_id"])
            if now_stored is not None and _made_by(now_stored, expected):
                results[index] = ItemResult(
                    index, specs[index].slug, Outcome.UPDATED, now_stored, cleared=cleared
                )
            else:
                if now_stored is not None:
                    stored[specs[index].slug] = now_stored
                results[index] = await self._update_one(index, specs[index], stored, ids)

    async def _insert_new(
        self,
        specs: Sequence[TrendSpec],
        indexes: list[int],
        stored: dict[str, Document],
        ids: dict[str, ObjectId],
        results: dict[int, TrendResult],
    ) -> None:
        """Insert the items whose slug is not stored.

        An item another writer inserted first (``DuplicateKeyError``) joins the updates, and
        related ids we had made up for its slug are replaced by the winner's id.
        """
        moment = now()
        documents = {
            index: new_trend_document(
                specs[index], ids[specs[index].slug], [ids[s] for s in specs[index].related], moment
            )
            for index in indexes
            if specs[index].slug not in stored
        }
        if documents:
            # One round trip for the whole batch; unordered, so one lost race (a duplicate
            # slug) does not stop the others.
            order = list(documents)
            try:
                await self._trends.insert_many([documents[i] for i in order], ordered=False)
            except BulkWriteError as error:
                for failure in error.details.get("writeErrors", []):
                    if failure.get("code") != DUPLICATE_KEY:
                        raise
                    del documents[order[failure["index"]]]
        lost = [specs[index].slug for index in indexes if specs[index].slug not in stored]
        inserted = {specs[index].slug for index in documents}
        lost = [slug for slug in lost if slug not in inserted]
        if lost:
            for document in await find_in(self._trends, "slug", lost):
                stored[document["slug"]] = document
                ids[document["slug"]] = document["_id"]
        for index, document in documents.items():
            related = [ids[slug] for slug in specs[index].related]
            if related != document["related"]:  # pointed at an id another writer's insert beat
                await self._trends.update_one(
                    {"_id": document["_id"], "version": 1}, {"$set": {"related": related}}
                )
                document["related"] = related
            results[index] = ItemResult(index, specs[index].slug, Outcome.INSERTED, document)

    async def _bulk_write(self, operations: list[UpdateOne]) -> BulkWriteResult:
        """The updates in one transaction where the server has them (one commit instead of
        one per document: twice as fast on the embedded server, which syncs every commit);
        as a plain unordered ``bulk_write`` where it has not (a standalone mongod) or when
        the transaction fails (a write conflict with another writer: each update is
        conditional on its version anyway, so the plain write decides item by item)."""
        try:
            client = self._trends.database.client
            async with client.start_session() as session, await session.start_transaction():
                return await self._trends.bulk_write(operations, ordered=False, session=session)
        except ConnectionFailure:
            raise
        except OperationFailure as error:
            logger.debug("bulk update without a transaction: %s", error)
        return await self._trends.bulk_write(operations, ordered=False)

    async def _update_one(
        self, index: int, spec: TrendSpec, stored: dict[str, Document], ids: dict[str, ObjectId]
    ) -> TrendResult:
        """Bring one stored trend to ``spec``.

        The update is conditional on the version we compared against, so two writers
        storing the same content bump the version once. A writer that keeps losing that
        race re-reads each time; after :data:`MAX_ATTEMPTS` it writes unconditionally (last
        writer wins, as for any upsert) so that it always finishes.
        """
        current: Document | None = stored.get(spec.slug)
        given = trend_content(spec, [ids[slug] for slug in spec.related])
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if current is None:
                break
            content = content_for(current, given, spec)
            if unchanged(current, content):
                return ItemResult(index, spec.slug, Outcome.UNCHANGED, current)
            condition = {"_id": current["_id"]}
            if attempt < MAX_ATTEMPTS:
                condition["version"] = current["version"]
            updated = await self._trends.find_one_and_update(
                condition,
                {"$set": {**content, "updatedAt": now()}, "$inc": {"version": 1}},
                return_document=ReturnDocument.AFTER,
            )
            if updated is not None:
                cleared = cleared_fields(current, given)
                return ItemResult(index, spec.slug, Outcome.UPDATED, updated, cleared=cleared)
            current = await self._trends.find_one({"_id": current["_id"]})
        message = "the trend was deleted while being written; retry the item"
        return _failed(index, spec.slug, FieldError(None, message, ErrorCode.NOT_FOUND))


def _made_by(document: Document, expected: Document) -> bool:
    """``document`` is what an update expecting ``expected`` wrote (or the same content with
    the same version from another writer: the outcome the caller wanted, bumped once)."""
    return document["version"] == expected["version"] and unchanged(
        document, {key: value for key, value in expected.items() if key != "updatedAt"}
    )


def _failed(index: int, slug: str, *errors: FieldError) -> TrendResult:
    return ItemResult(index, slug, Outcome.FAILED, errors=errors)
