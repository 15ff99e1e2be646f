"""Alerts in the outbox: what a firing becomes, how its webhook body looks, when to retry.

Every firing is stored in ``alert_outbox`` before anything is sent (at-least-once: a crash
after the write only delays delivery). A delivery that fails is retried with exponential
backoff and full jitter (:func:`retry_delay`) until the retry window (24 h by default) has
passed since the first attempt; then the alert is dead-lettered (``DEAD``) and kept, and
``redeliverAlert`` can send it again.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field

from app.domain.alerts import Firing
from app.domain.models import DomainModel

FIRST_RETRY_SECONDS = 30.0
LONGEST_RETRY_SECONDS = 3_600.0


class AlertStatus(StrEnum):
    PENDING = "PENDING"
    """Waiting for its first or next attempt."""
    DELIVERED = "DELIVERED"
    """A 2xx answer was received."""
    DEAD = "DEAD"
    """Every attempt in the retry window failed; kept for redeliverAlert."""


class DeliveryOutcome(StrEnum):
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    REFUSED = "REFUSED"
    """Not sent: the target resolved to a private or loopback address (SSRF)."""


class Alert(DomainModel):
    """One alert in the outbox."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(alias="_id")
    rule_id: str
    owner: str
    body: dict[str, Any]
    status: AlertStatus
    attempts: int = 0
    created_at: datetime
    next_attempt_at: datetime
    first_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    last_error: str | None = None


class DeliveryAttempt(DomainModel):
    """One try at delivering an alert (``alert_deliveries``)."""

    model_config = ConfigDict(extra="ignore")

    alert_id: str
    rule_id: str
    attempt: int
    attempted_at: datetime
    outcome: DeliveryOutcome
    status_code: int | None = None
    error: str | None = None
    duration_ms: float


def alert_body(firing: Firing, occurred_at: datetime) -> dict[str, Any]:
    """The webhook's JSON body: the alert id (receivers deduplicate on it), the rule, the
    trend and the values that crossed."""
    rule, trend = firing.rule, firing.current
    previous, current = firing.values()
    condition = rule.condition
    return {
        "id": firing.alert_id,
        "ruleId": rule.id,
        "ruleName": rule.name,
        "kind": condition.kind.value,
        "trend": {"id": trend.trend_id, "slug": trend.slug, "name": trend.name},
        "window": condition.window.value if condition.window else None,
        "threshold": condition.threshold,
        "status": condition.status.value if condition.status else None,
        "outlook": condition.outlook.value if condition.outlook else None,
        "category": trend.category,
        "previousValue": previous,
        "currentValue": current,
        "trendVersion": trend.version,
        "occurredAt": occurred_at.isoformat(),
    }


def new_alert(firing: Firing, occurred_at: datetime, now: datetime) -> Alert:
    return Alert(
        _id=firing.alert_id,
        rule_id=firing.rule.id,
        owner=firing.rule.owner,
        body=alert_body(firing, occurred_at),
        status=AlertStatus.PENDING,
        created_at=now,
        next_attempt_at=now,
    )


def retry_delay(failures: int, rng: random.Random) -> timedelta:
    """How long to wait after the ``failures``-th failed attempt: full jitter over an
    exponential ceiling (30 s, 1 min, 2 min, ... capped at an hour), so receivers coming
    back from an outage are not hit by every sender at once."""
    ceiling = min(LONGEST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(failures - 1, 0))
    return timedelta(seconds=rng.uniform(ceiling / 2, ceiling))


def gives_up(alert: Alert, now: datetime, retry_window: timedelta) -> bool:
    """Whether a failure at ``now`` dead-letters ``alert``: its retry window has passed."""
    started = alert.first_attempt_at or now
    return now - started >= retry_window
