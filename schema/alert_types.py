"""GraphQL types of alert rules, their alerts and delivery attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry
from strawberry.scalars import JSON

from app.domain import alerts as domain
from app.domain import outbox
from app.storage.alerts.outbox import AlertOutbox
from schema.context import Info
from schema.enums import GrowthWindowKey, TrendStatus, describe_values
from schema.errors import BadUserInputError
from schema.forecast import ForecastOutlook as Outlook

AlertKind = domain.AlertKind
AlertStatus = outbox.AlertStatus
DeliveryOutcome = outbox.DeliveryOutcome
strawberry.enum(
    AlertKind,
    description="When a rule fires, on the crossing only (not again while it holds): "
    "GROWTH_ABOVE (growth over `window` rises above `threshold` percent), GROWTH_BELOW "
    "(falls below it), STATUS_BECOMES (the status becomes `status`), OUTLOOK_BECOMES (the "
    "forecast outlook becomes `outlook`), NEW_TREND_IN_CATEGORY (a trend appears in the "
    "target category: created there or moved into it).",
)
strawberry.enum(
    AlertStatus,
    description="Where an alert's delivery stands: PENDING (waiting for its first or next "
    "attempt), DELIVERED (a 2xx answer came back), DEAD (every attempt of the retry window "
    "failed, or the target was refused; `redeliverAlert` sends it again).",
)
strawberry.enum(
    DeliveryOutcome,
    description="How one attempt ended: DELIVERED (2xx), FAILED (another status, a timeout "
    "or a connection error; retried), REFUSED (not sent: the target is not a public address, "
    "or the rule is gone).",
)
describe_values(
    AlertKind,
    {
        "GROWTH_ABOVE": "Growth over the rule's `window` rises above `threshold` percent.",
        "GROWTH_BELOW": "Growth over the rule's `window` falls below `threshold` percent.",
        "STATUS_BECOMES": "The trend's status becomes the rule's `status`.",
        "OUTLOOK_BECOMES": "The trend's forecast outlook becomes the rule's `outlook`.",
        "NEW_TREND_IN_CATEGORY": "A trend appears in the target category (created there or "
        "moved into it).",
    },
)
describe_values(
    AlertStatus,
    {
        "PENDING": "Waiting for its first or next delivery attempt.",
        "DELIVERED": "A 2xx answer came back.",
        "DEAD": "Every attempt of the retry window failed, or the target was refused; "
        "`redeliverAlert` sends it again.",
    },
)
describe_values(
    DeliveryOutcome,
    {
        "DELIVERED": "The receiver answered 2xx.",
        "FAILED": "Another status, a timeout or a connection error; retried.",
        "REFUSED": "Not sent: the target is not a public address, or the rule is gone.",
    },
)

MAX_FIRST = 100


@strawberry.type(description="Which trends a rule watches: exactly one field is set.")
class AlertTarget:
    watchlist_id: strawberry.ID | None = strawberry.field(description="One of your watchlists.")
    slug: str | None = strawberry.field(description="One trend, by slug.")
    category: str | None = strawberry.field(description="Every trend in a category, by slug.")


@strawberry.type(description="When a rule fires; which fields are set depends on `kind`.")
class AlertCondition:
    kind: AlertKind = strawberry.field(description="What is compared.")
    window: GrowthWindowKey | None = strawberry.field(description="Growth kinds: the window.")
    threshold: float | None = strawberry.field(description="Growth kinds: percent to cross.")
    status: TrendStatus | None = strawberry.field(description="STATUS_BECOMES: the status.")
    outlook: Outlook | None = strawberry.field(description="OUTLOOK_BECOMES: the outlook.")


@strawberry.type(description="One attempt at delivering an alert's webhook.")
class AlertDelivery:
    alert_id: strawberry.ID = strawberry.field(description="The alert delivered.")
    attempt: int = strawberry.field(description="1 for the first attempt of the alert, and so on.")
    attempted_at: datetime = strawberry.field(description="When it was made.")
    outcome: DeliveryOutcome = strawberry.field(description="How it ended.")
    status_code: int | None = strawberry.field(description="The receiver's HTTP status, if any.")
    error: str | None = strawberry.field(description="Why it failed (status and answer excerpt).")

    @classmethod
    def from_model(cls, attempt: outbox.DeliveryAttempt) -> Self:
        return cls(
            alert_id=strawberry.ID(attempt.alert_id),
            attempt=attempt.attempt,
            attempted_at=attempt.attempted_at,
            outcome=attempt.outcome,
            status_code=attempt.status_code,
            error=attempt.error,
        )


@strawberry.type(description="One firing of a rule, as stored in the outbox and sent.")
class Alert:
    id: strawberry.ID = strawberry.field(
        description="Unique per firing and kept across retries: receivers deduplicate on it."
    )
    rule_id: strawberry.ID = strawberry.field(description="The rule that fired.")
    status: AlertStatus = strawberry.field(description="Where its delivery stands.")
    attempts: int = strawberry.field(description="Delivery attempts so far.")
    created_at: datetime = strawberry.field(description="When it fired.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due (PENDING only)."
    )
    delivered_at: datetime | None = strawberry.field(description="When a 2xx came back.")
    last_error: str | None = strawberry.field(description="Why the last attempt failed.")
    body: JSON = strawberry.field(
        description="The webhook's JSON body: id, ruleId, kind, trend { id slug name }, the "
        "condition's fields, previousValue and currentValue (what crossed), occurredAt."
    )

    @classmethod
    def from_model(cls, alert: outbox.Alert) -> Self:
        pending = alert.status is outbox.AlertStatus.PENDING
        return cls(
            id=strawberry.ID(alert.id),
            rule_id=strawberry.ID(alert.rule_id),
            status=alert.status,
            attempts=alert.attempts,
            created_at=alert.created_at,
            next_attempt_at=alert.next_attempt_at if pending else None,
            delivered_at=alert.delivered_at,
            last_error=alert.last_error,
            body=alert.body,  # type: ignore[arg-type]  # JSON is a NewType of object
        )


First = Annotated[
    int, strawberry.argument(description=f"How many, newest first (1 to {MAX_FIRST}).")
]


def _first(first: int) -> int:
    if not 1 <= first <= MAX_FIRST:
        raise BadUserInputError(f"first must be 1 to {MAX_FIRST}, got {first}", argument="first")
    return first


@strawberry.type(description="A rule: which trends, when it fires, where its alerts go.")
class AlertRule:
    id: strawberry.ID = strawberry.field(description="The rule's id (as `ruleId` in webhooks).")
    name: str = strawberry.field(description="Its name.")
    target: AlertTarget = strawberry.field(description="Which trends it watches.")
    condition: AlertCondition = strawberry.field(description="When it fires.")
    webhook_url: str = strawberry.field(
        description="Where its alerts are POSTed (the secret is never shown)."
    )
    created_at: datetime = strawberry.field(description="When it was created.")

    @strawberry.field(description="Latest delivery attempts of its alerts, newest first.")
    async def deliveries(self, info: Info, first: First = 20) -> list[AlertDelivery]:
        attempts = await AlertOutbox(info.context.database).attempts_for_rule(
            str(self.id), _first(first)
        )
        return [AlertDelivery.from_model(attempt) for attempt in attempts]

    @strawberry.field(description="Its latest alerts, newest first.")
    async def alerts(self, info: Info, first: First = 20) -> list[Alert]:
        found = await AlertOutbox(info.context.database).for_rule(str(self.id), _first(first))
        return [Alert.from_model(alert) for alert in found]

    @classmethod
    def from_model(cls, rule: domain.AlertRule) -> Self:
        target, condition = rule.target, rule.condition
        return cls(
            id=strawberry.ID(rule.id),
            name=rule.name,
            target=AlertTarget(
                watchlist_id=strawberry.ID(target.watchlist_id) if target.watchlist_id else None,
                slug=target.slug,
                category=target.category,
            ),
            condition=AlertCondition(
                kind=condition.kind,
                window=condition.window,
                threshold=condition.threshold,
                status=condition.status,
                outlook=condition.outlook,
            ),
            webhook_url=rule.delivery.webhook_url,
            created_at=rule.created_at,
        )
