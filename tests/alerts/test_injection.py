"""Operator-like text in the alert inputs is data or refused, never a filter (the write
API's injection test counts these inputs as covered through :data:`ALERT_STRING_INPUTS`)."""

from __future__ import annotations

import pytest

from tests.alerts.test_watchlists import CREATE, LIST
from tests.conftest import GraphQLClient
from tests.schema.test_mutations_injection import PAYLOADS

ALERT_STRING_INPUTS = {
    "CreateWatchlistInput.name",
    "CreateWatchlistInput.slugs",
}


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
