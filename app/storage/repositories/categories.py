"""Categories: the taxonomy trends are filed under."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.models import Category
from app.storage.database import Database
from app.storage.repositories.stored import StoredDocumentError, reader
from app.storage.repositories.trends import parse_object_id

CategoryOrError = Category | StoredDocumentError
_read_category = reader("categories", Category)


class CategoryRepository:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._collection = database.categories

    async def all(self) -> list[CategoryOrError]:
        """Every category by slug; a document the model cannot read is its error, in place."""
        cursor = self._collection.find({}).sort([("slug", 1)])
        return [_read_category(document) async for document in cursor]

    async def by_slugs(self, slugs: Sequence[str]) -> list[CategoryOrError | None]:
        """The categories named by ``slugs``, in that order, ``None`` for unknown ones."""
        found = {
            document["slug"]: _read_category(document)
            async for document in self._collection.find({"slug": {"$in": list(set(slugs))}})
        }
        return [found.get(slug) for slug in slugs]

    async def by_ids(self, ids: Sequence[str]) -> list[CategoryOrError | None]:
        """The categories with these ids, in that order, ``None`` for unknown ones."""
        object_ids = [object_id for object_id in map(parse_object_id, ids) if object_id]
        found = {
            str(document["_id"]): _read_category(document)
            async for document in self._collection.find({"_id": {"$in": object_ids}})
        }
        return [found.get(category_id) for category_id in ids]

    async def existing_slugs(self, slugs: Sequence[str]) -> set[str]:
        cursor = self._collection.find({"slug": {"$in": list(set(slugs))}}, {"slug": 1})
        return {document["slug"] async for document in cursor}
