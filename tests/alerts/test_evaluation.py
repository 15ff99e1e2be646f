"""The evaluator on the change stream: transitions only, any writer, catch-up on start."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from app.alerts.evaluator import AlertEvaluator, running
from app.storage.database import Database
from tests.alerts.helpers import (
    create_rule,
    eventually,
    outbox_count,
    rule_input,
    set_one_year,
)
from tests.conftest import GraphQLClient

URL = "https://hooks.example.com/trendgraph"


@contextlib.asynccontextmanager
async def evaluating(database: Database) -> AsyncIterator[AlertEvaluator]:
    evaluator = AlertEvaluator(database)
    async with running(evaluator):
        await eventually(lambda: _is_set(evaluator), "the evaluator started")
        yield evaluator


async def _is_set(evaluator: AlertEvaluator) -> bool:
    return evaluator.ready.is_set()


async def writes_seen(evaluator: AlertEvaluator, count: int) -> None:
    async def seen() -> bool:
        return evaluator.stats.writes >= count

    await eventually(seen, f"{count} writes evaluated")


async def test_fires_on_each_crossing_not_while_the_condition_holds(
    analyst: GraphQLClient,
) -> None:
    database = analyst.database
    await set_one_year(database, "t-01", 20)
    rule_id = await create_rule(analyst, rule_input(URL))
    async with evaluating(database) as evaluator:
        seen = evaluator.stats.writes
        for step, percent in enumerate([60, 70, 55, 40, 80, 90], start=1):
            await set_one_year(database, "t-01", percent)
            await writes_seen(evaluator, seen + step)
    alerts = await database.alert_outbox.find({"ruleId": rule_id}).sort("createdAt", 1).to_list()
    assert [
        (alert["body"]["previousValue"], alert["body"]["currentValue"]) for alert in alerts
    ] == [
        (20.0, 60.0),
        (40.0, 80.0),
    ]
    assert len({alert["_id"] for alert in alerts}) == 2
    body = alerts[0]["body"]
    assert body["ruleId"] == rule_id and body["kind"] == "GROWTH_ABOVE"
    assert body["trend"]["slug"] == "t-01" and body["window"] == "ONE_YEAR"


async def test_writes_straight_into_the_database_are_evaluated(analyst: GraphQLClient) -> None:
    database = analyst.database
    await set_one_year(database, "t-02", 0)
    rule_id = await create_rule(
        analyst,
        rule_input(
            URL,
            target={"slug": "t-02"},
            condition={"kind": "STATUS_BECOMES", "status": "DECLINING"},
        ),
    )
    async with evaluating(database):
        await database.trends.update_one(
            {"slug": "t-02"}, {"$set": {"status": "DECLINING"}, "$inc": {"version": 1}}
        )

        async def fired() -> bool:
            return await outbox_count(database, ruleId=rule_id) == 1

        await eventually(fired, "the direct write fired the rule")


async def test_watchlist_and_category_targets(analyst: GraphQLClient) -> None:
    database = analyst.database
    created = await analyst.data(
        'mutation { createWatchlist(input: {name: "w", slugs: ["t-03"]}) { watchlist { id } } }'
    )
    watchlist_id = created["createWatchlist"]["watchlist"]["id"]
    on_watchlist = await create_rule(analyst, rule_input(URL, target={"watchlistId": watchlist_id}))
    new_in_food = await create_rule(
        analyst,
        rule_input(URL, target={"category": "food"}, condition={"kind": "NEW_TREND_IN_CATEGORY"}),
    )
    async with evaluating(database) as evaluator:
        seen = evaluator.stats.writes
        await set_one_year(database, "t-03", 99)  # on the watchlist: fires
        await set_one_year(database, "t-05", 99)  # not on it: nothing
        # Rules apply as the evaluator finds them when it reads a write: let it read these two
        # before t-05 joins the watchlist, or the first write already counts as on it.
        await writes_seen(evaluator, seen + 2)
        await analyst.data(
            f'mutation {{ addToWatchlist(id: "{watchlist_id}", slugs: ["t-05"]) '
            "{ watchlist { id } } }"
        )
        await set_one_year(database, "t-05", 10)
        await set_one_year(database, "t-05", 98)  # on it now: fires
        # t-00 is in tech; moving it to food is new in food.
        stored = await database.trends.find_one({"slug": "t-00"})
        assert stored is not None and stored["category"] == "tech"
        await database.trends.update_one(
            {"slug": "t-00"}, {"$set": {"category": "food"}, "$inc": {"version": 1}}
        )
        await writes_seen(evaluator, seen + 5)
    watchlist_slugs = [
        alert["body"]["trend"]["slug"]
        async for alert in database.alert_outbox.find({"ruleId": on_watchlist})
    ]
    assert sorted(watchlist_slugs) == ["t-03", "t-05"]
    assert [
        alert["body"]["trend"]["slug"]
        async for alert in database.alert_outbox.find({"ruleId": new_in_food})
    ] == ["t-00"]


async def test_writes_made_while_no_evaluator_ran_are_caught_up(analyst: GraphQLClient) -> None:
    database = analyst.database
    await set_one_year(database, "t-04", 10)
    rule_id = await create_rule(analyst, rule_input(URL, target={"slug": "t-04"}))
    async with evaluating(database):
        pass  # records the baseline and the snapshots
    await set_one_year(database, "t-04", 75)  # nobody is evaluating
    assert await outbox_count(database, ruleId=rule_id) == 0
    async with evaluating(database):
        assert await outbox_count(database, ruleId=rule_id) == 1  # reconcile, before ready
    async with evaluating(database):
        pass  # evaluated again: the same state fires nothing more
    assert await outbox_count(database, ruleId=rule_id) == 1


async def test_the_first_run_records_without_firing(analyst: GraphQLClient) -> None:
    database = analyst.database
    await set_one_year(database, "t-06", 75)
    await create_rule(analyst, rule_input(URL, target={"slug": "t-06"}))
    async with evaluating(database):
        pass
    assert await outbox_count(database) == 0
    assert await database.alert_state.count_documents({"type": "trend"}) == 12
