"""Alerts in the running app: the lifespan starts the evaluator and the deliverer; the
alertTriggered subscription streams a rule's alerts."""

from __future__ import annotations

import asyncio
from typing import Any

from app.alerts.evaluator import AlertEvaluator
from app.domain.keys import hash_key
from app.settings import Settings
from app.storage.database import Database
from schema.context import Context
from schema.root import schema
from tests.alerts.helpers import CREATE_RULE, create_rule, eventually, rule_input, set_one_year
from tests.alerts.receiver import Receiver
from tests.conftest import GraphQLClient, app_client

KEY = "service-test-alerts-key"


async def test_the_app_evaluates_and_delivers(trends: Database, settings: Settings) -> None:
    serving = settings.model_copy(
        update={
            "alerts_enabled": True,
            "webhook_allow_private": True,
            "api_key_hashes": (f"svc:{hash_key(KEY)}:alerts",),
        }
    )
    await set_one_year(trends, "t-01", 10)
    with Receiver() as receiver:
        async with app_client(trends, serving) as client:

            async def baseline_taken() -> bool:
                return await trends.alert_state.count_documents({"_id": "baseline:trends"}) > 0

            await eventually(baseline_taken, "the evaluator started")
            response = await client.post(
                "/graphql",
                json={"query": CREATE_RULE, "variables": {"input": rule_input(receiver.url)}},
                headers={"Authorization": f"Bearer {KEY}"},
            )
            assert response.json()["data"]["createAlertRule"]["userErrors"] == []
            await set_one_year(trends, "t-01", 70)
            (request,) = await asyncio.to_thread(receiver.wait_for, 1)

            async def delivered() -> bool:
                return await trends.alert_outbox.count_documents({"status": "DELIVERED"}) == 1

            await eventually(delivered, "the alert was marked delivered")
    assert request.alert_id == (await trends.alert_outbox.find_one({}) or {}).get("_id")


async def test_alert_triggered_streams_a_rules_alerts(
    analyst: GraphQLClient, other_analyst: GraphQLClient
) -> None:
    database = analyst.database
    await set_one_year(database, "t-01", 10)
    evaluator = AlertEvaluator(database)
    await evaluator.reconcile()
    rule_id = await create_rule(analyst, rule_input("https://hooks.example.com/x"))
    query = "subscription($id: ID!) { alertTriggered(ruleId: $id) { id ruleId status body } }"

    # Another key cannot subscribe to this rule.
    refused = await schema.subscribe(
        query,
        variable_values={"id": rule_id},
        context_value=Context.create(database, analyst.settings, principal=other_analyst.principal),
    )
    assert not hasattr(refused, "errors")
    first = await refused.__anext__()
    assert first.errors and "no alert rule" in first.errors[0].message

    stream: Any = await schema.subscribe(
        query,
        variable_values={"id": rule_id},
        context_value=Context.create(database, analyst.settings, principal=analyst.principal),
    )
    next_result = asyncio.ensure_future(stream.__anext__())
    fired: dict[str, float] = {}
    percent = 60.0
    # The subscription's change stream opens once the generator runs: cross again until an
    # alert made after that arrives (each crossing is a new alert).
    while not next_result.done() and len(fired) < 50:
        for value in (10.0, percent):
            await set_one_year(database, "t-01", value)
            document = await database.trends.find_one({"slug": "t-01"})
            for alert in await evaluator.process(
                [{"operationType": "replace", "fullDocument": document}]
            ):
                fired[alert.id] = value
        await asyncio.wait({next_result}, timeout=0.2)
        percent += 1
    result = await asyncio.wait_for(next_result, 30)
    await stream.aclose()
    assert result.errors is None
    received = result.data["alertTriggered"]
    assert received["ruleId"] == rule_id and received["status"] == "PENDING"
    assert received["body"]["currentValue"] == fired[received["id"]]
