"""Alert rules: Query.alertRules, createAlertRule, deleteAlertRule, redeliverAlert and the
alertTriggered subscription (``alerts`` scope; each key sees and changes only its own)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Annotated

import strawberry

from app.domain import alerts as domain
from app.domain.errors import ErrorCode, FieldError, WriteError
from app.domain.webhooks import check_webhook_url
from app.storage.alerts.feed import alerts_inserted
from app.storage.alerts.outbox import AlertOutbox
from app.storage.alerts.rules import AlertRuleRepository
from schema.alert_types import Alert, AlertKind, AlertRule
from schema.context import Info
from schema.enums import GrowthWindowKey, TrendStatus
from schema.errors import BadUserInputError
from schema.forecast import ForecastOutlook as Outlook
from schema.mutations.inputs import to_spec
from schema.mutations.payloads import UserError
from schema.permissions import RequiresAlertsScope, owner
from schema.watchlists import SCOPE_NOTE


@strawberry.input(description="Which trends a rule watches: give exactly one field.")
class AlertTargetInput:
    watchlist_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of your watchlists, by id."
    )
    slug: str | None = strawberry.field(default=None, description="One trend, by slug.")
    category: str | None = strawberry.field(
        default=None, description="Every trend in a category, by slug."
    )


@strawberry.input(description="When a rule fires. Give exactly the fields its kind needs.")
class AlertConditionInput:
    kind: AlertKind = strawberry.field(description="What is compared.")
    window: GrowthWindowKey | None = strawberry.field(
        default=None, description="GROWTH_ABOVE and GROWTH_BELOW: the growth window."
    )
    threshold: float | None = strawberry.field(
        default=None,
        description="GROWTH_ABOVE and GROWTH_BELOW: the percent to cross (-100000 to 100000).",
    )
    status: TrendStatus | None = strawberry.field(
        default=None, description="STATUS_BECOMES: the status."
    )
    outlook: Outlook | None = strawberry.field(
        default=None, description="OUTLOOK_BECOMES: the forecast outlook."
    )


@strawberry.input(description="Where a rule's alerts go: a webhook signed with a secret.")
class WebhookDeliveryInput:
    webhook_url: str = strawberry.field(
        description="An http(s) URL on a public address (private, loopback and link-local "
        "targets are refused unless the server allows them)."
    )
    secret: str = strawberry.field(
        description="16 to 200 characters; signs each delivery (X-Trendgraph-Signature)."
    )


@strawberry.input(description="A new alert rule.")
class CreateAlertRuleInput:
    name: str = strawberry.field(description="Its name (1 to 200 characters).")
    target: AlertTargetInput = strawberry.field(description="Which trends it watches.")
    condition: AlertConditionInput = strawberry.field(description="When it fires.")
    delivery: WebhookDeliveryInput = strawberry.field(description="Where its alerts go.")


@strawberry.type(description="The result of createAlertRule.")
class CreateAlertRulePayload:
    rule: AlertRule | None = strawberry.field(description="The new rule; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of deleteAlertRule.")
class DeleteAlertRulePayload:
    deleted_alert_rule_id: strawberry.ID | None = strawberry.field(
        description="Id of the deleted rule; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of redeliverAlert.")
class RedeliverAlertPayload:
    alert: Alert | None = strawberry.field(
        description="The alert, PENDING again and due now; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


RuleId = Annotated[strawberry.ID, strawberry.argument(description="The rule's id.")]


@strawberry.type
class AlertRuleQuery:
    @strawberry.field(
        description="Your alert rules, oldest first." + SCOPE_NOTE,
        permission_classes=[RequiresAlertsScope],
    )
    async def alert_rules(self, info: Info) -> list[AlertRule]:
        rules = await AlertRuleRepository(info.context.database).owned_by(owner(info).key_id)
        return [AlertRule.from_model(rule) for rule in rules]

    @strawberry.field(
        description="One of your alert rules; null if you have none with this id." + SCOPE_NOTE,
        permission_classes=[RequiresAlertsScope],
    )
    async def alert_rule(self, info: Info, id: RuleId) -> AlertRule | None:
        rule = await AlertRuleRepository(info.context.database).get(owner(info).key_id, id)
        return AlertRule.from_model(rule) if rule else None


@strawberry.type
class AlertRuleMutation:
    @strawberry.mutation(
        description="Creates an alert rule; it fires on transitions after this." + SCOPE_NOTE,
        permission_classes=[RequiresAlertsScope],
    )
    async def create_alert_rule(
        self,
        info: Info,
        input: Annotated[CreateAlertRuleInput, strawberry.argument(description="The rule.")],
    ) -> CreateAlertRulePayload:
        try:
            spec = to_spec(domain.AlertRuleSpec, input, "input")
            _check_target(spec.delivery.webhook_url, info.context.settings.webhook_allow_private)
            rule = await AlertRuleRepository(info.context.database).create(owner(info).key_id, spec)
        except WriteError as error:
            return CreateAlertRulePayload(rule=None, user_errors=UserError.many(error.errors))
        return CreateAlertRulePayload(rule=AlertRule.from_model(rule), user_errors=[])

    @strawberry.mutation(
        description="Deletes one of your alert rules; its pending alerts are not sent."
        + SCOPE_NOTE,
        permission_classes=[RequiresAlertsScope],
    )
    async def delete_alert_rule(self, info: Info, id: RuleId) -> DeleteAlertRulePayload:
        try:
            deleted = await AlertRuleRepository(info.context.database).delete(
                owner(info).key_id, id
            )
        except WriteError as error:
            return DeleteAlertRulePayload(
                deleted_alert_rule_id=None, user_errors=UserError.many(error.errors)
            )
        return DeleteAlertRulePayload(deleted_alert_rule_id=strawberry.ID(deleted), user_errors=[])

    @strawberry.mutation(
        description="Sends one of your alerts again now, whatever its status (same alert id; "
        "a fresh retry window)." + SCOPE_NOTE,
        permission_classes=[RequiresAlertsScope],
    )
    async def redeliver_alert(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The alert's id.")],
    ) -> RedeliverAlertPayload:
        alert = await AlertOutbox(info.context.database).redeliver(
            owner(info).key_id, str(id), datetime.now(UTC)
        )
        if alert is None:
            error = FieldError(("id",), f"you have no alert {str(id)!r}", ErrorCode.NOT_FOUND)
            return RedeliverAlertPayload(alert=None, user_errors=UserError.many([error]))
        return RedeliverAlertPayload(alert=Alert.from_model(alert), user_errors=[])


def _check_target(url: str, allow_private: bool) -> None:
    try:
        check_webhook_url(url, allow_private=allow_private)
    except ValueError as error:
        raise WriteError.single(
            ErrorCode.FORBIDDEN_TARGET, str(error), "input", "delivery", "webhookUrl"
        ) from None


@strawberry.type
class AlertSubscription:
    @strawberry.subscription(
        description="Alerts of one of your rules as they fire (from any API instance), for "
        "connected clients; webhooks are the durable path." + SCOPE_NOTE,
        permission_classes=[RequiresAlertsScope],
    )
    async def alert_triggered(self, info: Info, rule_id: RuleId) -> AsyncGenerator[Alert, None]:
        database = info.context.database
        if await AlertRuleRepository(database).get(owner(info).key_id, rule_id) is None:
            raise BadUserInputError(f"you have no alert rule {str(rule_id)!r}", argument="ruleId")
        async with alerts_inserted(database, str(rule_id)) as alerts:
            async for alert in alerts:
                yield Alert.from_model(alert)
