"""Shared steps of the alert tests: rules through GraphQL, trend writes, waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from app.domain.models import GrowthWindow, GrowthWindowKey, TrendSpec
from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.factories import upsert_trends

CREATE_RULE = """
mutation($input: CreateAlertRuleInput!) {
  createAlertRule(input: $input) {
    rule { id name target { watchlistId slug category } condition { kind window threshold } }
    userErrors { field message code }
  }
}"""
SECRET = "a-secret-of-16+chars"


def rule_input(
    url: str,
    *,
    target: dict[str, Any] | None = None,
    condition: dict[str, Any] | None = None,
    name: str = "Rule",
) -> dict[str, Any]:
    return {
        "name": name,
        "target": target or {"slug": "t-01"},
        "condition": condition or {"kind": "GROWTH_ABOVE", "window": "ONE_YEAR", "threshold": 50},
        "delivery": {"webhookUrl": url, "secret": SECRET},
    }


async def create_rule(client: GraphQLClient, variables: dict[str, Any]) -> str:
    data = await client.data(CREATE_RULE, {"input": variables})
    payload = data["createAlertRule"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return str(payload["rule"]["id"])


async def set_one_year(database: Database, slug: str, percent: float) -> None:
    """Rewrites trend ``slug``'s one-year growth (a seeding-style upsert)."""
    stored = await database.trends.find_one({"slug": slug})
    assert stored is not None
    spec = TrendSpec(
        slug=slug,
        name=stored["name"],
        category=stored.get("category"),
        growth=[GrowthWindow(window=GrowthWindowKey.ONE_YEAR, percent=percent)],
    )
    await upsert_trends(database, [spec])


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Polls ``check`` until it answers true; fails naming ``what`` after 30 seconds (a
    bound for a stuck run, not a timing assertion)."""
    try:
        async with asyncio.timeout(30):
            while not await check():  # noqa: ASYNC110 - the state is in another process
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"gave up waiting: {what}") from None


async def outbox_count(database: Database, **query: Any) -> int:
    return await database.alert_outbox.count_documents(query)
