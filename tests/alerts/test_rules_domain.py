"""Rule evaluation without a database: transitions, kinds, targets, validation, backoff."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from app.domain.alerts import (
    AlertRule,
    AlertRuleSpec,
    TrendState,
    evaluate,
    holds,
)
from app.domain.forecasting import Outlook
from app.domain.models import GrowthWindowKey, TrendStatus
from app.domain.outbox import Alert, AlertStatus, gives_up, retry_delay

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DELIVERY = {"webhookUrl": "https://hooks.example.com/x", "secret": "s" * 16}


def rule(condition: dict[str, Any], target: dict[str, Any] | None = None) -> AlertRule:
    return AlertRule.model_validate(
        {
            "_id": "r1",
            "owner": "o",
            "createdAt": NOW,
            "name": "r",
            "target": target or {"slug": "t"},
            "condition": condition,
            "delivery": DELIVERY,
        }
    )


def state(
    percent: float | None = None,
    *,
    status: TrendStatus | None = None,
    outlook: Outlook | None = None,
    category: str | None = "tech",
    version: int = 1,
) -> TrendState:
    growth = {} if percent is None else {GrowthWindowKey.ONE_YEAR: percent}
    return TrendState("id1", "t", "T", category, growth, status, outlook, version)


ABOVE_50 = {"kind": "GROWTH_ABOVE", "window": "ONE_YEAR", "threshold": 50}


def fired(rules: list[AlertRule], before: TrendState | None, after: TrendState) -> int:
    return len(evaluate(rules, before, after, NOW))


def test_growth_above_fires_on_each_crossing_only() -> None:
    rules = [rule(ABOVE_50)]
    history = [20.0, 60.0, 70.0, 55.0, 50.0, 40.0, 80.0, 90.0]
    firings = [
        fired(rules, state(before, version=index), state(after, version=index + 1))
        for index, (before, after) in enumerate(itertools.pairwise(history))
    ]
    # 20->60 crosses; 60->70->55 holds; 55->50 (not above: strict) and ->40 stop; 40->80 crosses.
    assert firings == [1, 0, 0, 0, 0, 1, 0]


def test_growth_below_and_a_missing_window() -> None:
    rules = [rule({"kind": "GROWTH_BELOW", "window": "ONE_YEAR", "threshold": 0})]
    assert fired(rules, state(5.0), state(-1.0)) == 1
    assert fired(rules, state(-1.0), state(-3.0)) == 0
    assert fired(rules, state(None), state(None)) == 0  # no window: holds neither
    assert fired(rules, state(None), state(-3.0)) == 1


def test_a_new_trend_crosses_from_nothing() -> None:
    assert fired([rule(ABOVE_50)], None, state(60.0)) == 1
    assert fired([rule(ABOVE_50)], None, state(10.0)) == 0


def test_status_and_outlook_become() -> None:
    status_rule = rule({"kind": "STATUS_BECOMES", "status": "EXPLODING"})
    assert (
        fired([status_rule], state(status=TrendStatus.REGULAR), state(status=TrendStatus.EXPLODING))
        == 1
    )
    exploding = state(status=TrendStatus.EXPLODING)
    assert fired([status_rule], exploding, replace(exploding, version=2)) == 0
    outlook_rule = rule({"kind": "OUTLOOK_BECOMES", "outlook": "FALLING"})
    assert fired([outlook_rule], state(outlook=Outlook.STEADY), state(outlook=Outlook.FALLING)) == 1
    assert fired([outlook_rule], state(), state(outlook=Outlook.RISING)) == 0


def test_new_trend_in_category() -> None:
    category_rule = rule({"kind": "NEW_TREND_IN_CATEGORY"}, {"category": "ai"})
    assert fired([category_rule], None, state(category="ai")) == 1
    assert fired([category_rule], state(category="tech"), state(category="ai")) == 1
    assert fired([category_rule], state(category="ai"), state(category="ai", version=2)) == 0
    assert fired([category_rule], None, state(category="tech")) == 0


def test_category_targets_hold_only_inside_the_category() -> None:
    category_growth = rule(ABOVE_50, {"category": "ai"})
    assert not holds(category_growth, state(90.0, category="tech"))
    # Moving into the category while above the threshold is a crossing for this rule.
    assert fired([category_growth], state(90.0, category="tech"), state(90.0, category="ai")) == 1


def test_alert_ids_are_deterministic_and_distinct() -> None:
    rules = [rule(ABOVE_50)]
    first = evaluate(rules, state(10.0), state(60.0, version=2), NOW)
    again = evaluate(rules, state(10.0), state(60.0, version=2), NOW)
    later = evaluate(rules, state(10.0), state(60.0, version=3), NOW)
    assert first[0].alert_id == again[0].alert_id != later[0].alert_id
    assert first[0].values() == (10.0, 60.0)


@pytest.mark.parametrize(
    ("condition", "target", "message"),
    [
        ({"kind": "GROWTH_ABOVE", "window": "ONE_YEAR"}, None, "needs threshold"),
        ({"kind": "GROWTH_ABOVE", "threshold": 1}, None, "needs window"),
        (
            {"kind": "GROWTH_BELOW", "window": "ONE_YEAR", "threshold": 1, "status": "REGULAR"},
            None,
            "takes no status",
        ),
        ({"kind": "STATUS_BECOMES"}, None, "needs status"),
        ({"kind": "OUTLOOK_BECOMES", "outlook": "UP"}, None, "Input should be"),
        ({"kind": "NEW_TREND_IN_CATEGORY"}, {"slug": "t"}, "needs a category target"),
        (ABOVE_50, {"slug": "t", "category": "c"}, "exactly one"),
        (ABOVE_50, {}, "exactly one"),
        (ABOVE_50, {"watchlistId": "nope"}, "pattern"),
        ({"kind": "GROWTH_ABOVE", "window": "ONE_YEAR", "threshold": float("nan")}, None, "finite"),
        ({"kind": "GROWTH_ABOVE", "window": "ONE_YEAR", "threshold": 1e9}, None, "less than"),
    ],
)
def test_bad_rules_are_refused(
    condition: dict[str, Any], target: dict[str, Any] | None, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        AlertRuleSpec.model_validate(
            {
                "name": "r",
                "target": target if target is not None else {"slug": "t"},
                "condition": condition,
                "delivery": DELIVERY,
            }
        )


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    delays = [retry_delay(failures, rng).total_seconds() for failures in range(1, 12)]
    assert 15 <= delays[0] <= 30 and 30 <= delays[1] <= 60 and 60 <= delays[2] <= 120
    assert all(1_800 <= delay <= 3_600 for delay in delays[8:])
    assert len({retry_delay(3, rng) for _ in range(20)}) > 1  # jittered


def test_gives_up_after_the_retry_window() -> None:
    alert = Alert.model_validate(
        {
            "_id": "a",
            "ruleId": "r",
            "owner": "o",
            "body": {},
            "status": AlertStatus.PENDING,
            "createdAt": NOW,
            "nextAttemptAt": NOW,
            "firstAttemptAt": NOW,
        }
    )
    window = timedelta(hours=24)
    assert not gives_up(alert, NOW + timedelta(hours=23, minutes=59), window)
    assert gives_up(alert, NOW + window, window)
