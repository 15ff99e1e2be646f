"""Webhook delivery to a real HTTP receiver: signatures, retries with an injected clock,
dead-lettering, 500 then 200, redirects, bounded answers, SSRF at delivery time."""

from __future__ import annotations

import contextlib
import itertools
import random
import re
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from app.alerts.deliverer import WebhookDeliverer
from app.alerts.evaluator import AlertEvaluator
from app.alerts.webhooks import WebhookSender, webhook_client
from app.domain.outbox import Alert
from app.domain.webhooks import IpAddress
from app.settings import Settings
from app.storage.alerts.outbox import read_alert
from app.storage.database import Database
from tests.alerts.conftest import ALERT_SCOPES
from tests.alerts.helpers import SECRET, create_rule, rule_input, set_one_year
from tests.alerts.receiver import Answer, Receiver
from tests.conftest import GraphQLClient

REPO = Path(__file__).resolve().parents[2]


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def private_analyst(trends: Database, settings: Settings) -> GraphQLClient:
    """An ``alerts`` key on a server that allows private webhook targets (the receiver)."""
    from app.domain.keys import Principal

    allowing = settings.model_copy(update={"webhook_allow_private": True})
    principal = Principal(key_id="analyst-p", name="analyst-p", scopes=ALERT_SCOPES)
    return GraphQLClient(trends, allowing, principal=principal)


@contextlib.asynccontextmanager
async def deliverer_for(
    database: Database,
    clock: FakeClock,
    *,
    allow_private: bool = True,
    timeout_seconds: float = 5.0,
    resolver: Any = None,
) -> AsyncIterator[WebhookDeliverer]:
    async with webhook_client(timeout_seconds) as client:
        sender = WebhookSender(client, allow_private=allow_private, timeout_seconds=timeout_seconds)
        if resolver is not None:
            sender = WebhookSender(client, allow_private, timeout_seconds, resolver)
        yield WebhookDeliverer(database, sender, clock=clock, rng=random.Random(1))


async def fire(client: GraphQLClient, url: str, clock: FakeClock) -> Alert:
    """Creates a rule on t-01 to ``url`` and stores one firing in the outbox."""
    database = client.database
    await set_one_year(database, "t-01", 10)
    evaluator = AlertEvaluator(database, clock=clock)
    await evaluator.reconcile()  # the baseline: t-01 below the threshold
    await create_rule(client, rule_input(url))
    await set_one_year(database, "t-01", 90)
    document = await database.trends.find_one({"slug": "t-01"})
    (alert,) = await evaluator.process([{"operationType": "replace", "fullDocument": document}])
    return alert


async def stored(database: Database, alert_id: str) -> Alert:
    document = await database.alert_outbox.find_one({"_id": alert_id})
    assert document is not None
    return read_alert(document)


