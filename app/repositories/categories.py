"""Categories: the taxonomy trends are filed under."""

from __future__ import annotations

from collections.abc import Sequence

from app.database import Database
from app.models import Category, CategorySpec
from app.repositories.trends import UpsertReport, parse_object_id


class CategoryRepository:
    def __init__(self, database: Database) -> None:
        self._collection = database.categories

    async def all(self) -> list[Category]:
        cursor = self._collection.find({}).sort([("slug", 1)])
        return [Category.model_validate(document) async for document in cursor]

    async def by_slugs(self, slugs: Sequence[str]) -> list[Category | None]:
        """The categories named by ``slugs``, in that order, ``None`` for unknown ones."""
        found = {
            document["slug"]: Category.model_validate(document)
            async for document in self._collection.find({"slug": {"$in": list(set(slugs))}})
        }
        return [found.get(slug) for slug in slugs]

    async def by_ids(self, ids: Sequence[str]) -> list[Category | None]:
        """The categories with these ids, in that order, ``None`` for unknown ones."""
        object_ids = [object_id for object_id in map(parse_object_id, ids) if object_id]
        found = {
            str(document["_id"]): Category.model_validate(document)
            async for document in self._collection.find({"_id": {"$in": object_ids}})
        }
        return [found.get(category_id) for category_id in ids]

    async def upsert(self, specs: Sequence[CategorySpec]) -> UpsertReport:
        """Insert or update categories by slug; a spec equal to what is stored changes nothing."""
        report = UpsertReport()
        existing = {
            document["slug"]: document
            async for document in self._collection.find(
                {"slug": {"$in": [spec.slug for spec in specs]}}
            )
        }
        for spec in specs:
            content = spec.model_dump(by_alias=True)
            stored = existing.get(spec.slug)
            if stored is None:
                await self._collection.insert_one(dict(content))
                report.inserted.append(spec.slug)
            elif all(stored.get(key) == value for key, value in content.items()):
                report.unchanged.append(spec.slug)
            else:
                await self._collection.update_one({"_id": stored["_id"]}, {"$set": content})
                report.updated.append(spec.slug)
        return report

    async def existing_slugs(self, slugs: Sequence[str]) -> set[str]:
        cursor = self._collection.find({"slug": {"$in": list(set(slugs))}}, {"slug": 1})
        return {document["slug"] async for document in cursor}
