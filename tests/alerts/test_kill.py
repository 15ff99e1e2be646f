"""No alert is lost when the API is killed (SIGKILL) between firing and delivery.

The API runs as a real process; the receiver is a real HTTP server that holds the first
delivery open, so the API is killed with the alert in the outbox and its delivery in flight.
A new API process then delivers it, with the same id.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import httpx
import orjson

from app.domain.keys import hash_key
from app.storage.database import Database
from tests.alerts.helpers import CREATE_RULE, eventually, rule_input, set_one_year
from tests.alerts.receiver import Answer, Receiver
from tests.conftest import TEST_DATABASE
from tests.served import ServedAPI

ALERTS_KEY = "alerts-kill-test-key"
TIMEOUT_SECONDS = 3  # the deliverer's lease is 2 x 3 + 1 = 7 s


def api(mongodb_uri: str, log_path: Path) -> ServedAPI:
    return ServedAPI(
        mongodb_uri,
        TEST_DATABASE,
        log_path,
        extra_env={
            "TRENDGRAPH_API_KEY_HASHES": f"killer:{hash_key(ALERTS_KEY)}:read+alerts",
            "TRENDGRAPH_ALERTS_ENABLED": "true",
            "TRENDGRAPH_WEBHOOK_ALLOW_PRIVATE": "true",
            "TRENDGRAPH_WEBHOOK_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
        },
    )


async def test_kill_9_between_firing_and_delivery_loses_no_alert(
    trends: Database, mongodb_uri: str, tmp_path: Path
) -> None:
    database = trends
    await set_one_year(database, "t-01", 10)
    release = threading.Event()
    with Receiver([Answer(200, hold=release)]) as receiver:
        first_api = api(mongodb_uri, tmp_path / "api-1.log")
        first_api.start()
        try:

            async def baseline_taken() -> bool:
                return await database.alert_state.count_documents({"_id": "baseline:trends"}) > 0

            await eventually(baseline_taken, "the first API's evaluator started")
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.post(
                    first_api.url,
                    json={"query": CREATE_RULE, "variables": {"input": rule_input(receiver.url)}},
                    headers={"Authorization": f"Bearer {ALERTS_KEY}"},
                )
            payload = response.json()["data"]["createAlertRule"]
            assert payload["userErrors"] == [], payload
            rule_id = payload["rule"]["id"]
            await set_one_year(database, "t-01", 90)
            (held,) = await asyncio.to_thread(receiver.wait_for, 1)
            first_api.kill()  # SIGKILL while the delivery is in flight
        finally:
            first_api.stop()
            release.set()
        alert_id = held.alert_id
        stored = await database.alert_outbox.find_one({"_id": alert_id})
        assert stored is not None and stored["status"] == "PENDING" and stored["attempts"] == 0

        with api(mongodb_uri, tmp_path / "api-2.log"):
            (second,) = (await asyncio.to_thread(receiver.wait_for, 2, 60.0))[1:]

            async def delivered() -> bool:
                document = await database.alert_outbox.find_one({"_id": alert_id})
                return document is not None and document["status"] == "DELIVERED"

            await eventually(delivered, "the second API delivered the alert")
    assert second.alert_id == alert_id and second.body == held.body
    assert orjson.loads(second.body)["ruleId"] == rule_id
    assert await database.alert_outbox.count_documents({}) == 1  # fired once, not again