def documented_verifier(path: Path) -> Any:
    """``verify_webhook`` as the documentation shows it, executed."""
    text = path.read_text()
    (snippet,) = [
        block
        for block in re.findall(r"```python\n(.*?)```", text, re.S)
        if "def verify_webhook" in block
    ]
    namespace: dict[str, Any] = {}
    exec(snippet, namespace)  # the documented code, as a reader would paste it
    return namespace["verify_webhook"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


@pytest.mark.parametrize("document", ["README.md", "docs/alerts.md"])
async def test_signature_verifies_with_the_documented_snippet(
    private_analyst: GraphQLClient, clock: FakeClock, document: str
) -> None:
    verify_webhook = documented_verifier(REPO / document)
    with Receiver() as receiver:
        alert = await fire(private_analyst, receiver.url, clock)
        async with deliverer_for(private_analyst.database, clock) as deliverer:
            assert await deliverer.deliver_due() == 1
        (request,) = receiver.wait_for(1)
    assert verify_webhook(SECRET, request.headers, request.body)
    assert not verify_webhook("another-secret-16chars", request.headers, request.body)
    assert not verify_webhook(SECRET, request.headers, request.body.replace(b"90", b"91"))
    stale = dict(
        request.headers, **{"x-trendgraph-timestamp": str(int(clock.now.timestamp()) - 301)}
    )
    assert not verify_webhook(SECRET, stale, request.body)
    body = orjson.loads(request.body)
    assert body["id"] == alert.id == request.headers["x-trendgraph-alert-id"]
    assert (body["kind"], body["trend"]["slug"], body["previousValue"], body["currentValue"]) == (
        "GROWTH_ABOVE",
        "t-01",
        10.0,
        90.0,
    )
    assert request.headers["content-type"] == "application/json"
    assert (await stored(private_analyst.database, alert.id)).status == "DELIVERED"


async def test_500_then_200_delivers_the_same_alert_again(
    private_analyst: GraphQLClient, clock: FakeClock
) -> None:
    with Receiver([Answer(500, b"try later")]) as receiver:
        alert = await fire(private_analyst, receiver.url, clock)
        async with deliverer_for(private_analyst.database, clock) as deliverer:
            assert await deliverer.deliver_due() == 1
            pending = await stored(private_analyst.database, alert.id)
            assert pending.status == "PENDING" and pending.last_error == "HTTP 500: try later"
            assert await deliverer.deliver_due() == 0  # not due yet
            clock.now = pending.next_attempt_at
            assert await deliverer.deliver_due() == 1
        first, second = receiver.wait_for(2)
    assert first.alert_id == second.alert_id == alert.id
    assert first.body == second.body
    delivered = await stored(private_analyst.database, alert.id)
    assert (delivered.status, delivered.attempts) == ("DELIVERED", 2)
    data = await private_analyst.data(
        "{ alertRules { deliveries(first: 5) { alertId attempt outcome statusCode error } } }"
    )
    assert data["alertRules"][0]["deliveries"] == [
        {
            "alertId": alert.id,
            "attempt": 2,
            "outcome": "DELIVERED",
            "statusCode": 200,
            "error": None,
        },
        {
            "alertId": alert.id,
            "attempt": 1,
            "outcome": "FAILED",
            "statusCode": 500,
            "error": "HTTP 500: try later",
        },
    ]


async def test_retries_back_off_for_a_day_then_dead_letter(
    private_analyst: GraphQLClient, clock: FakeClock
) -> None:
    database = private_analyst.database
    with Receiver(default=Answer(503, b"down")) as receiver:
        alert = await fire(private_analyst, receiver.url, clock)
        started = clock.now
        attempt_times = []
        async with deliverer_for(database, clock) as deliverer:
            while (current := await stored(database, alert.id)).status == "PENDING":
                clock.now = max(clock.now, current.next_attempt_at)
                attempt_times.append(clock.now)
                assert await deliverer.deliver_due() == 1
        received = receiver.wait_for(len(attempt_times))
    dead = await stored(database, alert.id)
    assert dead.status == "DEAD" and dead.attempts == len(attempt_times)
    assert attempt_times[-1] - started >= timedelta(hours=24)
    assert attempt_times[-2] - started < timedelta(hours=24)  # no attempt wasted after it
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempt_times)]
    assert gaps[0] <= timedelta(seconds=30) and max(gaps) <= timedelta(hours=1)
    assert gaps[6] > gaps[0] * 8  # exponential, jittered within [ceiling/2, ceiling]
    assert {request.alert_id for request in received} == {alert.id}
    assert await database.alert_deliveries.count_documents({"alertId": alert.id}) == len(
        attempt_times
    )
    # A dead letter is kept and can be sent again.
    redeliver = await private_analyst.data(
        "mutation($id: ID!) { redeliverAlert(id: $id) "
        "{ alert { id status } userErrors { code } } }",
        {"id": alert.id},
    )
    assert redeliver["redeliverAlert"] == {
        "alert": {"id": alert.id, "status": "PENDING"},
        "userErrors": [],
    }


async def test_redirects_are_not_followed_and_answers_are_bounded(
    private_analyst: GraphQLClient, clock: FakeClock
) -> None:
    with Receiver(
        [Answer(302, b"", {"Location": "http://169.254.169.254/latest/meta-data"})],
        default=Answer(500, b"x" * 1_000_000),
    ) as receiver:
        alert = await fire(private_analyst, receiver.url, clock)
        async with deliverer_for(private_analyst.database, clock) as deliverer:
            first = await deliverer.attempt(alert)
            second = await deliverer.attempt(await stored(private_analyst.database, alert.id))
        assert len(receiver.wait_for(2)) == 2  # the redirect's target was never asked
    assert (first.outcome, first.status_code) == ("FAILED", 302)
    assert (second.outcome, second.status_code) == ("FAILED", 500)
    assert second.error is not None and len(second.error) < 400


async def test_a_receiver_that_hangs_times_out(
    private_analyst: GraphQLClient, clock: FakeClock
) -> None:
    release = threading.Event()
    with Receiver(default=Answer(200, hold=release)) as receiver:
        alert = await fire(private_analyst, receiver.url, clock)
        try:
            async with deliverer_for(
                private_analyst.database, clock, timeout_seconds=0.5
            ) as deliverer:
                attempt = await deliverer.attempt(alert)
        finally:
            release.set()
    assert attempt.outcome == "FAILED" and attempt.error is not None
    assert "Timeout" in attempt.error


async def test_names_resolving_to_private_addresses_are_refused_at_delivery(
    analyst: GraphQLClient, clock: FakeClock
) -> None:
    """The name passes the check at creation; at delivery it resolves to loopback."""

    async def to_loopback(host: str, port: int) -> list[IpAddress]:
        import ipaddress

        assert host == "hooks.example.com"
        return [ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("127.0.0.1")]

    with Receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        alert = await fire(analyst, f"http://hooks.example.com:{port}/hook", clock)
        async with deliverer_for(
            analyst.database, clock, allow_private=False, resolver=to_loopback
        ) as deliverer:
            attempt = await deliverer.attempt(alert)
        assert receiver.received == []
    assert attempt.outcome == "REFUSED" and "127.0.0.1" in (attempt.error or "")
    assert (await stored(analyst.database, alert.id)).status == "DEAD"
