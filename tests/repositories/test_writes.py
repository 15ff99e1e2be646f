"""The one upsert API (the writers' ``upsert``): a result per item, by position and slug."""

from __future__ import annotations

from app.domain.errors import ErrorCode, FieldError
from app.domain.models import CategorySpec, TrendSpec
from app.storage.database import Database
from app.storage.repositories.category_writes import CategoryWriter
from app.storage.repositories.trend_writes import TrendWriter
from app.storage.repositories.writes import Outcome, UpsertReport


async def test_trend_upsert_reports_by_slug(database: Database) -> None:
    writer = TrendWriter(database)
    specs = [TrendSpec(slug="a", name="A", related=["b"]), TrendSpec(slug="b", name="B")]
    first = UpsertReport.of(await writer.upsert(specs))
    second = UpsertReport.of(await writer.upsert([*specs[:1], TrendSpec(slug="b", name="Bee")]))
    assert (first.inserted, first.failed) == (["a", "b"], [])
    assert (second.unchanged, second.updated) == (["a"], ["b"])


async def test_an_unknown_related_fails_its_item_alone(database: Database) -> None:
    results = await TrendWriter(database).upsert(
        [TrendSpec(slug="a", name="A"), TrendSpec(slug="b", name="B", related=["ghost"])]
    )
    assert [(result.index, result.slug, result.outcome) for result in results] == [
        (0, "a", Outcome.INSERTED),
        (1, "b", Outcome.FAILED),
    ]
    assert results[1].errors == (
        FieldError(("related", "0"), "no trend has the slug 'ghost'", ErrorCode.UNKNOWN_RELATED),
    )
    assert await database.trends.distinct("slug") == ["a"]


async def test_category_upsert_reports_by_slug(database: Database) -> None:
    writer = CategoryWriter(database)
    specs = [
        CategorySpec(slug="child", name="C", parent="root"),
        CategorySpec(slug="root", name="R"),
    ]
    first = UpsertReport.of(await writer.upsert(specs))
    second = UpsertReport.of(await writer.upsert(specs))
    assert first.inserted == ["child", "root"]
    assert second.unchanged == ["child", "root"]
