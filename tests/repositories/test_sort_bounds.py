"""Sort bounds: first pages read within a learned bound equal the plain reads, through writes
that move trends across the bound (a differential test against bounds switched off)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest

from app.domain.models import GrowthWindow, GrowthWindowKey, Trend, TrendSpec
from app.storage.database import Database
from app.storage.repositories import TrendFilter, TrendOrder, TrendOrderField, TrendRepository
from app.storage.repositories.trends import TrendPage
from app.storage.sort_bounds import SortBounds
from tests.conftest import app_client
from tests.factories import make_trends, trend_spec, upsert_trends

GROWTH_DESC = TrendOrder(TrendOrderField.GROWTH, descending=True)
ORDERS = [
    GROWTH_DESC,
    TrendOrder(TrendOrderField.GROWTH, descending=True, window=GrowthWindowKey.ONE_YEAR),
    TrendOrder(TrendOrderField.UPDATED_AT, descending=True),
    TrendOrder(TrendOrderField.NAME, descending=True),
    TrendOrder(TrendOrderField.STATUS, descending=True),
    TrendOrder(TrendOrderField.VOLUME, descending=True),
    # Read backwards (last: n), an ascending order is a descending scan: bounded too.
    TrendOrder(TrendOrderField.NAME, descending=False),
    TrendOrder(TrendOrderField.GROWTH, descending=False, window=GrowthWindowKey.ONE_YEAR),
]
FILTERS = [TrendFilter(), TrendFilter(category="tech"), TrendFilter(min_growth=10)]


@pytest.fixture
async def bounded(database: Database) -> Database:
    """The test database's client, with bounds of its own (none learned yet)."""
    return Database(database.client, database.db.name, sort_bounds=True)


@pytest.fixture
async def plain(database: Database) -> AsyncIterator[Database]:
    yield Database(database.client, database.db.name, sort_bounds=False)


def _slugs(page: TrendPage) -> list[str]:
    return [trend.slug for trend in page.trends]  # type: ignore[union-attr]


async def _same_first_pages(bounded: Database, plain: Database) -> None:
    for order in ORDERS:
        for trend_filter in FILTERS:
            for size, backwards in itertools.product((1, 3, 5, 30), (False, True)):
                pages = [
                    await TrendRepository(database).page(
                        trend_filter,
                        order,
                        first=None if backwards else size,
                        last=size if backwards else None,
                        with_analyses=False,
                    )
                    for database in (bounded, plain)
                ]
                assert _slugs(pages[0]) == _slugs(pages[1]), (order, trend_filter, size)
                assert _slugs(pages[1]) == await _expected(
                    plain, trend_filter, order, size, backwards
                )
                assert pages[0].has_previous_page == pages[1].has_previous_page
                assert pages[0].has_next_page == pages[1].has_next_page
                assert [p.value for p in pages[0].positions] == [
                    p.value for p in pages[1].positions
                ]


async def _expected(
    database: Database, trend_filter: TrendFilter, order: TrendOrder, size: int, backwards: bool
) -> list[str]:
    """The page read straight from the collection, as a reference for both."""
    sort = order.sort_key().reversed() if backwards else order.sort_key()
    cursor = database.trends.find(trend_filter.to_mongo(), {"slug": 1}).sort(sort.mongo_sort())
    slugs = [document["slug"] for document in await cursor.limit(size).to_list()]
    return slugs[::-1] if backwards else slugs


async def _set_growth(database: Database, index: int, percent: float) -> None:
    spec = trend_spec(index)
    growth = [GrowthWindow(window=GrowthWindowKey.THREE_MONTHS, percent=percent)]
    await upsert_trends(database, [spec.model_copy(update={"growth": growth})])


