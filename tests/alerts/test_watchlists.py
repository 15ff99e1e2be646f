"""Watchlists over GraphQL: the happy path, ownership isolation, scopes and bad input."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.keys import hash_key
from app.settings import Settings
from app.storage.database import Database
from tests.conftest import GraphQLClient, app_client

CREATE = """
mutation($input: CreateWatchlistInput!) {
  createWatchlist(input: $input) {
    watchlist { id name slugs }
    userErrors { field message code }
  }
}"""
ADD = """
mutation($id: ID!, $slugs: [String!]!) {
  addToWatchlist(id: $id, slugs: $slugs) {
    watchlist { id slugs } userErrors { field message code }
  }
}"""
REMOVE = ADD.replace("addToWatchlist", "removeFromWatchlist")
DELETE = """
mutation($id: ID!) {
  deleteWatchlist(id: $id) { deletedWatchlistId userErrors { field message code } }
}"""
LIST = "{ watchlists { id name slugs } }"


async def create(client: GraphQLClient, name: str, slugs: list[str]) -> dict[str, Any]:
    data = await client.data(CREATE, {"input": {"name": name, "slugs": slugs}})
    payload: dict[str, Any] = data["createWatchlist"]
    assert payload["userErrors"] == []
    return payload["watchlist"]  # type: ignore[no-any-return]


async def test_create_add_remove_delete(analyst: GraphQLClient) -> None:
    watchlist = await create(analyst, "Mine", ["t-01", "t-02"])
    assert watchlist["slugs"] == ["t-01", "t-02"]
    added = await analyst.data(ADD, {"id": watchlist["id"], "slugs": ["t-02", "t-03"]})
    assert added["addToWatchlist"]["watchlist"]["slugs"] == ["t-01", "t-02", "t-03"]
    removed = await analyst.data(REMOVE, {"id": watchlist["id"], "slugs": ["t-01"]})
    assert removed["removeFromWatchlist"]["watchlist"]["slugs"] == ["t-02", "t-03"]
    assert await analyst.data(LIST) == {
        "watchlists": [{"id": watchlist["id"], "name": "Mine", "slugs": ["t-02", "t-03"]}]
    }
    deleted = await analyst.data(DELETE, {"id": watchlist["id"]})
    assert deleted["deleteWatchlist"] == {"deletedWatchlistId": watchlist["id"], "userErrors": []}
    assert await analyst.data(LIST) == {"watchlists": []}


async def test_watchlists_are_invisible_to_other_keys(
    analyst: GraphQLClient, other_analyst: GraphQLClient, trends: Database
) -> None:
    mine = await create(analyst, "Mine", ["t-01"])
    theirs = await create(other_analyst, "Theirs", ["t-02"])
    assert [item["id"] for item in (await analyst.data(LIST))["watchlists"]] == [mine["id"]]
    assert [item["id"] for item in (await other_analyst.data(LIST))["watchlists"]] == [theirs["id"]]
    # Every change to another key's watchlist answers as if it did not exist, and changes nothing.
    for query, variables in [
        (ADD, {"id": mine["id"], "slugs": ["t-05"]}),
        (REMOVE, {"id": mine["id"], "slugs": ["t-01"]}),
        (DELETE, {"id": mine["id"]}),
    ]:
        data = await other_analyst.data(query, variables)
        (payload,) = data.values()
        assert [error["code"] for error in payload["userErrors"]] == ["NOT_FOUND"]
    stored = await trends.watchlists.find_one({"name": "Mine"})
    assert stored is not None and stored["slugs"] == ["t-01"]


async def test_keys_without_the_alerts_scope_are_refused(
    editor: GraphQLClient, graphql: GraphQLClient, analyst: GraphQLClient
) -> None:
    variables = {"input": {"name": "x", "slugs": []}}
    result, _ = await editor.execute(CREATE, variables)
    assert result.errors and result.errors[0].extensions == {"code": "FORBIDDEN"}
    assert "`alerts` scope" in result.errors[0].message
    result, _ = await graphql.execute(LIST)
    assert result.errors and result.errors[0].extensions == {"code": "UNAUTHENTICATED"}
    # And an alerts-only key may not write trends.
    result, _ = await analyst.execute(
        'mutation { deleteTrend(slug: "t-01", expectedVersion: 1) { deletedTrendId } }'
    )
    assert result.errors and result.errors[0].extensions == {"code": "FORBIDDEN"}
    assert await analyst.database.watchlists.count_documents({}) == 0
    assert await analyst.database.trends.count_documents({"slug": "t-01"}) == 1


@pytest.mark.parametrize(
    ("variables", "field", "code"),
    [
        ({"name": "   ", "slugs": []}, ["input", "name"], "INVALID_INPUT"),
        ({"name": "x" * 201, "slugs": []}, ["input", "name"], "INVALID_INPUT"),
        ({"name": "ok", "slugs": ["Not A Slug"]}, ["input", "slugs", "0"], "INVALID_INPUT"),
        ({"name": "ok", "slugs": ["t-01", "nope"]}, ["input", "slugs", "1"], "NOT_FOUND"),
        (
            {"name": "ok", "slugs": [f"s-{i}" for i in range(501)]},
            ["input", "slugs"],
            "INVALID_INPUT",
        ),
    ],
)
async def test_create_refuses_bad_input(
    analyst: GraphQLClient, variables: dict[str, Any], field: list[str], code: str
) -> None:
    data = await analyst.data(CREATE, {"input": variables})
    payload = data["createWatchlist"]
    assert payload["watchlist"] is None
    assert (payload["userErrors"][0]["field"], payload["userErrors"][0]["code"]) == (field, code)
    assert await analyst.database.watchlists.count_documents({}) == 0


@pytest.mark.parametrize(
    ("query", "slugs", "field", "code"),
    [
        (ADD, [], ["slugs"], "INVALID_INPUT"),
        (ADD, ["BAD"], ["slugs", "0"], "INVALID_INPUT"),
        (ADD, ["t-03", "missing"], ["slugs", "1"], "NOT_FOUND"),
        (REMOVE, ["t-09"], ["slugs", "0"], "NOT_FOUND"),
        (REMOVE, [], ["slugs"], "INVALID_INPUT"),
    ],
)
async def test_changes_refuse_bad_input(
    analyst: GraphQLClient, query: str, slugs: list[str], field: list[str], code: str
) -> None:
    watchlist = await create(analyst, "Mine", ["t-01"])
    data = await analyst.data(query, {"id": watchlist["id"], "slugs": slugs})
    (payload,) = data.values()
    assert payload["watchlist"] is None
    assert (payload["userErrors"][0]["field"], payload["userErrors"][0]["code"]) == (field, code)
    stored = await analyst.database.watchlists.find_one({})
    assert stored is not None and stored["slugs"] == ["t-01"]


@pytest.mark.parametrize("identifier", ["nope", "0" * 24, ""])
async def test_unknown_ids_are_not_found(analyst: GraphQLClient, identifier: str) -> None:
    calls: list[tuple[str, dict[str, Any]]] = [
        (ADD, {"id": identifier, "slugs": ["t-01"]}),
        (REMOVE, {"id": identifier, "slugs": ["t-01"]}),
        (DELETE, {"id": identifier}),
    ]
    for query, variables in calls:
        (payload,) = (await analyst.data(query, variables)).values()
        assert [error["code"] for error in payload["userErrors"]] == ["NOT_FOUND"]


async def test_over_http_a_missing_scope_is_403(trends: Database, settings: Settings) -> None:
    writer, watcher = "writer-key-for-403", "watcher-key-for-403"
    serving = settings.model_copy(
        update={"api_key_hashes": (hash_key(writer), f"w:{hash_key(watcher)}:alerts")}
    )
    body = {"query": CREATE, "variables": {"input": {"name": "x", "slugs": []}}}
    async with app_client(trends, serving) as client:
        refused = await client.post(
            "/graphql", json=body, headers={"Authorization": f"Bearer {writer}"}
        )
        allowed = await client.post(
            "/graphql", json=body, headers={"Authorization": f"Bearer {watcher}"}
        )
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    assert allowed.status_code == 200
    assert allowed.json()["data"]["createWatchlist"]["userErrors"] == []
    assert await trends.watchlists.count_documents({}) == 1
