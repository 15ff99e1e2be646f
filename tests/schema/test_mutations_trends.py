"""createTrend, updateTrend, deleteTrend: success paths and refusals that write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry import relay

from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.writes import (
    CREATE_TREND,
    DELETE_TREND,
    READ_TREND,
    UPDATE_TREND,
    add_categories,
    create_trend,
    stored_trends,
    trend_input,
)


@pytest.fixture(autouse=True)
async def categories(database: Database) -> None:
    await add_categories(database)


def content(trend: dict[str, Any]) -> dict[str, Any]:
    """A trend as answered, without what the server decides (id, times, version)."""
    return {
        key: value
        for key, value in trend.items()
        if key not in {"id", "createdAt", "updatedAt", "version"}
    }


async def test_create_returns_and_stores_every_field(
    database: Database, editor: GraphQLClient, graphql: GraphQLClient
) -> None:
    created = await create_trend(editor, slug="rust")

    assert created["version"] == 1
    assert created["createdAt"] == created["updatedAt"]
    assert created["category"] == {"slug": "software-development"}
    assert created["growth"] == [
        {
            "window": "THREE_MONTHS",
            "percent": 12.5,
            "method": "REPORTED",
            "startValue": 40.0,
            "endValue": 45.0,
        },
        {
            "window": "FIVE_YEARS",
            "percent": 300.0,
            "method": "REPORTED",
            "startValue": None,
            "endValue": None,
        },
    ]
    assert created["analyses"]["decomposition"]["generatedAt"] == "2026-01-02T03:04:05.678000+00:00"
    assert created["analyses"]["jobsToBeDone"]["keyOutcome"] == "k"
    read = (await graphql.data(READ_TREND, {"slug": "rust"}))["trend"]
    assert read == created
    assert relay.from_base64(created["id"])[0] == "Trend"


async def test_create_with_only_the_required_fields(editor: GraphQLClient) -> None:
    data = await editor.data(CREATE_TREND, {"input": {"slug": "bare", "name": "Bare"}})
    trend = data["createTrend"]["trend"]
    assert trend["aliases"] == trend["tags"] == trend["growth"] == trend["related"] == []
    assert trend["category"] is None and trend["status"] is None
    assert trend["analyses"] == {
        "decomposition": None,
        "pestle": None,
        "jobsToBeDone": None,
        "consumerTrendCanvas": None,
    }


async def test_create_with_related_trends(editor: GraphQLClient) -> None:
    await create_trend(editor, slug="tokio")
    created = await create_trend(editor, slug="rust", related=["tokio"])
    assert created["related"] == [{"slug": "tokio"}]


async def test_create_duplicate_slug(database: Database, editor: GraphQLClient) -> None:
    await create_trend(editor, slug="rust")
    data = await editor.data(CREATE_TREND, {"input": trend_input("rust", name="Other")})
    assert data["createTrend"]["trend"] is None
    assert data["createTrend"]["userErrors"] == [
        {
            "field": ["input", "slug"],
            "message": "another trend already has the slug 'rust'",
            "code": "DUPLICATE_SLUG",
        }
    ]
    assert [document["name"] for document in await stored_trends(database)] == ["Trend rust"]


async def test_create_unknown_category_and_related(
    database: Database, editor: GraphQLClient
) -> None:
    data = await editor.data(
        CREATE_TREND,
        {"input": trend_input("rust", category="cooking", related=["tokio", "serde"])},
    )
    errors = data["createTrend"]["userErrors"]
    assert [(error["field"], error["code"]) for error in errors] == [
        (["input", "category"], "UNKNOWN_CATEGORY"),
        (["input", "related", "0"], "UNKNOWN_RELATED"),
    ]
    assert "'tokio', 'serde'" in errors[1]["message"]
    assert await stored_trends(database) == []


async def test_update_replaces_content_and_bumps_version(
    editor: GraphQLClient, graphql: GraphQLClient
) -> None:
    created = await create_trend(editor, slug="rust")
    new_input = trend_input("rust", name="Rust", tags=["systems"], analyses=None, growth=[])

    data = await editor.data(
        UPDATE_TREND, {"slug": "rust", "input": new_input, "expectedVersion": 1}
    )

    payload = data["updateTrend"]
    assert payload["userErrors"] == []
    updated = payload["trend"]
    assert updated["version"] == 2
    assert updated["createdAt"] == created["createdAt"]
    assert updated["updatedAt"] >= created["updatedAt"]
    assert updated["name"] == "Rust" and updated["tags"] == ["systems"]
    assert updated["growth"] == [] and updated["analyses"]["pestle"] is None
    assert (await graphql.data(READ_TREND, {"slug": "rust"}))["trend"] == updated


async def test_update_with_the_same_content_changes_nothing(editor: GraphQLClient) -> None:
    created = await create_trend(editor, slug="rust")
    data = await editor.data(
        UPDATE_TREND, {"slug": "rust", "input": trend_input("rust"), "expectedVersion": 1}
    )
    assert data["updateTrend"]["trend"] == created


async def test_update_renames(editor: GraphQLClient, graphql: GraphQLClient) -> None:
    await create_trend(editor, slug="tokio")
    await create_trend(editor, slug="rust", related=["tokio"])
    data = await editor.data(
        UPDATE_TREND,
        {"slug": "tokio", "input": trend_input("tokio-rs"), "expectedVersion": 1},
    )
    assert data["updateTrend"]["trend"]["slug"] == "tokio-rs"
    rust = (await graphql.data(READ_TREND, {"slug": "rust"}))["trend"]
    assert rust["related"] == [{"slug": "tokio-rs"}]
    assert (await graphql.data(READ_TREND, {"slug": "tokio"}))["trend"] is None


async def test_update_rename_onto_a_taken_slug(database: Database, editor: GraphQLClient) -> None:
    await create_trend(editor, slug="rust")
    await create_trend(editor, slug="go")
    data = await editor.data(
        UPDATE_TREND, {"slug": "go", "input": trend_input("rust"), "expectedVersion": 1}
    )
    assert data["updateTrend"]["userErrors"][0]["code"] == "DUPLICATE_SLUG"
    assert data["updateTrend"]["userErrors"][0]["field"] == ["input", "slug"]
    assert [document["slug"] for document in await stored_trends(database)] == ["go", "rust"]


async def test_update_cannot_relate_a_trend_to_its_old_slug(editor: GraphQLClient) -> None:
    await create_trend(editor, slug="rust")
    data = await editor.data(
        UPDATE_TREND,
        {"slug": "rust", "input": trend_input("rust-lang", related=["rust"]), "expectedVersion": 1},
    )
    assert data["updateTrend"]["userErrors"] == [
        {
            "field": ["input", "related", "0"],
            "message": "a trend cannot be related to itself",
            "code": "INVALID_INPUT",
        }
    ]


async def test_update_unknown_slug(editor: GraphQLClient) -> None:
    data = await editor.data(
        UPDATE_TREND, {"slug": "nope", "input": trend_input("nope"), "expectedVersion": 1}
    )
    assert data["updateTrend"] == {
        "trend": None,
        "userErrors": [
            {"field": ["slug"], "message": "no trend has the slug 'nope'", "code": "NOT_FOUND"}
        ],
    }


async def test_update_stale_version(database: Database, editor: GraphQLClient) -> None:
    await create_trend(editor, slug="rust")
    data = await editor.data(
        UPDATE_TREND,
        {"slug": "rust", "input": trend_input("rust", name="Late"), "expectedVersion": 7},
    )
    [error] = data["updateTrend"]["userErrors"]
    assert error["code"] == "VERSION_CONFLICT"
    assert error["field"] == ["expectedVersion"]
    assert "expected version 7, but the trend is at version 1" in error["message"]
    [stored] = await stored_trends(database)
    assert (stored["name"], stored["version"]) == ("Trend rust", 1)


async def test_delete(database: Database, editor: GraphQLClient, graphql: GraphQLClient) -> None:
    tokio = await create_trend(editor, slug="tokio")
    rust = await create_trend(editor, slug="rust", related=["tokio"])

    data = await editor.data(DELETE_TREND, {"slug": "tokio", "expectedVersion": 1})

    assert data["deleteTrend"] == {"deletedTrendId": tokio["id"], "userErrors": []}
    assert (await graphql.data(READ_TREND, {"slug": "tokio"}))["trend"] is None
    rust_now = (await graphql.data(READ_TREND, {"slug": "rust"}))["trend"]
    assert rust_now["related"] == []
    assert rust_now["version"] == rust["version"] + 1
    [stored] = await stored_trends(database)
    assert stored["related"] == []


async def test_delete_refusals_write_nothing(database: Database, editor: GraphQLClient) -> None:
    await create_trend(editor, slug="rust")
    missing = await editor.data(DELETE_TREND, {"slug": "nope", "expectedVersion": 1})
    stale = await editor.data(DELETE_TREND, {"slug": "rust", "expectedVersion": 2})
    assert missing["deleteTrend"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert missing["deleteTrend"]["deletedTrendId"] is None
    assert stale["deleteTrend"]["userErrors"][0]["code"] == "VERSION_CONFLICT"
    assert len(await stored_trends(database)) == 1


async def test_delete_by_alias_is_not_found(editor: GraphQLClient) -> None:
    await create_trend(editor, slug="rust", aliases=["Rust Lang"])
    data = await editor.data(DELETE_TREND, {"slug": "rust-lang", "expectedVersion": 1})
    assert data["deleteTrend"]["userErrors"][0]["code"] == "NOT_FOUND"
