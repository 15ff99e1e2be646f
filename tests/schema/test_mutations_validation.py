"""Every validation rule, with a bad value: a userError at the right path, and no write.

Each case runs through createTrend (nothing written at all) and through upsertTrends
between two valid items (the bad one is reported by index and slug, the others written).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.writes import (
    CREATE_TREND,
    UPDATE_TREND,
    UPSERT_TRENDS,
    add_categories,
    create_trend,
    stored_trends,
    trend_input,
)


def analyses_with(framework: str, **changes: Any) -> dict[str, Any]:
    analyses: dict[str, Any] = trend_input()["analyses"]
    framework_input = {**analyses[framework], **changes}
    return {**analyses, framework: {k: v for k, v in framework_input.items() if v is not None}}


# (case id, input overrides, path of the first error below the input, code)
CASES: list[tuple[str, dict[str, Any], list[str], str]] = [
    ("slug-spaces", {"slug": "bad slug"}, ["slug"], "INVALID_INPUT"),
    ("slug-uppercase", {"slug": "Rust"}, ["slug"], "INVALID_INPUT"),
    ("slug-empty", {"slug": ""}, ["slug"], "INVALID_INPUT"),
    ("slug-double-hyphen", {"slug": "a--b"}, ["slug"], "INVALID_INPUT"),
    ("slug-edge-hyphen", {"slug": "-rust"}, ["slug"], "INVALID_INPUT"),
    ("slug-too-long", {"slug": "a" * 81}, ["slug"], "INVALID_INPUT"),
    ("name-blank", {"name": "   "}, ["name"], "INVALID_INPUT"),
    ("name-empty", {"name": ""}, ["name"], "INVALID_INPUT"),
    ("name-too-long", {"name": "n" * 201}, ["name"], "INVALID_INPUT"),
    ("alias-blank", {"aliases": ["ok", " "]}, ["aliases", "1"], "INVALID_INPUT"),
    ("alias-too-long", {"aliases": ["a" * 201]}, ["aliases", "0"], "INVALID_INPUT"),
    ("aliases-too-many", {"aliases": [f"a{i}" for i in range(21)]}, ["aliases"], "INVALID_INPUT"),
    ("description-blank", {"description": "\n\t"}, ["description"], "INVALID_INPUT"),
    ("description-too-long", {"description": "d" * 5001}, ["description"], "INVALID_INPUT"),
    ("category-format", {"category": "Software"}, ["category"], "INVALID_INPUT"),
    ("category-unknown", {"category": "cooking"}, ["category"], "UNKNOWN_CATEGORY"),
    ("tag-format", {"tags": ["Bad Tag"]}, ["tags", "0"], "INVALID_INPUT"),
    ("tag-too-long", {"tags": ["t" * 61]}, ["tags", "0"], "INVALID_INPUT"),
    ("tags-too-many", {"tags": [f"t{i}" for i in range(31)]}, ["tags"], "INVALID_INPUT"),
    (
        "growth-window-repeated",
        {"growth": [{"window": "ONE_YEAR", "percent": 1}, {"window": "ONE_YEAR", "percent": 2}]},
        ["growth"],
        "INVALID_INPUT",
    ),
    (
        "analysis-field-missing",
        {"analyses": analyses_with("pestle", legal=None)},
        ["analyses", "pestle", "legal"],
        "INVALID_INPUT",
    ),
    (
        "analysis-empty",
        {"analyses": {"jobsToBeDone": {}}},
        ["analyses", "jobsToBeDone", "source"],
        "INVALID_INPUT",
    ),
    (
        "analysis-field-blank",
        {"analyses": analyses_with("decomposition", trigger="  ")},
        ["analyses", "decomposition", "trigger"],
        "INVALID_INPUT",
    ),
    (
        "analysis-field-too-long",
        {"analyses": analyses_with("consumerTrendCanvas", basicNeed="b" * 5001)},
        ["analyses", "consumerTrendCanvas", "basicNeed"],
        "INVALID_INPUT",
    ),
    (
        "analysis-source-too-long",
        {"analyses": analyses_with("jobsToBeDone", source="s" * 201)},
        ["analyses", "jobsToBeDone", "source"],
        "INVALID_INPUT",
    ),
    (
        "analysis-time-without-zone",
        {"analyses": analyses_with("decomposition", generatedAt="2026-01-02T03:04:05")},
        ["analyses", "decomposition", "generatedAt"],
        "INVALID_INPUT",
    ),
    ("related-itself", {"related": ["item"]}, ["related"], "INVALID_INPUT"),
    ("related-format", {"related": ["Not A Slug"]}, ["related", "0"], "INVALID_INPUT"),
    ("related-unknown", {"related": ["ghost"]}, ["related", "0"], "UNKNOWN_RELATED"),
    (
        "related-too-many",
        {"related": [f"r{i}" for i in range(51)]},
        ["related"],
        "INVALID_INPUT",
    ),
]


@pytest.fixture(autouse=True)
async def categories(database: Database) -> None:
    await add_categories(database)


@pytest.mark.parametrize(
    ("overrides", "path", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_create_refuses(
    database: Database, editor: GraphQLClient, overrides: dict[str, Any], path: list[str], code: str
) -> None:
    data = await editor.data(CREATE_TREND, {"input": trend_input("item") | overrides})

    payload = data["createTrend"]
    assert payload["trend"] is None
    first = payload["userErrors"][0]
    assert (first["field"], first["code"]) == (["input", *path], code), payload["userErrors"]
    assert first["message"]
    assert await stored_trends(database) == []


@pytest.mark.parametrize(
    ("overrides", "path", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_update_refuses(
    database: Database, editor: GraphQLClient, overrides: dict[str, Any], path: list[str], code: str
) -> None:
    await create_trend(editor, slug="item")
    before = await stored_trends(database)

    data = await editor.data(
        UPDATE_TREND,
        {"slug": "item", "input": trend_input("item") | overrides, "expectedVersion": 1},
    )

    first = data["updateTrend"]["userErrors"][0]
    assert (first["field"], first["code"]) == (["input", *path], code)
    assert await stored_trends(database) == before


@pytest.mark.parametrize(
    ("overrides", "path", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_upsert_reports_the_bad_item_and_writes_the_others(
    database: Database, editor: GraphQLClient, overrides: dict[str, Any], path: list[str], code: str
) -> None:
    bad = trend_input("item") | overrides
    inputs = [trend_input("first"), bad, trend_input("last")]

    payload = (await editor.data(UPSERT_TRENDS, {"inputs": inputs}))["upsertTrends"]

    assert (payload["inserted"], payload["failed"]) == (2, 1)
    failed = payload["results"][1]
    assert (failed["index"], failed["slug"], failed["outcome"]) == (1, bad["slug"], "FAILED")
    assert failed["trend"] is None
    first = failed["userErrors"][0]
    assert (first["field"], first["code"]) == (["inputs", "1", *path], code)
    assert [r["outcome"] for r in payload["results"]] == ["INSERTED", "FAILED", "INSERTED"]
    assert [document["slug"] for document in await stored_trends(database)] == ["first", "last"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"growth": [{"window": "ONE_YEAR", "percent": math.nan}]}, "Float cannot represent"),
        ({"growth": [{"window": "ONE_YEAR", "percent": math.inf}]}, "Float cannot represent"),
        (
            {"growth": [{"window": "ONE_YEAR", "percent": 1, "startValue": -math.inf}]},
            "Float cannot represent",
        ),
        ({"growth": [{"window": "TEN_YEARS", "percent": 1}]}, "GrowthWindowKey"),
        ({"status": "BOOMING"}, "TrendStatus"),
        ({"name": None}, "name"),
        ({"slug": {"$gt": ""}}, "String cannot represent"),
        ({"tags": "one-tag-not-a-list"}, None),
    ],
    ids=["nan", "infinity", "minus-infinity", "window", "status", "name-null", "object", "list"],
)
async def test_values_graphql_refuses_write_nothing(
    database: Database, editor: GraphQLClient, overrides: dict[str, Any], message: str | None
) -> None:
    for operation, variables in (
        (CREATE_TREND, {"input": trend_input("item") | overrides}),
        (UPSERT_TRENDS, {"inputs": [trend_input("item") | overrides]}),
    ):
        result, _ = await editor.execute(operation, variables)
        if message is None:  # GraphQL coerces a single value into a one-item list
            assert result.errors is None
            continue
        assert result.errors, result.data
        assert message in result.errors[0].message
    if message is not None:
        assert await stored_trends(database) == []


async def test_a_batch_over_the_limit_writes_nothing(
    database: Database, editor: GraphQLClient
) -> None:
    inputs = [trend_input(f"t-{index}", analyses=None) for index in range(501)]
    payload = (await editor.data(UPSERT_TRENDS, {"inputs": inputs}))["upsertTrends"]
    assert payload["results"] == []
    assert payload["userErrors"][0]["code"] == "INVALID_INPUT"
    assert payload["userErrors"][0]["field"] == ["inputs"]
    assert await stored_trends(database) == []
