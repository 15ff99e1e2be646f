"""Alert rules and their evaluation: pure, so every rule is tested without a database.

A rule fires on a *transition*: when its condition holds for a trend after a write and did
not hold before it (or the trend did not exist before it). While the condition keeps
holding, later writes fire nothing; once it stops holding, the next crossing fires again.

``before`` is the trend as the evaluator last saw it (its stored snapshot), ``after`` the
trend after the write. Comparisons are strict: GROWTH_ABOVE holds for ``percent >
threshold``, GROWTH_BELOW for ``percent < threshold``; a missing window holds neither. A
rule on a slug or a category holds only while the trend has that slug or is in that
category (a trend moving into a watched category while above the threshold crosses).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator

from app.domain.forecasting import Outlook
from app.domain.models import (
    DomainModel,
    FiniteFloat,
    GrowthWindowKey,
    ShortText,
    Slug,
    TrendStatus,
)
from app.domain.webhooks import check_webhook_url

MAX_RULES_PER_OWNER = 1_000


class AlertKind(StrEnum):
    GROWTH_ABOVE = "GROWTH_ABOVE"
    GROWTH_BELOW = "GROWTH_BELOW"
    STATUS_BECOMES = "STATUS_BECOMES"
    OUTLOOK_BECOMES = "OUTLOOK_BECOMES"
    NEW_TREND_IN_CATEGORY = "NEW_TREND_IN_CATEGORY"


class RuleTarget(DomainModel):
    """Which trends a rule watches: exactly one of a watchlist, a trend or a category."""

    watchlist_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")] | None = None
    slug: Slug | None = None
    category: Slug | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> RuleTarget:
        given = [name for name in ("watchlist_id", "slug", "category") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("give exactly one of watchlistId, slug and category")
        return self


class RuleCondition(DomainModel):
    """When a rule fires; which fields a kind needs is checked here."""

    kind: AlertKind
    window: GrowthWindowKey | None = None
    threshold: Annotated[FiniteFloat, Field(ge=-100_000, le=100_000)] | None = None
    status: TrendStatus | None = None
    outlook: Outlook | None = None

    @model_validator(mode="after")
    def _fields_of_the_kind(self) -> RuleCondition:
        needed = _NEEDS[self.kind]
        for name in ("window", "threshold", "status", "outlook"):
            present = getattr(self, name) is not None
            if name in needed and not present:
                raise ValueError(f"{self.kind} needs {name}")
            if name not in needed and present:
                raise ValueError(f"{self.kind} takes no {name}")
        return self


_NEEDS: dict[AlertKind, frozenset[str]] = {
    AlertKind.GROWTH_ABOVE: frozenset({"window", "threshold"}),
    AlertKind.GROWTH_BELOW: frozenset({"window", "threshold"}),
    AlertKind.STATUS_BECOMES: frozenset({"status"}),
    AlertKind.OUTLOOK_BECOMES: frozenset({"outlook"}),
    AlertKind.NEW_TREND_IN_CATEGORY: frozenset(),
}


class WebhookDelivery(DomainModel):
    """Where a rule's alerts go. The secret signs each delivery (HMAC-SHA256)."""

    webhook_url: Annotated[str, StringConstraints(max_length=2_000)]
    secret: Annotated[str, StringConstraints(min_length=16, max_length=200)]

    @field_validator("webhook_url")
    @classmethod
    def _url(cls, url: str) -> str:
        return check_webhook_url(url, allow_private=True)


class AlertRuleSpec(DomainModel):
    """What ``createAlertRule`` supplies."""

    name: ShortText
    target: RuleTarget
    condition: RuleCondition
    delivery: WebhookDelivery

    @model_validator(mode="after")
    def _category_rules_watch_categories(self) -> AlertRuleSpec:
        if self.condition.kind is AlertKind.NEW_TREND_IN_CATEGORY and not self.target.category:
            raise ValueError("NEW_TREND_IN_CATEGORY needs a category target")
        return self


class AlertRule(AlertRuleSpec):
    """A stored rule; ``owner`` is the key id of the principal that created it."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(alias="_id")
    owner: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TrendState:
    """What rules look at of a trend: the evaluator's snapshot of it."""

    trend_id: str
    slug: str
    name: str
    category: str | None
    growth: dict[GrowthWindowKey, float]
    status: TrendStatus | None
    outlook: Outlook | None
    version: int

    def value(self, condition: RuleCondition) -> float | str | None:
        """What ``condition`` compares: a growth percent, a status, an outlook or a category."""
        kind = condition.kind
        if kind in (AlertKind.GROWTH_ABOVE, AlertKind.GROWTH_BELOW):
            return self.growth.get(condition.window) if condition.window else None
        if kind is AlertKind.STATUS_BECOMES:
            return self.status
        if kind is AlertKind.OUTLOOK_BECOMES:
            return self.outlook
        return self.category


def holds(rule: AlertRuleSpec, state: TrendState | None) -> bool:
    """Whether ``rule``'s condition is true of ``state`` (``None``: the trend is absent)."""
    if state is None:
        return False
    target = rule.target
    if target.slug is not None and state.slug != target.slug:
        return False
    if target.category is not None and state.category != target.category:
        return False
    condition = rule.condition
    value = state.value(condition)
    match condition.kind:
        case AlertKind.GROWTH_ABOVE:
            return isinstance(value, float) and value > (condition.threshold or 0.0)
        case AlertKind.GROWTH_BELOW:
            return isinstance(value, float) and value < (condition.threshold or 0.0)
        case AlertKind.STATUS_BECOMES:
            return value == condition.status
        case AlertKind.OUTLOOK_BECOMES:
            return value == condition.outlook
        case AlertKind.NEW_TREND_IN_CATEGORY:
            return value is not None  # in the target category: checked above


@dataclass(frozen=True, slots=True)
class Firing:
    """A rule that crossed for a trend: what the alert (and its webhook body) reports."""

    alert_id: str
    rule: AlertRule
    previous: TrendState | None
    current: TrendState

    def values(self) -> tuple[float | str | None, float | str | None]:
        """What crossed: the compared value before and after the write."""
        condition = self.rule.condition
        before = self.previous.value(condition) if self.previous else None
        return before, self.current.value(condition)


def alert_id(rule_id: str, state: TrendState, occurred_at: datetime) -> str:
    """A deterministic id: replaying the same write after a crash (or evaluating it in two
    instances) yields the same id, so the outbox stores the alert once."""
    material = f"{rule_id}|{state.trend_id}|{state.version}|{occurred_at.isoformat()}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def evaluate(
    rules: Iterable[AlertRule],
    before: TrendState | None,
    after: TrendState,
    occurred_at: datetime,
) -> list[Firing]:
    """The rules (already chosen as targeting this trend) that cross with this write."""
    return [
        Firing(alert_id(rule.id, after, occurred_at), rule, before, after)
        for rule in rules
        if holds(rule, after) and not holds(rule, before)
    ]
