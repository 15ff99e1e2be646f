"""importTrends: JSON Lines in one string, validated by the rules of upsertTrends' inputs."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from app.storage.database import Database
from schema.mutations.bulk import MAX_BATCH
from tests.conftest import GraphQLClient
from tests.writes import (
    UPSERT_TRENDS,
    USER_ERRORS,
    add_categories,
    stored_trends,
    trend_input,
)

IMPORT_TRENDS = f"""
mutation($jsonLines: String!) {{
  importTrends(jsonLines: $jsonLines) {{
    inserted updated unchanged failed {USER_ERRORS}
    results {{ index slug outcome trend {{ slug version related {{ slug }} }} {USER_ERRORS} }}
  }}
}}"""


@pytest.fixture(autouse=True)
async def categories(database: Database) -> None:
    await add_categories(database)


def lines(*items: dict[str, Any]) -> str:
    return "\n".join(orjson.dumps(item).decode() for item in items) + "\n"


async def import_trends(editor: GraphQLClient, json_lines: str) -> dict[str, Any]:
    data = await editor.data(IMPORT_TRENDS, {"jsonLines": json_lines})
    payload: dict[str, Any] = data["importTrends"]
    return payload


def outcomes(payload: dict[str, Any]) -> list[tuple[int, str | None, str]]:
    return [(r["index"], r["slug"], r["outcome"]) for r in payload["results"]]


def without_volatile(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in {"_id", "createdAt", "updatedAt"}}


async def test_stores_what_upsert_trends_stores(database: Database, editor: GraphQLClient) -> None:
    items = [trend_input("a", related=["b"]), trend_input("b", related=["a"])]
    await editor.data(UPSERT_TRENDS, {"inputs": items})
    via_inputs = [without_volatile(d) for d in await stored_trends(database)]
    await database.trends.delete_many({})

    payload = await import_trends(editor, lines(*items))

    assert outcomes(payload) == [(0, "a", "INSERTED"), (1, "b", "INSERTED")]
    assert [r["trend"]["related"] for r in payload["results"]] == [[{"slug": "b"}], [{"slug": "a"}]]
    stored = await stored_trends(database)
    # Related ids differ between the two loads; everything else is the same document.
    assert [{**without_volatile(d), "related": None} for d in stored] == [
        {**d, "related": None} for d in via_inputs
    ]


async def test_rerun_is_unchanged_and_changes_are_updates(editor: GraphQLClient) -> None:
    await import_trends(editor, lines(trend_input("a"), trend_input("b")))

    payload = await import_trends(editor, lines(trend_input("a"), trend_input("b", name="B2")))

    assert outcomes(payload) == [(0, "a", "UNCHANGED"), (1, "b", "UPDATED")]
    assert (payload["inserted"], payload["updated"], payload["unchanged"]) == (0, 1, 1)
    assert [r["trend"]["version"] for r in payload["results"]] == [1, 2]


async def test_bad_lines_fail_alone_with_their_line_number(
    database: Database, editor: GraphQLClient
) -> None:
    json_lines = "\n".join(
        [
            orjson.dumps(trend_input("good")).decode(),
            "{not json",
            "",
            "[1, 2]",
            orjson.dumps(trend_input("Bad Slug")).decode(),
            orjson.dumps(trend_input("no-name", name=None) | {"name": None}).decode(),
            orjson.dumps(
                trend_input("typed", growth=[{"window": "ONE_YEAR", "percent": "12"}])
            ).decode(),
            orjson.dumps(trend_input("extra") | {"colour": "red"}).decode(),
            orjson.dumps(trend_input("null-item", tags=["ok", None])).decode(),
        ]
    )

    payload = await import_trends(editor, json_lines)

    assert outcomes(payload) == [
        (0, "good", "INSERTED"),
        (1, None, "FAILED"),
        (2, None, "FAILED"),
        (3, None, "FAILED"),
        (4, "Bad Slug", "FAILED"),
        (5, "no-name", "FAILED"),
        (6, "typed", "FAILED"),
        (7, "extra", "FAILED"),
        (8, "null-item", "FAILED"),
    ]
    errors = {r["index"]: r["userErrors"] for r in payload["results"]}
    assert errors[1][0]["field"] == ["jsonLines", "1"]
    assert errors[1][0]["message"].startswith("not valid JSON")
    assert errors[2] == [
        {
            "field": ["jsonLines", "2"],
            "message": "the line is empty; expected one JSON object",
            "code": "INVALID_INPUT",
        }
    ]
    assert errors[3][0]["message"] == "expected one JSON object"
    assert errors[4][0]["field"] == ["jsonLines", "4", "slug"]
    assert errors[5] == [
        {"field": ["jsonLines", "5", "name"], "message": "Field required", "code": "INVALID_INPUT"}
    ]
    assert errors[6][0]["field"] == ["jsonLines", "6", "growth", "0", "percent"]
    assert errors[7][0]["field"] == ["jsonLines", "7", "colour"]
    assert errors[8][0]["field"] == ["jsonLines", "8", "tags", "1"]
    assert {error["code"] for index in range(1, 9) for error in errors[index]} == {"INVALID_INPUT"}
    assert [d["slug"] for d in await stored_trends(database)] == ["good"]


async def test_null_means_left_out(database: Database, editor: GraphQLClient) -> None:
    item = trend_input("sparse", aliases=None, tags=None, growth=None, analyses=None, related=None)

    payload = await import_trends(editor, lines(item))

    assert outcomes(payload) == [(0, "sparse", "INSERTED")]
    (stored,) = await stored_trends(database)
    assert (stored["aliases"], stored["tags"], stored["growth"], stored["related"]) == (
        [],
        [],
        {},
        [],
    )


async def test_windows_line_endings(editor: GraphQLClient) -> None:
    json_lines = lines(trend_input("a"), trend_input("b")).replace("\n", "\r\n")

    payload = await import_trends(editor, json_lines)

    assert outcomes(payload) == [(0, "a", "INSERTED"), (1, "b", "INSERTED")]


async def test_references_to_missing_trends_and_categories(editor: GraphQLClient) -> None:
    payload = await import_trends(
        editor,
        lines(trend_input("a", related=["nowhere"]), trend_input("b", category="no-such")),
    )

    codes = [[e["code"] for e in r["userErrors"]] for r in payload["results"]]
    assert codes == [["UNKNOWN_RELATED"], ["UNKNOWN_CATEGORY"]]
    assert payload["results"][0]["userErrors"][0]["field"] == ["jsonLines", "0", "related", "0"]


async def test_too_many_lines_writes_nothing(database: Database, editor: GraphQLClient) -> None:
    items = [trend_input(f"t{index}") for index in range(MAX_BATCH + 1)]

    payload = await import_trends(editor, lines(*items))

    assert payload["results"] == []
    assert payload["userErrors"] == [
        {
            "field": ["jsonLines"],
            "message": f"at most {MAX_BATCH} items a call, got {MAX_BATCH + 1}: "
            "send them in batches",
            "code": "INVALID_INPUT",
        }
    ]
    assert await stored_trends(database) == []


async def test_an_empty_text_is_an_empty_batch(editor: GraphQLClient) -> None:
    payload = await import_trends(editor, "")

    assert (payload["results"], payload["inserted"], payload["failed"]) == ([], 0, 0)


async def test_needs_an_api_key(database: Database, graphql: GraphQLClient) -> None:
    result, _ = await graphql.execute(IMPORT_TRENDS, {"jsonLines": lines(trend_input("a"))})

    assert result.errors and result.errors[0].extensions == {"code": "UNAUTHENTICATED"}
    assert await stored_trends(database) == []


async def test_round_trips_do_not_grow_with_the_batch(editor: GraphQLClient) -> None:
    counts = []
    for size, offset in ((5, 0), (100, 5)):
        items = [trend_input(f"t{offset + i}") for i in range(size)]
        result, stats = await editor.execute(IMPORT_TRENDS, {"jsonLines": lines(*items)})
        assert result.errors is None
        counts.append(stats.by_name)

    assert counts[0] == counts[1]
