"""Text that looks like query operators is data: stored and returned literally, never a filter.

Every String input of the write API is covered; the test checks its own coverage against the
schema, so a new String input without a case here fails it.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLType,
    build_schema,
)

from app.storage.database import Database
from schema.__main__ import sdl
from tests.conftest import GraphQLClient
from tests.writes import (
    CREATE_CATEGORY,
    CREATE_TREND,
    DELETE_TREND,
    READ_TREND,
    UPDATE_CATEGORY,
    UPDATE_TREND,
    UPSERT_CATEGORIES,
    UPSERT_TRENDS,
    add_categories,
    create_trend,
    stored_trends,
    trend_input,
)

PAYLOADS = [
    '{"$gt": ""}',
    "$where",
    "this.version > 0 || true",
    "growth.THREE_MONTHS.percent",
    "a.b.c",
    "$ne",
    '{"$regex": ".*"}',
]
# String inputs in slug form: operator-like text is refused as INVALID_INPUT.
SLUG_INPUTS = {
    "TrendInput.slug",
    "TrendInput.category",
    "TrendInput.tags",
    "TrendInput.related",
    "CategoryInput.slug",
    "CategoryInput.parent",
}
TEXT_PATHS: dict[str, list[tuple[str | int, ...]]] = {  # type -> paths in trend_input()
    "TrendInput": [("name",), ("aliases", 0), ("description",)],
    "TrendDecompositionInput": [
        ("analyses", "decomposition", key)
        for key in ("source", "trigger", "behaviorChange", "enabler", "constraintRemoved")
    ],
    "PestleAnalysisInput": [
        ("analyses", "pestle", key)
        for key in (
            "source",
            "political",
            "economic",
            "social",
            "technological",
            "legal",
            "environmental",
        )
    ],
    "JobsToBeDoneInput": [
        ("analyses", "jobsToBeDone", key)
        for key in ("source", "problem", "priorWorkaround", "keyOutcome")
    ],
    "ConsumerTrendCanvasInput": [
        ("analyses", "consumerTrendCanvas", key)
        for key in (
            "source",
            "basicNeed",
            "driversOfChange",
            "emergingConsumerNeeds",
            "newConsumerExpectations",
            "inspirationsSignals",
            "innovationsEmerging",
        )
    ],
}
CATEGORY_TEXT = ["name", "description"]


def _named(graphql_type: GraphQLType) -> GraphQLType:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def string_inputs() -> set[str]:
    """Every ``Type.field`` of String type in the input types of the mutations."""
    built = build_schema(sdl())
    found: set[str] = set()
    for name, graphql_type in built.type_map.items():
        if isinstance(graphql_type, GraphQLInputObjectType) and name.endswith("Input"):
            for field_name, input_field in graphql_type.fields.items():
                inner = _named(input_field.type)
                if isinstance(inner, GraphQLScalarType) and inner.name == "String":
                    found.add(f"{name}.{field_name}")
    return found


def test_every_string_input_has_a_case() -> None:
    from tests.alerts.test_injection import ALERT_STRING_INPUTS  # it imports this module

    covered = set(SLUG_INPUTS)
    covered |= {
        f"{kind}.{path[-1] if isinstance(path[-1], str) else path[-2]}"
        for kind, paths in TEXT_PATHS.items()
        for path in paths
    }
    covered |= {f"CategoryInput.{name}" for name in CATEGORY_TEXT}
    covered |= ALERT_STRING_INPUTS
    assert string_inputs() == covered


def with_text(value: dict[str, Any], path: tuple[str | int, ...], text: str) -> None:
    target: Any = value
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = text


def read_at(value: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


@pytest.fixture
async def victim(database: Database, editor: GraphQLClient) -> dict[str, Any]:
    """A stored trend that an operator, if one got through, would match and change."""
    await add_categories(database)
    return await create_trend(editor, slug="victim")


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_free_text_is_stored_and_returned_literally(
    database: Database,
    editor: GraphQLClient,
    graphql: GraphQLClient,
    victim: dict[str, Any],
    payload: str,
) -> None:
    value = trend_input("literal")
    paths = [path for paths in TEXT_PATHS.values() for path in paths]
    for path in paths:
        with_text(value, path, payload)

    created = (await editor.data(CREATE_TREND, {"input": value}))["createTrend"]
    upserted = (await editor.data(UPSERT_TRENDS, {"inputs": [value]}))["upsertTrends"]

    assert created["userErrors"] == []
    assert upserted["results"][0]["outcome"] == "UNCHANGED"
    read = (await graphql.data(READ_TREND, {"slug": "literal"}))["trend"]
    stored = next(
        document for document in await stored_trends(database) if document["slug"] == "literal"
    )
    for path in paths:
        assert read_at(read, path) == payload, path
        assert read_at(stored, path) == payload, path
    # The victim is untouched (its related suggestions may now include the new trend).
    after = (await graphql.data(READ_TREND, {"slug": "victim"}))["trend"]
    assert {**after, "related": None} == {**victim, "related": None}


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", ["slug", "category", "tags", "related"])
async def test_slug_inputs_refuse_operator_text(
    database: Database,
    editor: GraphQLClient,
    victim: dict[str, Any],
    field: str,
    payload: str,
) -> None:
    value = trend_input("literal") | {field: [payload] if field in {"tags", "related"} else payload}
    created = (await editor.data(CREATE_TREND, {"input": value}))["createTrend"]
    updated = (
        await editor.data(UPDATE_TREND, {"slug": "victim", "input": value, "expectedVersion": 1})
    )["updateTrend"]
    for payload_errors in (created["userErrors"], updated["userErrors"]):
        assert payload_errors[0]["code"] == "INVALID_INPUT"
        assert payload_errors[0]["field"][:2] == ["input", field]
    [stored] = await stored_trends(database)
    assert (stored["slug"], stored["version"]) == ("victim", 1)


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_slug_arguments_match_nothing(
    database: Database,
    editor: GraphQLClient,
    graphql: GraphQLClient,
    victim: dict[str, Any],
    payload: str,
) -> None:
    update = await editor.data(
        UPDATE_TREND, {"slug": payload, "input": trend_input("victim"), "expectedVersion": 1}
    )
    delete = await editor.data(DELETE_TREND, {"slug": payload, "expectedVersion": 1})
    category = await editor.data(
        UPDATE_CATEGORY, {"slug": payload, "input": {"slug": "technology", "name": "X"}}
    )
    assert update["updateTrend"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert delete["deleteTrend"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert category["updateCategory"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await graphql.data(READ_TREND, {"slug": payload}))["trend"] is None
    # The victim is untouched (its related suggestions may now include the new trend).
    after = (await graphql.data(READ_TREND, {"slug": "victim"}))["trend"]
    assert {**after, "related": None} == {**victim, "related": None}


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_category_inputs(
    database: Database, editor: GraphQLClient, victim: dict[str, Any], payload: str
) -> None:
    text = {"slug": "literal", "name": payload, "description": payload}
    created = (await editor.data(CREATE_CATEGORY, {"input": text}))["createCategory"]
    assert created["userErrors"] == []
    assert (created["category"]["name"], created["category"]["description"]) == (payload, payload)
    stored = await database.categories.find_one({"slug": "literal"})
    assert stored is not None and (stored["name"], stored["description"]) == (payload, payload)

    for bad in ({"slug": payload, "name": "n"}, {"slug": "other", "name": "n", "parent": payload}):
        result = (await editor.data(UPSERT_CATEGORIES, {"inputs": [bad]}))["upsertCategories"]
        assert result["results"][0]["userErrors"][0]["code"] == "INVALID_INPUT"
    assert await database.categories.count_documents({}) == 3
