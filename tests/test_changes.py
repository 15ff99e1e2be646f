"""The change feed behind ``trendChanged``, in-process on the test database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from app.storage.changes import ChangeKind, SubscriberTooSlowError, TrendChange, TrendChangeFeed
from app.storage.database import Database
from tests.factories import CATEGORIES, trend_spec, upsert_categories, upsert_trends
from tests.graphql_ws import TIMEOUT


@pytest.fixture
async def feed(database: Database) -> AsyncIterator[TrendChangeFeed]:
    await upsert_categories(database, CATEGORIES)
    report = await upsert_trends(database, [trend_spec(index) for index in range(2)])
    assert len(report.inserted) == 2, report
    feed = TrendChangeFeed(database.trends, queue_size=3)
    yield feed
    await feed.close()


async def next_change(events: AsyncIterator[TrendChange]) -> TrendChange:
    return await asyncio.wait_for(anext(events), TIMEOUT)


async def test_changes_after_subscribing_arrive_in_order(
    feed: TrendChangeFeed, database: Database
) -> None:
    async with feed.subscribe() as events:
        await database.trends.update_one({"slug": "t-00"}, {"$set": {"name": "first"}})
        await database.trends.delete_one({"slug": "t-01"})
        updated, deleted = await next_change(events), await next_change(events)
    assert (updated.kind, updated.slug, updated.trend and updated.trend.name) == (
        ChangeKind.UPDATED,
        "t-00",
        "first",
    )
    assert (deleted.kind, deleted.slug, deleted.category, deleted.trend) == (
        ChangeKind.DELETED,
        "t-01",
        "food",
        None,
    )


async def test_a_renamed_trend_still_matches_its_old_slug(
    feed: TrendChangeFeed, database: Database
) -> None:
    async with feed.subscribe(slug="t-00") as events:
        await database.trends.update_one({"slug": "t-00"}, {"$set": {"slug": "t-renamed"}})
        change = await next_change(events)
    assert (change.slug, change.previous_slug) == ("t-renamed", "t-00")


async def test_a_slow_subscriber_is_ended_not_the_feed(
    feed: TrendChangeFeed, database: Database
) -> None:
    async with feed.subscribe() as slow, feed.subscribe(slug="t-01") as watcher:
        for number in range(5):  # more than queue_size, none read by the slow subscriber
            await database.trends.update_one({"slug": "t-00"}, {"$set": {"name": f"{number}"}})
        await database.trends.update_one({"slug": "t-01"}, {"$set": {"name": "barrier"}})
        assert (await next_change(watcher)).slug == "t-01"  # the feed got past all five
        with pytest.raises(SubscriberTooSlowError):
            await next_change(slow)


async def test_unsubscribing_removes_the_subscriber(
    feed: TrendChangeFeed, database: Database
) -> None:
    async with feed.subscribe() as events:
        await database.trends.update_one({"slug": "t-00"}, {"$set": {"name": "x"}})
        await next_change(events)
    async with feed.subscribe(slug="t-01") as watcher:
        await database.trends.update_one({"slug": "t-01"}, {"$set": {"name": "y"}})
        assert (await next_change(watcher)).slug == "t-01"
        assert feed.subscriber_count == 1
