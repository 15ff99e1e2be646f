"""The repository write paths the seeds use directly (not through GraphQL)."""

from __future__ import annotations

import pytest

from app.domain.models import CategorySpec, TrendSpec
from app.storage.database import Database
from app.storage.repositories import CategoryRepository, TrendRepository
from app.storage.repositories.trends import UnknownReferenceError


async def test_trend_upsert_reports_by_slug(database: Database) -> None:
    repository = TrendRepository(database)
    specs = [TrendSpec(slug="a", name="A", related=["b"]), TrendSpec(slug="b", name="B")]
    first = await repository.upsert(specs)
    second = await repository.upsert([*specs[:1], TrendSpec(slug="b", name="Bee")])
    assert (first.inserted, first.failed) == (["a", "b"], [])
    assert (second.unchanged, second.updated) == (["a"], ["b"])


async def test_trend_upsert_with_an_unknown_related_writes_nothing(database: Database) -> None:
    repository = TrendRepository(database)
    with pytest.raises(UnknownReferenceError, match="related: unknown ghost"):
        await repository.upsert(
            [TrendSpec(slug="a", name="A"), TrendSpec(slug="b", name="B", related=["ghost"])]
        )
    assert await database.trends.count_documents({}) == 0


async def test_category_upsert_reports_by_slug(database: Database) -> None:
    repository = CategoryRepository(database)
    specs = [
        CategorySpec(slug="child", name="C", parent="root"),
        CategorySpec(slug="root", name="R"),
    ]
    first = await repository.upsert(specs)
    second = await repository.upsert(specs)
    assert first.inserted == ["child", "root"]
    assert second.unchanged == ["child", "root"]
