"""The document caches: parses by query text, validations by document object, costs by
document object when no variable sizes a list; and the limits with the caches off."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSchema, parse, specified_rules
from strawberry.schema.schema import validate_document

from app.settings import Settings
from schema.cost import query_cost, remembered_query_cost
from schema.documents import _cached_parse, _cached_validation, validate
from schema.root import build_schema, schema

GRAPHQL_SCHEMA: GraphQLSchema = schema._schema


@pytest.mark.parametrize(
    ("query", "first", "second"),
    [
        # A variable sizing a list: worked out with each request's variables.
        ("query($n: Int) { trends(first: $n) { edges { node { name } } } }", {"n": 5}, {"n": 50}),
        ("query($s: [String!]!) { compareTrends(slugs: $s) { name } }", {"s": ["a"]},
         {"s": ["a", "b", "c"]}),
        (
            'query($r: Int) { trend(slug: "a") { related(first: $r) { name } } }',
            {"r": 1},
            {"r": 9},
        ),
        # Variables the cost model does not read: one figure for the document.
        ("query($s: String!) { trend(slug: $s) { name related(first: 5) { name } } }", {}, {}),
        ("{ trends(first: 50) { edges { node { name category { name } } } } }", None, None),
        (
            "mutation($inputs: [TrendInput!]!) { upsertTrends(inputs: $inputs) { inserted } }",
            {"inputs": [{"slug": "a", "name": "A"}]},
            {"inputs": [{"slug": f"t{n}", "name": "T"} for n in range(7)]},
        ),
    ],
)  # fmt: skip
def test_remembered_cost_is_the_cost_for_every_request(
    query: str, first: dict[str, Any] | None, second: dict[str, Any] | None
) -> None:
    document = parse(query)
    for variables in (first, second, first):
        assert remembered_query_cost(GRAPHQL_SCHEMA, document, variables=variables) == query_cost(
            GRAPHQL_SCHEMA, document, variables=variables
        )
    if first != second:
        assert remembered_query_cost(
            GRAPHQL_SCHEMA, document, variables=first
        ) != remembered_query_cost(GRAPHQL_SCHEMA, document, variables=second)


def test_validation_is_remembered_for_the_same_document_object_only() -> None:
    rules = tuple(specified_rules)
    document = _cached_parse('{ trend(slug: "a") { name nope } }', 100)
    assert _cached_parse('{ trend(slug: "a") { name nope } }', 100) is document
    expected = [error.message for error in validate_document(GRAPHQL_SCHEMA, document, rules)]
    assert expected  # the unknown field
    before = _cached_validation.cache_info()
    for _ in range(2):
        assert [error.message for error in validate(GRAPHQL_SCHEMA, document, rules)] == expected
    after = _cached_validation.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)
    # Another object with the same text is validated again (an equal key would hash it all).
    again = parse('{ trend(slug: "a") { name nope } }')
    assert [error.message for error in validate(GRAPHQL_SCHEMA, again, rules)] == expected
    assert _cached_validation.cache_info().misses == after.misses + 1


@pytest.mark.parametrize("shared_caches", [True, False])
async def test_limits_hold_with_and_without_the_caches(shared_caches: bool) -> None:
    settings = Settings(database="x", max_tokens=20, max_query_depth=2)
    limited = build_schema(settings, shared_caches=shared_caches)
    for _ in range(2):  # the second time from the caches
        long = await limited.execute("{ " + " ".join(["__typename"] * 30) + " }")
        assert long.errors is not None
        assert "more than 20 tokens" in long.errors[0].message
        deep = await limited.execute('{ trend(slug: "a") { category { parent { name } } } }')
        assert deep.errors is not None
        assert "exceeds maximum operation depth" in deep.errors[0].message
