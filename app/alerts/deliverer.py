"""The deliverer: claims due alerts from the outbox and sends them as signed webhooks.

An attempt is a success on any 2xx answer. Anything else (another status, a refused
connection, a timeout) is retried with exponential backoff and jitter until the retry
window (``TRENDGRAPH_WEBHOOK_RETRY_HOURS``, at least 24) has passed since the first attempt;
then the alert is dead-lettered. A target refused as private (SSRF) is dead-lettered at once:
retrying cannot make it allowed. Every attempt is logged in ``alert_deliveries``.

Time comes from an injected clock and jitter from an injected random generator, so tests
walk through a day of retries without sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson
from pymongo.errors import PyMongoError

from app.alerts.evaluator import Clock, finish, utc_now
from app.alerts.webhooks import RefusedTargetError, WebhookSender
from app.domain.outbox import (
    Alert,
    AlertStatus,
    DeliveryAttempt,
    DeliveryOutcome,
    gives_up,
    retry_delay,
)
from app.storage.alerts.outbox import AlertOutbox
from app.storage.alerts.rules import read_rule
from app.storage.alerts.watchlists import object_id
from app.storage.database import Database

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
"""How often an idle deliverer looks for due alerts (retries, other instances' firings)."""


class WebhookDeliverer:
    def __init__(
        self,
        database: Database,
        sender: WebhookSender,
        *,
        retry_window: timedelta = timedelta(hours=24),
        clock: Clock = utc_now,
        rng: random.Random | None = None,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._database = database
        self._outbox = AlertOutbox(database)
        self._sender = sender
        self._retry_window = retry_window
        self._clock = clock
        self._rng = rng or random.Random()
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        # Longer than any attempt (bounded by the sender's timeout), short enough that an
        # alert claimed by a process killed mid-delivery is soon claimed again.
        self._lease = timedelta(seconds=2 * sender.timeout_seconds + 1)

    def wake(self, *_: Any) -> None:
        """New alerts are in the outbox: look now instead of at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Ends :meth:`run` once the attempt in hand is recorded."""
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        """Delivers due alerts until :meth:`stop`."""
        while not self._stopping.is_set():
            try:
                await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except PyMongoError as error:
                logger.warning("webhook deliverer cannot reach the database (%s)", error)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_seconds):
                    await self._wake.wait()
            self._wake.clear()

    async def deliver_due(self, limit: int = 100) -> int:
        """Attempts up to ``limit`` alerts that are due now; answers how many it attempted."""
        attempted = 0
        while attempted < limit and not self._stopping.is_set():
            alert = await self._outbox.claim_due(self._clock(), self._lease)
            if alert is None:
                break
            await self.attempt(alert)
            attempted += 1
        return attempted

    async def attempt(self, alert: Alert) -> DeliveryAttempt:
        """One delivery attempt of a claimed alert, recorded with its outcome."""
        rule_document = await self._database.alert_rules.find_one({"_id": object_id(alert.rule_id)})
        started = time.perf_counter()
        now = self._clock()
        status_code: int | None = None
        if rule_document is None:
            outcome, error = DeliveryOutcome.REFUSED, "the alert's rule was deleted"
        else:
            rule = read_rule(rule_document)
            body = orjson.dumps(alert.body)
            try:
                answer = await self._sender.send(
                    rule.delivery.webhook_url,
                    rule.delivery.secret,
                    alert.id,
                    body,
                    int(now.timestamp()),
                )
            except RefusedTargetError as refused:
                outcome, error = DeliveryOutcome.REFUSED, str(refused)
            except (httpx.HTTPError, TimeoutError, OSError) as failure:
                outcome = DeliveryOutcome.FAILED
                error = f"{type(failure).__name__}: {failure}"[:500] or type(failure).__name__
            else:
                status_code = answer.status_code
                if 200 <= answer.status_code < 300:
                    outcome, error = DeliveryOutcome.DELIVERED, None
                else:
                    outcome = DeliveryOutcome.FAILED
                    error = f"HTTP {answer.status_code}: {answer.excerpt[:300]}".rstrip(": ")
        attempt = DeliveryAttempt(
            alert_id=alert.id,
            rule_id=alert.rule_id,
            attempt=alert.attempts + 1,
            attempted_at=now,
            outcome=outcome,
            status_code=status_code,
            error=error,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
        )
        await self._outbox.finish(alert, attempt, self._changes(alert, attempt, now))
        if outcome is not DeliveryOutcome.DELIVERED:
            logger.info("alert %s attempt %d: %s", alert.id, attempt.attempt, error)
        return attempt

    def _changes(self, alert: Alert, attempt: DeliveryAttempt, now: datetime) -> dict[str, Any]:
        first = alert.first_attempt_at or now
        changes: dict[str, Any] = {
            "attempts": attempt.attempt,
            "firstAttemptAt": first,
            "lastError": attempt.error,
        }
        if attempt.outcome is DeliveryOutcome.DELIVERED:
            return changes | {"status": AlertStatus.DELIVERED.value, "deliveredAt": now}
        started = alert.model_copy(update={"first_attempt_at": first})
        if attempt.outcome is DeliveryOutcome.REFUSED or gives_up(started, now, self._retry_window):
            return changes | {"status": AlertStatus.DEAD.value}
        return changes | {"nextAttemptAt": now + retry_delay(attempt.attempt, self._rng)}


@contextlib.asynccontextmanager
async def running(deliverer: WebhookDeliverer) -> AsyncIterator[WebhookDeliverer]:
    task = asyncio.create_task(deliverer.run(), name="webhook-deliverer")
    try:
        yield deliverer
    finally:
        deliverer.stop()
        # An attempt in flight is bounded by the webhook timeout; one cut short by the
        # cancel is leased, and tried again after the lease.
        await finish(task)
