"""Writing trends: create, update and delete with optimistic concurrency, and bulk upserts.

Concurrency rests on two things the database does atomically: the unique index on
``slug`` (two writers inserting one slug: one gets ``DuplicateKeyError``) and conditional
updates (``{_id, version: expected}`` matches only while nobody else has written).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Container, Sequence
from datetime import datetime

from bson import ObjectId
from pymongo import ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, ConnectionFailure, DuplicateKeyError, OperationFailure
from pymongo.results import BulkWriteResult

from app.domain.errors import (
    DuplicateSlugError,
    ErrorCode,
    FieldError,
    NotFoundError,
    VersionConflictError,
    WriteError,
)
from app.domain.models import (
    GrowthMethod,
    GrowthWindow,
    GrowthWindowKey,
    Trend,
    TrendSpec,
    search_key,
    slugify,
)
from app.domain.search import search_fields
from app.domain.status import derive_status, status_fields
from app.storage.database import Database, Document, find_in
from app.storage.repositories.writes import (
    MAX_ATTEMPTS,
    ItemResult,
    Outcome,
    now,
    same,
    stored_form,
    unchanged,
)

logger = logging.getLogger(__name__)

TrendResult = ItemResult[Document]
"""A bulk upsert item's outcome, with the trend as stored (a raw document: callers that
show it validate it, so a bulk load that does not ask for it does not pay for that)."""
DUPLICATE_KEY = 11000


def trend_content(spec: TrendSpec, related_ids: Sequence[ObjectId]) -> Document:
    """The stored fields a spec determines (everything but ids, times and version)."""
    document: Document = stored_form(spec.model_dump(by_alias=True, exclude={"growth", "related"}))
    document["growth"] = {
        window.window.value: window.model_dump(by_alias=True) for window in spec.growth
    }
    document["related"] = list(related_ids)
    document["nameKey"] = search_key(spec.name)
    document["aliasSlugs"] = sorted({slugify(alias) for alias in spec.aliases} - {spec.slug})
    document.update(status_fields(spec.status or derive_status(spec.growth)))
    document.update(search_fields(spec.name, spec.aliases, spec.tags, spec.description))
    return document


def new_trend_document(
    spec: TrendSpec, trend_id: ObjectId, related_ids: list[ObjectId], moment: datetime
) -> Document:
    """The document a first insert of ``spec`` stores, for bulk loaders that build many
    documents in memory and insert them in batches."""
    return {
        "_id": trend_id,
        **trend_content(spec, related_ids),
        "createdAt": moment,
        "updatedAt": moment,
        "version": 1,
    }


def computed_growth_document(stored: Document) -> Document:
    """The stored trend's growth computed from its primary signal, by window (empty when it
    has none). Trends whose series was appended before ``computedGrowth`` was stored held
    only computed windows in ``growth``: those are taken as computed."""
    if "computedGrowth" in stored:
        computed: Document = stored["computedGrowth"] or {}
        return computed
    if "seriesVersion" not in stored:
        return {}
    return {
        key: window
        for key, window in (stored.get("growth") or {}).items()
        if window.get("method") != GrowthMethod.REPORTED
    }


def _content_for(stored: Document, content: Document, spec: TrendSpec) -> Document:
    """``content`` for ``stored``, which may have a primary signal: per window, the figure
    ``spec`` gives (REPORTED) wins and the computed figures fill the other windows, as
    :func:`app.domain.growth.merge_growth` does on appends; the status follows that growth
    unless ``spec`` gives one."""
    computed = computed_growth_document(stored)
    if not computed:
        return content
    given = content["growth"]
    growth = {
        key.value: given.get(key.value) or computed[key.value]
        for key in GrowthWindowKey
        if key.value in given or key.value in computed
    }
    merged = {**content, "growth": growth}
    if spec.status is None:
        windows = [GrowthWindow.model_validate(window) for window in growth.values()]
        merged.update(status_fields(derive_status(windows)))
    return merged


CLEARABLE = ("aliases", "description", "category", "tags", "related")
"""Top-level fields an input may leave out (growth and analyses are checked per part)."""


def cleared_fields(stored: Document, given: Document) -> tuple[str, ...]:
    """What writing ``given`` (a trend's content, before merging computed growth) over
    ``stored`` clears: fields and analyses the stored trend had and ``given`` leaves out,
    and reported growth windows it no longer gives (computed windows stay)."""
    cleared = [name for name in CLEARABLE if stored.get(name) and not given.get(name)]
    given_growth = given.get("growth") or {}
    cleared += [
        f"growth.{GrowthWindowKey(key).label}"
        for key, window in (stored.get("growth") or {}).items()
        if window.get("method") == GrowthMethod.REPORTED and key not in given_growth
    ]
    given_analyses = given.get("analyses") or {}
    cleared += [
        f"analyses.{name}"
        for name, analysis in (stored.get("analyses") or {}).items()
        if analysis and not given_analyses.get(name)
    ]
    return tuple(cleared)


def _unknown_related(spec: TrendSpec, known: Container[str]) -> FieldError | None:
    missing = [slug for slug in spec.related if slug not in known]
    if not missing:
        return None
    return FieldError(
        ("related", str(spec.related.index(missing[0]))),
        f"no trend has the slug {', '.join(map(repr, missing))}",
        ErrorCode.UNKNOWN_RELATED,
    )


def _unknown_category(category: str) -> FieldError:
    return FieldError(
        ("category",), f"no category has the slug {category!r}", ErrorCode.UNKNOWN_CATEGORY
    )


def _failed(index: int, slug: str, *errors: FieldError) -> TrendResult:
    return ItemResult(index, slug, Outcome.FAILED, errors=errors)


class TrendWriter:
    """Every write to the ``trends`` collection goes through here."""

    def __init__(self, database: Database) -> None:
        self._trends = database.trends
        self._categories = database.categories
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
        content = _content_for(stored, trend_content(spec, related_ids), spec)
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
            errors.append(_unknown_category(spec.category).under("input"))
        ids = {
            document["slug"]: document["_id"]
            async for document in self._trends.find(
                {"slug": {"$in": list(spec.related)}}, {"slug": 1}
            )
        }
        unknown = _unknown_related(spec, ids)
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
                results[index] = _failed(index, specs[index].slug, _unknown_category(category))

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
                if (error := _unknown_related(specs[index], writable)) is not None
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
            content = _content_for(current, given, spec)
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
            content = _content_for(current, given, spec)
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


def _check_version(stored: Document, expected: int) -> None:
    if stored["version"] != expected:
        raise VersionConflictError(expected, stored["version"])
