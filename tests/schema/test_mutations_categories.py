"""createCategory, updateCategory, upsertCategories."""

from __future__ import annotations

from typing import Any

import pytest

from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.writes import CREATE_CATEGORY, UPDATE_CATEGORY, UPSERT_CATEGORIES


async def create(editor: GraphQLClient, **value: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await editor.data(CREATE_CATEGORY, {"input": value}))[
        "createCategory"
    ]
    return payload


async def slugs(database: Database) -> list[str]:
    return sorted([document["slug"] async for document in database.categories.find({})])


async def test_create_and_read(editor: GraphQLClient, graphql: GraphQLClient) -> None:
    await create(editor, slug="technology", name="Technology")
    payload = await create(
        editor, slug="robots", name="Robots", description="Machines.", parent="technology"
    )
    assert payload["userErrors"] == []
    assert payload["category"]["parent"] == {"slug": "technology"}
    listed = await graphql.data("{ categories { slug parent { slug } } }")
    assert listed["categories"] == [
        {"slug": "robots", "parent": {"slug": "technology"}},
        {"slug": "technology", "parent": None},
    ]


@pytest.mark.parametrize(
    ("value", "field", "code"),
    [
        ({"slug": "Bad Slug", "name": "n"}, ["input", "slug"], "INVALID_INPUT"),
        ({"slug": "ok", "name": " "}, ["input", "name"], "INVALID_INPUT"),
        ({"slug": "ok", "name": "n" * 201}, ["input", "name"], "INVALID_INPUT"),
        ({"slug": "ok", "name": "n", "description": ""}, ["input", "description"], "INVALID_INPUT"),
        ({"slug": "ok", "name": "n", "parent": "ok"}, ["input", "parent"], "INVALID_INPUT"),
        ({"slug": "ok", "name": "n", "parent": "Bad"}, ["input", "parent"], "INVALID_INPUT"),
        ({"slug": "ok", "name": "n", "parent": "nope"}, ["input", "parent"], "UNKNOWN_CATEGORY"),
        ({"slug": "technology", "name": "n"}, ["input", "slug"], "DUPLICATE_SLUG"),
    ],
    ids=[
        "slug",
        "name-blank",
        "name-long",
        "description-blank",
        "own-parent",
        "parent-format",
        "parent-unknown",
        "duplicate",
    ],
)
async def test_create_refuses(
    database: Database,
    editor: GraphQLClient,
    value: dict[str, Any],
    field: list[str],
    code: str,
) -> None:
    await create(editor, slug="technology", name="Technology")
    payload = await create(editor, **value)
    assert payload["category"] is None
    assert (payload["userErrors"][0]["field"], payload["userErrors"][0]["code"]) == (field, code)
    assert await slugs(database) == ["technology"]


async def test_update(editor: GraphQLClient) -> None:
    await create(editor, slug="technology", name="Technology")
    await create(editor, slug="robots", name="Robots")
    data = await editor.data(
        UPDATE_CATEGORY,
        {"slug": "robots", "input": {"slug": "robots", "name": "Robotics", "parent": "technology"}},
    )
    assert data["updateCategory"]["userErrors"] == []
    assert data["updateCategory"]["category"]["name"] == "Robotics"
    assert data["updateCategory"]["category"]["parent"] == {"slug": "technology"}


@pytest.mark.parametrize(
    ("slug", "value", "field", "code"),
    [
        ("nope", {"slug": "nope", "name": "n"}, ["slug"], "NOT_FOUND"),
        ("a", {"slug": "renamed", "name": "n"}, ["input", "slug"], "INVALID_INPUT"),
        ("a", {"slug": "a", "name": "n", "parent": "c"}, ["input", "parent"], "INVALID_INPUT"),
        ("a", {"slug": "a", "name": "n", "parent": "zz"}, ["input", "parent"], "UNKNOWN_CATEGORY"),
        ("a", {"slug": "a", "name": ""}, ["input", "name"], "INVALID_INPUT"),
    ],
    ids=["not-found", "rename", "cycle", "unknown-parent", "blank-name"],
)
async def test_update_refuses(
    database: Database,
    editor: GraphQLClient,
    slug: str,
    value: dict[str, Any],
    field: list[str],
    code: str,
) -> None:
    await create(editor, slug="a", name="A")
    await create(editor, slug="b", name="B", parent="a")
    await create(editor, slug="c", name="C", parent="b")
    before = [document async for document in database.categories.find({}).sort("slug", 1)]

    data = await editor.data(UPDATE_CATEGORY, {"slug": slug, "input": value})

    errors = data["updateCategory"]["userErrors"]
    assert (errors[0]["field"], errors[0]["code"]) == (field, code)
    assert [document async for document in database.categories.find({}).sort("slug", 1)] == before


async def test_upsert_is_idempotent_and_takes_parents_from_the_batch(
    database: Database, editor: GraphQLClient
) -> None:
    inputs = [
        {"slug": "child", "name": "Child", "parent": "root"},
        {"slug": "root", "name": "Root"},
        {"slug": "orphan", "name": "Orphan", "parent": "missing"},
        {"slug": "loop-a", "name": "A", "parent": "loop-b"},
        {"slug": "loop-b", "name": "B", "parent": "loop-a"},
    ]
    first = (await editor.data(UPSERT_CATEGORIES, {"inputs": inputs}))["upsertCategories"]
    second = (await editor.data(UPSERT_CATEGORIES, {"inputs": inputs}))["upsertCategories"]
    changed = (await editor.data(UPSERT_CATEGORIES, {"inputs": [{"slug": "root", "name": "Top"}]}))[
        "upsertCategories"
    ]

    assert [r["outcome"] for r in first["results"]] == [
        "INSERTED",
        "INSERTED",
        "FAILED",
        "FAILED",
        "FAILED",
    ]
    assert first["results"][2]["userErrors"][0] == {
        "field": ["inputs", "2", "parent"],
        "message": "no category has the slug 'missing'",
        "code": "UNKNOWN_CATEGORY",
    }
    assert first["results"][3]["userErrors"][0]["field"] == ["inputs", "3", "parent"]
    assert (first["inserted"], first["failed"]) == (2, 3)
    assert [r["outcome"] for r in second["results"][:2]] == ["UNCHANGED", "UNCHANGED"]
    assert changed["results"][0]["outcome"] == "UPDATED"
    assert await slugs(database) == ["child", "root"]


async def test_upsert_repeated_slug(database: Database, editor: GraphQLClient) -> None:
    inputs = [{"slug": "a", "name": "A"}, {"slug": "a", "name": "A2"}]
    payload = (await editor.data(UPSERT_CATEGORIES, {"inputs": inputs}))["upsertCategories"]
    assert {e["code"] for r in payload["results"] for e in r["userErrors"]} == {"DUPLICATE_SLUG"}
    assert await slugs(database) == []
