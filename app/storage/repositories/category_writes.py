"""Writing categories: create, update and bulk upsert, keeping the taxonomy a tree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from app.domain.errors import DuplicateSlugError, ErrorCode, FieldError, NotFoundError, WriteError
from app.domain.models import Category, CategorySpec
from app.storage.database import Database, Document
from app.storage.repositories.writes import ItemResult, Outcome, unchanged

CategoryResult = ItemResult[Category]


def category_content(spec: CategorySpec) -> Document:
    return spec.model_dump(by_alias=True)


def _cycle(slug: str, parents: Mapping[str, str | None]) -> bool:
    """Whether following parents up from ``slug`` comes back to it."""
    seen = {slug}
    current = parents.get(slug)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _unknown_parent(parent: str) -> FieldError:
    return FieldError(
        ("parent",), f"no category has the slug {parent!r}", ErrorCode.UNKNOWN_CATEGORY
    )


def _cycle_error() -> FieldError:
    message = "the parent would make the category its own ancestor"
    return FieldError(("parent",), message, ErrorCode.INVALID_INPUT)


class CategoryWriter:
    """Every write to the ``categories`` collection goes through here."""

    def __init__(self, database: Database) -> None:
        self._categories = database.categories

    async def _parents(self) -> dict[str, str | None]:
        # The taxonomy is small (tens to hundreds of nodes): read it whole to walk it.
        return {
            document["slug"]: document.get("parent")
            async for document in self._categories.find({}, {"slug": 1, "parent": 1})
        }

    async def create(self, spec: CategorySpec) -> Category:
        parents = await self._parents()
        if spec.parent is not None and spec.parent not in parents:
            raise WriteError([_unknown_parent(spec.parent).under("input")])
        document = {"_id": ObjectId(), **category_content(spec)}
        try:
            await self._categories.insert_one(document)
        except DuplicateKeyError:
            raise DuplicateSlugError("category", spec.slug, "input", "slug") from None
        return Category.model_validate(document)

    async def update(self, slug: str, spec: CategorySpec) -> Category:
        """Replace the name, description and parent of category ``slug``.

        The slug itself cannot change: trends refer to categories by slug.
        """
        parents = await self._parents()
        if slug not in parents:
            raise NotFoundError("category", slug)
        if spec.slug != slug:
            raise WriteError.single(
                ErrorCode.INVALID_INPUT,
                f"a category's slug cannot change (trends refer to it); expected {slug!r}",
                "input",
                "slug",
            )
        if spec.parent is not None and spec.parent not in parents:
            raise WriteError([_unknown_parent(spec.parent).under("input")])
        if _cycle(slug, {**parents, slug: spec.parent}):
            raise WriteError([_cycle_error().under("input")])
        updated = await self._categories.find_one_and_update(
            {"slug": slug}, {"$set": category_content(spec)}, return_document=ReturnDocument.AFTER
        )
        if updated is None:  # deleted between our read and our write
            raise NotFoundError("category", slug)
        return Category.model_validate(updated)

    async def upsert(self, specs: Sequence[CategorySpec]) -> list[CategoryResult]:
        """Insert or update each category by slug; one result per spec, in order.

        Parents may be categories of the same batch. An item equal to what is stored is
        ``UNCHANGED``. Safe to run concurrently with itself and to retry.
        """
        results: dict[int, CategoryResult] = {}
        counts: dict[str, list[int]] = {}
        for index, spec in enumerate(specs):
            counts.setdefault(spec.slug, []).append(index)
        for slug, indexes in counts.items():
            if len(indexes) > 1:
                message = f"slug {slug!r} appears more than once in this batch (items {indexes})"
                for index in indexes:
                    error = FieldError(("slug",), message, ErrorCode.DUPLICATE_SLUG)
                    results[index] = ItemResult(index, slug, Outcome.FAILED, errors=(error,))
        stored_parents = await self._parents()
        while True:  # failing one item can strand its children; repeat until stable
            pending = [index for index in range(len(specs)) if index not in results]
            parents = {**stored_parents, **{specs[i].slug: specs[i].parent for i in pending}}
            failures: dict[int, FieldError] = {}
            for index in pending:
                spec = specs[index]
                if spec.parent is not None and spec.parent not in parents:
                    failures[index] = _unknown_parent(spec.parent)
                elif _cycle(spec.slug, parents):
                    failures[index] = _cycle_error()
            if not failures:
                break
            for index, error in failures.items():
                results[index] = ItemResult(
                    index, specs[index].slug, Outcome.FAILED, errors=(error,)
                )
        for index in pending:
            results[index] = await self._upsert_one(index, specs[index])
        return [results[index] for index in range(len(specs))]

    async def _upsert_one(self, index: int, spec: CategorySpec) -> CategoryResult:
        content = category_content(spec)
        stored = await self._categories.find_one({"slug": spec.slug})
        if stored is None:
            document = {"_id": ObjectId(), **content}
            try:
                await self._categories.insert_one(document)
                return ItemResult(
                    index, spec.slug, Outcome.INSERTED, Category.model_validate(document)
                )
            except DuplicateKeyError:  # another writer inserted it first: update theirs
                stored = await self._categories.find_one({"slug": spec.slug})
                if stored is None:
                    error = FieldError(None, "deleted while being written", ErrorCode.NOT_FOUND)
                    return ItemResult(index, spec.slug, Outcome.FAILED, errors=(error,))
        if unchanged(stored, content):
            return ItemResult(index, spec.slug, Outcome.UNCHANGED, Category.model_validate(stored))
        updated = await self._categories.find_one_and_update(
            {"_id": stored["_id"]}, {"$set": content}, return_document=ReturnDocument.AFTER
        )
        if updated is None:
            error = FieldError(None, "deleted while being written", ErrorCode.NOT_FOUND)
            return ItemResult(index, spec.slug, Outcome.FAILED, errors=(error,))
        return ItemResult(index, spec.slug, Outcome.UPDATED, Category.model_validate(updated))
