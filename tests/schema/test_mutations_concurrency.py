"""Many writers at once: optimistic concurrency and one document per slug."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.writes import (
    CREATE_TREND,
    DELETE_TREND,
    READ_TREND,
    UPDATE_TREND,
    UPSERT_TRENDS,
    add_categories,
    create_trend,
    stored_trends,
    trend_input,
)

WRITERS = 50


@pytest.fixture(autouse=True)
async def categories(database: Database) -> None:
    await add_categories(database)


async def run_all(editor: GraphQLClient, operations: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    async def run(operation: str, variables: dict[str, Any]) -> Any:
        return await editor.data(operation, variables)

    return await asyncio.gather(*(run(operation, variables) for operation, variables in operations))


async def test_one_of_many_updates_with_the_same_expected_version_wins(
    database: Database, editor: GraphQLClient, graphql: GraphQLClient
) -> None:
    await create_trend(editor, slug="contested")
    inputs = [
        trend_input("contested", name=f"Writer {writer}", tags=[f"writer-{writer}"])
        for writer in range(WRITERS)
    ]

    answers = await run_all(
        editor,
        [
            (UPDATE_TREND, {"slug": "contested", "input": item, "expectedVersion": 1})
            for item in inputs
        ],
    )

    payloads = [answer["updateTrend"] for answer in answers]
    winners = [index for index, payload in enumerate(payloads) if payload["trend"]]
    assert len(winners) == 1
    losers = [payload for payload in payloads if payload["trend"] is None]
    assert len(losers) == WRITERS - 1
    assert all(
        [error["code"] for error in payload["userErrors"]] == ["VERSION_CONFLICT"]
        for payload in losers
    )
    [stored] = await stored_trends(database)
    assert stored["version"] == 2
    winner_input = inputs[winners[0]]
    read = (await graphql.data(READ_TREND, {"slug": "contested"}))["trend"]
    assert read == payloads[winners[0]]["trend"]
    assert (read["name"], read["tags"]) == (winner_input["name"], winner_input["tags"])


async def test_concurrent_creates_of_one_slug_make_one_trend(
    database: Database, editor: GraphQLClient
) -> None:
    answers = await run_all(
        editor,
        [(CREATE_TREND, {"input": trend_input("race", name=f"W{i}")}) for i in range(WRITERS)],
    )
    created = [answer for answer in answers if answer["createTrend"]["trend"]]
    assert len(created) == 1
    codes = {error["code"] for answer in answers for error in answer["createTrend"]["userErrors"]}
    assert codes == {"DUPLICATE_SLUG"}
    assert len(await stored_trends(database)) == 1


@pytest.mark.parametrize("same_content", [True, False], ids=["same-content", "different-content"])
async def test_concurrent_upserts_of_one_slug_leave_one_document(
    database: Database, editor: GraphQLClient, same_content: bool
) -> None:
    answers = await run_all(
        editor,
        [
            (
                UPSERT_TRENDS,
                {
                    "inputs": [
                        trend_input("shared", name="Shared" if same_content else f"Shared {i}"),
                        trend_input(f"own-{i}", related=["shared"]),
                    ]
                },
            )
            for i in range(WRITERS)
        ],
    )

    results = [answer["upsertTrends"]["results"] for answer in answers]
    shared = [items[0]["outcome"] for items in results]
    assert "FAILED" not in shared
    assert shared.count("INSERTED") == 1
    documents = await stored_trends(database)
    assert len(documents) == WRITERS + 1
    [stored] = [document for document in documents if document["slug"] == "shared"]
    assert stored["version"] == 1 + shared.count("UPDATED")
    if same_content:
        assert shared.count("UNCHANGED") == WRITERS - 1
    # Every trend that points at "shared" points at the one stored document.
    assert all(
        document["related"] == [stored["_id"]]
        for document in documents
        if document["slug"].startswith("own-")
    )


async def test_one_of_many_deletes_wins(database: Database, editor: GraphQLClient) -> None:
    await create_trend(editor, slug="doomed")
    answers = await run_all(editor, [(DELETE_TREND, {"slug": "doomed", "expectedVersion": 1})] * 10)
    payloads = [answer["deleteTrend"] for answer in answers]
    assert sum(payload["deletedTrendId"] is not None for payload in payloads) == 1
    codes = {error["code"] for payload in payloads for error in payload["userErrors"]}
    assert codes <= {"NOT_FOUND", "VERSION_CONFLICT"} and codes
    assert await stored_trends(database) == []
