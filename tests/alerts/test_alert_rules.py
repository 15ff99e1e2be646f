"""Alert rules over GraphQL: creation, bad input, SSRF refusals, ownership isolation."""

from __future__ import annotations

from typing import Any

import pytest

from app.alerts.evaluator import AlertEvaluator
from tests.alerts.helpers import CREATE_RULE, create_rule, rule_input, set_one_year
from tests.conftest import GraphQLClient

URL = "https://hooks.example.com/trendgraph"
RULES = """{ alertRules { id name webhookUrl target { slug category watchlistId }
  condition { kind window threshold status outlook } deliveries(first: 5) { attempt }
  alerts(first: 5) { id status } } }"""
ONE_RULE = "query($id: ID!) { alertRule(id: $id) { id name } }"
DELETE_RULE = """mutation($id: ID!) { deleteAlertRule(id: $id) {
  deletedAlertRuleId userErrors { field code } } }"""
REDELIVER = """mutation($id: ID!) { redeliverAlert(id: $id) {
  alert { id status } userErrors { field code } } }"""


async def test_create_list_and_delete(analyst: GraphQLClient) -> None:
    rule_id = await create_rule(analyst, rule_input(URL, name="Mine"))
    data = await analyst.data(RULES)
    assert data["alertRules"] == [
        {
            "id": rule_id,
            "name": "Mine",
            "webhookUrl": URL,
            "target": {"slug": "t-01", "category": None, "watchlistId": None},
            "condition": {
                "kind": "GROWTH_ABOVE",
                "window": "ONE_YEAR",
                "threshold": 50.0,
                "status": None,
                "outlook": None,
            },
            "deliveries": [],
            "alerts": [],
        }
    ]
    deleted = await analyst.data(DELETE_RULE, {"id": rule_id})
    assert deleted["deleteAlertRule"] == {"deletedAlertRuleId": rule_id, "userErrors": []}
    assert (await analyst.data(RULES))["alertRules"] == []


async def test_rules_and_alerts_are_invisible_to_other_keys(
    analyst: GraphQLClient, other_analyst: GraphQLClient
) -> None:
    database = analyst.database
    await set_one_year(database, "t-01", 10)
    evaluator = AlertEvaluator(database)
    await evaluator.reconcile()
    rule_id = await create_rule(analyst, rule_input(URL))
    await set_one_year(database, "t-01", 90)
    document = await database.trends.find_one({"slug": "t-01"})
    (alert,) = await evaluator.process([{"operationType": "replace", "fullDocument": document}])
    watchlist = await analyst.data(
        'mutation { createWatchlist(input: {name: "w"}) { watchlist { id } } }'
    )
    watchlist_id = watchlist["createWatchlist"]["watchlist"]["id"]

    assert (await other_analyst.data(RULES))["alertRules"] == []
    assert (await other_analyst.data(ONE_RULE, {"id": rule_id}))["alertRule"] is None
    deleted = await other_analyst.data(DELETE_RULE, {"id": rule_id})
    assert deleted["deleteAlertRule"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]
    redelivered = await other_analyst.data(REDELIVER, {"id": alert.id})
    assert redelivered["redeliverAlert"] == {
        "alert": None,
        "userErrors": [{"field": ["id"], "code": "NOT_FOUND"}],
    }
    # Another key cannot aim a rule at this key's watchlist either.
    data = await other_analyst.data(
        CREATE_RULE, {"input": rule_input(URL, target={"watchlistId": watchlist_id})}
    )
    assert [e["code"] for e in data["createAlertRule"]["userErrors"]] == ["NOT_FOUND"]
    # The owner still sees all of it.
    mine = (await analyst.data(RULES))["alertRules"]
    assert [rule["id"] for rule in mine] == [rule_id]
    assert mine[0]["alerts"] == [{"id": alert.id, "status": "PENDING"}]
    assert (await analyst.data(REDELIVER, {"id": alert.id}))["redeliverAlert"]["userErrors"] == []


def _with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    variables = rule_input(URL)
    place = variables
    for key in path[:-1]:
        place = place[key]
    if value is _DROP:
        del place[path[-1]]
    else:
        place[path[-1]] = value
    return variables


_DROP = object()


