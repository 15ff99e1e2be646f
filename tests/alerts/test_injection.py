"""Operator-like text in the alert inputs is data or refused, never a filter (the write
API's injection test counts these inputs as covered through :data:`ALERT_STRING_INPUTS`)."""

from __future__ import annotations

import pytest

from tests.alerts.helpers import CREATE_RULE, rule_input
from tests.alerts.test_watchlists import CREATE, LIST
from tests.conftest import GraphQLClient
from tests.schema.test_mutations_injection import PAYLOADS

ALERT_STRING_INPUTS = {
    "CreateWatchlistInput.name",
    "CreateWatchlistInput.slugs",
    "CreateAlertRuleInput.name",
    "AlertTargetInput.slug",
    "AlertTargetInput.category",
    "WebhookDeliveryInput.webhookUrl",
    "WebhookDeliveryInput.secret",
}
URL = "https://hooks.example.com/x"


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_watchlist_text_is_stored_literally(analyst: GraphQLClient, payload: str) -> None:
    data = await analyst.data(CREATE, {"input": {"name": payload, "slugs": ["t-01"]}})
    assert data["createWatchlist"]["userErrors"] == []
    assert [item["name"] for item in (await analyst.data(LIST))["watchlists"]] == [payload]


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_operator_slugs_are_refused(analyst: GraphQLClient, payload: str) -> None:
    data = await analyst.data(CREATE, {"input": {"name": "x", "slugs": [payload]}})
    assert [error["code"] for error in data["createWatchlist"]["userErrors"]] == ["INVALID_INPUT"]
    assert await analyst.database.watchlists.count_documents({}) == 0


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_rule_text_is_data_or_refused(analyst: GraphQLClient, payload: str) -> None:
    stored = rule_input(URL, name=payload)
    stored["delivery"]["secret"] = (payload * 4)[:40].ljust(16, "x")
    data = await analyst.data(CREATE_RULE, {"input": stored})
    assert data["createAlertRule"]["userErrors"] == []
    rules = (await analyst.data("{ alertRules { name } }"))["alertRules"]
    assert [rule["name"] for rule in rules] == [payload]
    for path, value in [
        (("target",), {"slug": payload}),
        (("target",), {"category": payload}),
        (("delivery", "webhookUrl"), payload),
    ]:
        refused = rule_input(URL)
        place = refused
        for key in path[:-1]:
            place = place[key]
        place[path[-1]] = value
        data = await analyst.data(CREATE_RULE, {"input": refused})
        assert [e["code"] for e in data["createAlertRule"]["userErrors"]] == ["INVALID_INPUT"]
    assert await analyst.database.alert_rules.count_documents({}) == 1