async def test_bounded_first_pages_equal_plain_ones_through_writes(
    database: Database, bounded: Database, plain: Database
) -> None:
    await make_trends(database, 23)
    await _same_first_pages(bounded, plain)  # learns the bounds
    reads = bounded.sort_bounds.reads
    learned_with = reads["fallback"]
    await _same_first_pages(bounded, plain)  # reads within them
    assert reads["bounded"] > 0
    # Nothing moved: every bound holds, filtered orders (compound indexes) included.
    assert reads["fallback"] == learned_with

    fallbacks = reads["fallback"]
    # The leaders fall below every bound learned: the next reads fall back, still exact.
    for index in range(23):
        if index % 4 == 3:
            await _set_growth(database, index, -50.0)
    await database.trends.delete_many({"slug": {"$in": ["t-02", "t-06"]}})
    await _same_first_pages(bounded, plain)
    assert reads["fallback"] > fallbacks

    # New leaders, and a trend without the sorted window (sorts last, descending).
    await upsert_trends(database,
        [
            TrendSpec(slug="new-a", name="New A", category="tech", growth=[
                GrowthWindow(window=GrowthWindowKey.THREE_MONTHS, percent=99.0)]),
            TrendSpec(slug="new-b", name="New B", category="tech"),
        ]
    )  # fmt: skip
    await _same_first_pages(bounded, plain)
    assert plain.sort_bounds.reads["bounded"] == 0  # switched off: never bounded


async def test_pages_after_a_bounded_first_page_continue_it(
    database: Database, bounded: Database, plain: Database
) -> None:
    await make_trends(database, 23)
    for database_under_test in (bounded, bounded, plain):
        repository = TrendRepository(database_under_test)
        slugs: list[str] = []
        page = await repository.page(TrendFilter(), GROWTH_DESC, first=4, with_analyses=False)
        slugs += _slugs(page)
        while page.has_next_page:
            page = await repository.page(
                TrendFilter(), GROWTH_DESC, first=4, after_cursor=page.cursor(-1),
                with_analyses=False,
            )  # fmt: skip
            slugs += _slugs(page)
        assert sorted(slugs) == [f"t-{index:02d}" for index in range(23)]
        walked = slugs
    assert walked == slugs


def test_every_order_names_the_field_it_reads() -> None:
    for field in TrendOrderField:
        assert TrendOrder(field).model_field in Trend.model_fields


def test_a_bound_is_used_only_where_it_is_exact() -> None:
    bounds = SortBounds()
    assert bounds.bounded_query("k", "growth.X", {}, 5) is None  # nothing learned yet
    bounds.learn("k", 12.5, 10, bounded=False)
    assert bounds.bounded_query("k", "growth.X", {}, 11) is None  # reaches too few
    assert bounds.bounded_query("k", "growth.X", {"category": "ai"}, 10) == {
        "growth.X": {"$gte": 12.5},
        "category": "ai",
    }
    # A filter on the sort value itself is left alone.
    assert bounds.bounded_query("k", "growth.X", {"growth.X": {"$lte": 3}}, 5) is None
    bounds.learn("k", 20.0, 3, bounded=True)  # a smaller page does not shrink the reach
    assert bounds.bounded_query("k", "growth.X", {}, 10) == {"growth.X": {"$gte": 12.5}}
    bounds.learn("n", None, 10, bounded=False)  # nulls sort last: no bound
    bounds.learn("b", True, 10, bounded=False)  # booleans are no sort values of ours
    assert bounds.bounded_query("n", "p", {}, 1) is None
    assert bounds.bounded_query("b", "p", {}, 1) is None
    off = SortBounds(enabled=False)
    off.learn("k", 1.0, 10, bounded=False)
    assert off.bounded_query("k", "p", {}, 1) is None


async def test_the_metric_counts_bounded_reads(database: Database, settings: object) -> None:
    from app.settings import Settings

    assert isinstance(settings, Settings)
    await make_trends(database, 8)
    query = """{ trends(first: 2, orderBy: {field: GROWTH, window: THREE_MONTHS,
        direction: DESC}) { edges { node { slug } } } }"""
    async with app_client(database, settings) as client:
        for _ in range(2):
            answer = await client.post("/graphql", json={"query": query})
            assert "errors" not in answer.json()
        metrics = (await client.get("/metrics")).text
    assert 'trendgraph_page_sort_bound_reads_total{outcome="bounded"}' in metrics
