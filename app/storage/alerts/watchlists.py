"""Watchlists, each visible to and changed by its owner only."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ReturnDocument

from app.domain.errors import ErrorCode, FieldError, WriteError
from app.domain.watchlists import (
    MAX_WATCHLIST_SLUGS,
    MAX_WATCHLISTS_PER_OWNER,
    Watchlist,
    WatchlistSpec,
)
from app.storage.alerts import generation
from app.storage.database import Database, Document, find_in


def object_id(value: str) -> ObjectId | None:
    """``value`` as an ObjectId, or ``None`` when it is not one (then nothing matches)."""
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        return None


def not_found(kind: str, identifier: str, *field: str) -> WriteError:
    # Another owner's object answers exactly like a missing one: ids reveal nothing.
    return WriteError.single(ErrorCode.NOT_FOUND, f"you have no {kind} {identifier!r}", *field)


def read_watchlist(document: Document) -> Watchlist:
    return Watchlist.model_validate({**document, "_id": str(document["_id"])})


class WatchlistRepository:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._watchlists = database.watchlists

    async def unknown_slugs(self, slugs: list[str], *field: str) -> list[FieldError]:
        """One NOT_FOUND error per slug that names no trend (paths ``field + index``)."""
        found = {
            document["slug"]
            for document in await find_in(self._database.trends, "slug", slugs, {"slug": 1})
        }
        return [
            FieldError((*field, str(index)), f"no trend has the slug {slug!r}", ErrorCode.NOT_FOUND)
            for index, slug in enumerate(slugs)
            if slug not in found
        ]

    async def create(self, owner: str, spec: WatchlistSpec) -> Watchlist:
        errors = await self.unknown_slugs(spec.slugs, "input", "slugs")
        if errors:
            raise WriteError(errors)
        if await self._watchlists.count_documents({"owner": owner}) >= MAX_WATCHLISTS_PER_OWNER:
            raise WriteError.single(
                ErrorCode.INVALID_INPUT,
                f"a key may own at most {MAX_WATCHLISTS_PER_OWNER} watchlists",
                "input",
            )
        now = datetime.now(UTC)
        document = {
            "_id": ObjectId(),
            "owner": owner,
            **spec.model_dump(by_alias=True),
            "createdAt": now,
            "updatedAt": now,
        }
        await self._watchlists.insert_one(document)
        await generation.bump(self._database)
        return read_watchlist(document)

    async def owned_by(self, owner: str) -> list[Watchlist]:
        cursor = self._watchlists.find({"owner": owner}).sort("_id", 1)
        return [read_watchlist(document) async for document in cursor]

    async def get(self, owner: str, watchlist_id: str) -> Watchlist | None:
        identifier = object_id(watchlist_id)
        if identifier is None:
            return None
        document = await self._watchlists.find_one({"_id": identifier, "owner": owner})
        return read_watchlist(document) if document else None

    async def add(self, owner: str, watchlist_id: str, slugs: list[str]) -> Watchlist:
        errors = await self.unknown_slugs(slugs, "slugs")
        current = await self.get(owner, watchlist_id)
        if current is None:
            raise not_found("watchlist", watchlist_id, "id")
        if errors:
            raise WriteError(errors)
        merged = list(dict.fromkeys([*current.slugs, *slugs]))
        return await self._set_slugs(owner, watchlist_id, merged)

    async def remove(self, owner: str, watchlist_id: str, slugs: list[str]) -> Watchlist:
        current = await self.get(owner, watchlist_id)
        if current is None:
            raise not_found("watchlist", watchlist_id, "id")
        absent = set(slugs) - set(current.slugs)
        if absent:
            raise WriteError(
                [
                    FieldError(
                        ("slugs", str(index)),
                        f"{slug!r} is not in the watchlist",
                        ErrorCode.NOT_FOUND,
                    )
                    for index, slug in enumerate(slugs)
                    if slug in absent
                ]
            )
        kept = [slug for slug in current.slugs if slug not in set(slugs)]
        return await self._set_slugs(owner, watchlist_id, kept)

    async def _set_slugs(self, owner: str, watchlist_id: str, slugs: list[str]) -> Watchlist:
        if len(slugs) > MAX_WATCHLIST_SLUGS:
            raise WriteError.single(
                ErrorCode.INVALID_INPUT,
                f"a watchlist holds at most {MAX_WATCHLIST_SLUGS} trends",
                "slugs",
            )
        document = await self._watchlists.find_one_and_update(
            {"_id": object_id(watchlist_id), "owner": owner},
            {"$set": {"slugs": slugs, "updatedAt": datetime.now(UTC)}},
            return_document=ReturnDocument.AFTER,
        )
        if document is None:
            raise not_found("watchlist", watchlist_id, "id")
        await generation.bump(self._database)
        return read_watchlist(document)

    async def delete(self, owner: str, watchlist_id: str) -> str:
        """Deletes the watchlist; refused while a rule of the owner targets it."""
        if await self.get(owner, watchlist_id) is None:
            raise not_found("watchlist", watchlist_id, "id")
        if await self._database.alert_rules.count_documents(
            {"owner": owner, "target.watchlistId": watchlist_id}, limit=1
        ):
            raise WriteError.single(
                ErrorCode.CONFLICT,
                "alert rules still target this watchlist; delete them first",
                "id",
            )
        await self._watchlists.delete_one({"_id": object_id(watchlist_id), "owner": owner})
        await generation.bump(self._database)
        return watchlist_id

    async def all(self) -> dict[str, list[str]]:
        """Every watchlist's slugs by id (the evaluator's index)."""
        return {
            str(document["_id"]): list(document.get("slugs", []))
            async for document in self._watchlists.find({}, {"slugs": 1})
        }