@pytest.mark.parametrize(
    ("path", "value", "field", "code"),
    [
        (("name",), "  ", ["input", "name"], "INVALID_INPUT"),
        (("target",), {}, ["input", "target"], "INVALID_INPUT"),
        (("target",), {"slug": "t-01", "category": "ai"}, ["input", "target"], "INVALID_INPUT"),
        (("target",), {"slug": "Bad Slug"}, ["input", "target", "slug"], "INVALID_INPUT"),
        (("target",), {"slug": "missing"}, ["input", "target", "slug"], "NOT_FOUND"),
        (("target",), {"category": "nope"}, ["input", "target", "category"], "UNKNOWN_CATEGORY"),
        (("target",), {"watchlistId": "xyz"}, ["input", "target", "watchlistId"], "INVALID_INPUT"),
        (("target",), {"watchlistId": "0" * 24}, ["input", "target", "watchlistId"], "NOT_FOUND"),
        (("condition", "threshold"), _DROP, ["input", "condition"], "INVALID_INPUT"),
        (("condition", "threshold"), 1e12, ["input", "condition", "threshold"], "INVALID_INPUT"),
        (("condition", "status"), "EXPLODING", ["input", "condition"], "INVALID_INPUT"),
        (("condition",), {"kind": "STATUS_BECOMES"}, ["input", "condition"], "INVALID_INPUT"),
        (("condition",), {"kind": "OUTLOOK_BECOMES"}, ["input", "condition"], "INVALID_INPUT"),
        (("condition",), {"kind": "NEW_TREND_IN_CATEGORY"}, ["input"], "INVALID_INPUT"),
        (("delivery", "secret"), "short", ["input", "delivery", "secret"], "INVALID_INPUT"),
        (
            ("delivery", "webhookUrl"),
            "ftp://x.example.com/",
            ["input", "delivery", "webhookUrl"],
            "INVALID_INPUT",
        ),
        (
            ("delivery", "webhookUrl"),
            "not a url",
            ["input", "delivery", "webhookUrl"],
            "INVALID_INPUT",
        ),
        (
            ("delivery", "webhookUrl"),
            "https://user:pw@x.example.com/",
            ["input", "delivery", "webhookUrl"],
            "INVALID_INPUT",
        ),
        (
            ("delivery", "webhookUrl"),
            "https://x.example.com:99999/",
            ["input", "delivery", "webhookUrl"],
            "INVALID_INPUT",
        ),
    ],
)
async def test_create_refuses_bad_input(
    analyst: GraphQLClient, path: tuple[str, ...], value: Any, field: list[str], code: str
) -> None:
    data = await analyst.data(CREATE_RULE, {"input": _with(path, value)})
    payload = data["createAlertRule"]
    assert payload["rule"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)], payload
    assert await analyst.database.alert_rules.count_documents({}) == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://api.localhost/hook",
        "http://10.0.0.7/hook",
        "http://192.168.1.1/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
    ],
)
async def test_private_targets_are_refused(analyst: GraphQLClient, url: str) -> None:
    data = await analyst.data(CREATE_RULE, {"input": rule_input(url)})
    assert data["createAlertRule"]["userErrors"][0]["field"] == ["input", "delivery", "webhookUrl"]
    assert data["createAlertRule"]["userErrors"][0]["code"] == "FORBIDDEN_TARGET"
    assert await analyst.database.alert_rules.count_documents({}) == 0


async def test_private_targets_are_allowed_when_the_server_says_so(
    analyst: GraphQLClient,
) -> None:
    analyst.settings = analyst.settings.model_copy(update={"webhook_allow_private": True})
    await create_rule(analyst, rule_input("http://127.0.0.1:8080/hook"))


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (DELETE_RULE, {"id": "nope"}),
        (DELETE_RULE, {"id": "0" * 24}),
        (REDELIVER, {"id": "nope"}),
        (REDELIVER, {"id": ""}),
    ],
)
async def test_unknown_ids_are_not_found(
    analyst: GraphQLClient, query: str, variables: dict[str, Any]
) -> None:
    (payload,) = (await analyst.data(query, variables)).values()
    assert [error["code"] for error in payload["userErrors"]] == ["NOT_FOUND"]


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_first_is_bounded(analyst: GraphQLClient, first: int) -> None:
    await create_rule(analyst, rule_input(URL))
    errors = await analyst.errors(
        "query($first: Int!) { alertRules { deliveries(first: $first) { attempt } } }",
        {"first": first},
    )
    assert errors == [f"first must be 1 to 100, got {first}"]


async def test_keys_without_the_alerts_scope_are_refused(editor: GraphQLClient) -> None:
    result, _ = await editor.execute(CREATE_RULE, {"input": rule_input(URL)})
    assert result.errors and result.errors[0].extensions == {"code": "FORBIDDEN"}
    assert await editor.database.alert_rules.count_documents({}) == 0
