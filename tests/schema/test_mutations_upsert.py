"""upsertTrends: per-item outcomes, references inside a batch, and idempotence."""

from __future__ import annotations

from typing import Any

import pytest

from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.writes import UPSERT_TRENDS, add_categories, create_trend, stored_trends, trend_input


@pytest.fixture(autouse=True)
async def categories(database: Database) -> None:
    await add_categories(database)


async def upsert(editor: GraphQLClient, inputs: list[dict[str, Any]]) -> dict[str, Any]:
    payload: dict[str, Any] = (await editor.data(UPSERT_TRENDS, {"inputs": inputs}))["upsertTrends"]
    assert payload["userErrors"] == []
    return payload


def outcomes(payload: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(r["index"], r["slug"], r["outcome"]) for r in payload["results"]]


async def test_inserts_updates_and_leaves_alone(database: Database, editor: GraphQLClient) -> None:
    await create_trend(editor, slug="same")
    await create_trend(editor, slug="changed")

    payload = await upsert(
        editor,
        [trend_input("new"), trend_input("same"), trend_input("changed", name="Changed")],
    )

    assert outcomes(payload) == [
        (0, "new", "INSERTED"),
        (1, "same", "UNCHANGED"),
        (2, "changed", "UPDATED"),
    ]
    assert (payload["inserted"], payload["updated"], payload["unchanged"], payload["failed"]) == (
        1,
        1,
        1,
        0,
    )
    versions = {r["slug"]: r["trend"]["version"] for r in payload["results"]}
    assert versions == {"new": 1, "same": 1, "changed": 2}
    assert {
        document["slug"]: document["version"] for document in await stored_trends(database)
    } == versions


async def test_rerunning_the_same_input_changes_nothing(
    database: Database, editor: GraphQLClient
) -> None:
    inputs = [
        trend_input("a", related=["b"]),
        trend_input("b", related=["a", "c"]),
        trend_input("c", analyses=None, growth=[]),
    ]
    first = await upsert(editor, inputs)
    stored_before = await stored_trends(database)

    second = await upsert(editor, inputs)

    assert [r["outcome"] for r in first["results"]] == ["INSERTED"] * 3
    assert [r["outcome"] for r in second["results"]] == ["UNCHANGED"] * 3
    assert [r["trend"] for r in second["results"]] == [r["trend"] for r in first["results"]]
    assert await stored_trends(database) == stored_before


async def test_related_may_point_forward_and_in_cycles(
    editor: GraphQLClient, graphql: GraphQLClient
) -> None:
    payload = await upsert(
        editor, [trend_input("a", related=["b"]), trend_input("b", related=["a"])]
    )
    related = {r["slug"]: r["trend"]["related"] for r in payload["results"]}
    assert related == {"a": [{"slug": "b"}], "b": [{"slug": "a"}]}


async def test_an_item_pointing_at_a_failed_item_fails_too(
    database: Database, editor: GraphQLClient
) -> None:
    payload = await upsert(
        editor,
        [
            trend_input("a", related=["b"]),
            trend_input("b", name=" "),  # invalid
            trend_input("c", related=["a"]),  # stranded once a fails
            trend_input("d"),
        ],
    )

    assert [r["outcome"] for r in payload["results"]] == ["FAILED", "FAILED", "FAILED", "INSERTED"]
    assert payload["results"][0]["userErrors"] == [
        {
            "field": ["inputs", "0", "related", "0"],
            "message": "no trend has the slug 'b'",
            "code": "UNKNOWN_RELATED",
        }
    ]
    assert payload["results"][2]["userErrors"][0]["code"] == "UNKNOWN_RELATED"
    assert [document["slug"] for document in await stored_trends(database)] == ["d"]


async def test_a_slug_repeated_in_a_batch_fails_every_copy(
    database: Database, editor: GraphQLClient
) -> None:
    payload = await upsert(
        editor, [trend_input("a"), trend_input("b"), trend_input("a", name="Again")]
    )
    assert outcomes(payload) == [(0, "a", "FAILED"), (1, "b", "INSERTED"), (2, "a", "FAILED")]
    error = payload["results"][2]["userErrors"][0]
    assert error["code"] == "DUPLICATE_SLUG"
    assert error["field"] == ["inputs", "2", "slug"]
    assert [document["slug"] for document in await stored_trends(database)] == ["b"]


async def test_an_empty_batch(editor: GraphQLClient) -> None:
    payload = await upsert(editor, [])
    assert payload["results"] == []
    assert payload["inserted"] == payload["failed"] == 0


async def test_times_with_microseconds_and_offsets_are_unchanged_on_rerun(
    editor: GraphQLClient,
) -> None:
    analyses = trend_input()["analyses"]
    analyses["decomposition"]["generatedAt"] = "2026-01-02T05:04:05.678901+02:00"
    inputs = [trend_input("timed", analyses=analyses)]
    first = await upsert(editor, inputs)
    second = await upsert(editor, inputs)
    decomposition = first["results"][0]["trend"]["analyses"]["decomposition"]
    assert decomposition["generatedAt"] == "2026-01-02T03:04:05.678000+00:00"
    assert second["results"][0]["outcome"] == "UNCHANGED"
