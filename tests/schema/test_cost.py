"""The cost model's figures for known queries, and the cost limit."""

from __future__ import annotations

import json
from typing import Any

import pytest
from strawberry.types import ExecutionResult

from app.domain.keys import Principal
from app.settings import Settings
from app.storage.database import Database
from app.storage.ratelimit import RateLimiter
from schema.context import Context
from schema.mutations.bulk import MAX_BATCH
from seeds.via_api import UPSERT
from tests.conftest import TEST_DATABASE, GraphQLClient, default_schema

TREND_PAGE = """{ trend(slug: "asyncio") {
  name growth { label percent } category { name }
  related(first: 5) { name growth { percent } }
  analyses { decomposition { trigger } pestle { legal } jobsToBeDone { problem }
             consumerTrendCanvas { basicNeed } } } }"""


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        ('{ trend(slug: "asyncio") { name slug } }', None, 1),
        ('{ trend(slug: "asyncio") { category { parent { name } } } }', None, 3),
        # trend 1 + growth 1 + category 1 + related 5 x (1 + growth 1) + analyses 1 + 4 frameworks
        (TREND_PAGE, None, 1 + 1 + 1 + 10 + 1 + 4),
        # connection 2 + 50 x (node 1 + category 1 + growth 1); edges/pageInfo free
        (
            """query($n: Int) { trends(first: $n) { totalCount pageInfo { hasNextPage }
                 edges { cursor node { name category { name } growth { percent } } } } }""",
            {"n": 50},
            2 + 50 * 3,
        ),
        ("{ trends { edges { node { name } } } }", None, 2 + 20),  # default page size
        ('{ compareTrends(slugs: ["a", "b", "c"]) { name } }', None, 3),
        # connection 2 + 50 x (node 1 + signals 1 x (1 + sparkline points 1 + latest 1));
        # a list of series points costs one item, whatever its length
        (
            """{ trends(first: 50) { edges { node { name signals {
                 source series(last: 12) { value } latest { value } } } } } }""",
            None,
            2 + 50 * (1 + 3),
        ),
        (
            '{ trend(slug: "asyncio") { relatedEdges(first: 5) { strength node { name } } } }',
            None,
            1 + 5 * 2,
        ),
        ("{ categories { name } }", None, 1),
        ("{ __schema { types { name } } }", None, 0),
    ],
)
async def test_cost_figures(
    seeded: Database,
    graphql: GraphQLClient,
    query: str,
    variables: dict[str, Any] | None,
    cost: int,
) -> None:
    result, _ = await graphql.execute(query, variables)
    assert result.errors is None, result.errors
    assert result.extensions is not None
    assert result.extensions["cost"] == {"requestedQueryCost": cost, "maximumAvailable": 1000}


async def test_cost_at_the_limit_runs_and_over_it_is_refused_before_execution(
    seeded: Database, graphql: GraphQLClient
) -> None:
    # 2 + 100 x (1 + related 9 x 1) = 1002 > 1000; with related(first: 8): 902.
    query = (
        "query($r: Int) { trends(first: 100) { edges { node { related(first: $r) { name } } } } }"
    )
    result, stats = await graphql.execute(query, {"r": 9})
    assert result.errors is not None
    assert result.errors[0].message.startswith("Query cost 1002 exceeds the maximum of 1000")
    assert result.errors[0].extensions == {
        "code": "MAX_COST_EXCEEDED",
        "cost": 1002,
        "maximumCost": 1000,
    }
    assert stats.commands == 0
    assert result.data is None

    result, _ = await graphql.execute(query, {"r": 8})
    assert result.errors is None
    assert result.extensions is not None
    assert result.extensions["cost"]["requestedQueryCost"] == 902


# Bulk writes cost per item, whichever way the items are sent.

PER_ITEM = "{ inserted failed results { slug outcome } }"
"""Selected per item: the payload 1 + results 1 (one result per item): 2 points an item."""
UPSERT_TRENDS = f"mutation($inputs: [TrendInput!]!) {{ upsertTrends(inputs: $inputs) {PER_ITEM} }}"
IMPORT_TRENDS = f"mutation($lines: String!) {{ importTrends(jsonLines: $lines) {PER_ITEM} }}"
UPSERT_CATEGORIES = (
    f"mutation($inputs: [CategoryInput!]!) {{ upsertCategories(inputs: $inputs) {PER_ITEM} }}"
)


def requested_cost(result: ExecutionResult) -> int:
    assert result.extensions is not None
    cost: int = result.extensions["cost"]["requestedQueryCost"]
    return cost


@pytest.mark.parametrize("count", [1, 3])
async def test_bulk_writes_cost_per_item_whichever_way_they_are_sent(
    database: Database, editor: GraphQLClient, count: int
) -> None:
    items = [{"slug": f"bulk-{number}", "name": f"Bulk {number}"} for number in range(count)]
    lines = "\n".join(json.dumps(item) for item in items)

    upserted, _ = await editor.execute(UPSERT_TRENDS, {"inputs": items})
    imported, _ = await editor.execute(IMPORT_TRENDS, {"lines": lines})
    categories, _ = await editor.execute(UPSERT_CATEGORIES, {"inputs": items})

    for result in (upserted, imported, categories):
        assert result.errors is None, result.errors
        assert requested_cost(result) == 2 * count


@pytest.mark.parametrize(
    ("lines", "items"),
    [
        ('{"slug": "a", "name": "A"}\n{"slug": "b", "name": "B"}\n', 2),  # a final newline
        ('{"slug": "a", "name": "A"}\r\n\r\n{"slug": "b", "name": "B"}', 3),  # a blank item
        ("", 0),
    ],
)
async def test_json_lines_cost_the_items_the_mutation_answers(
    database: Database, editor: GraphQLClient, lines: str, items: int
) -> None:
    result, _ = await editor.execute(IMPORT_TRENDS, {"lines": lines})
    assert result.errors is None, result.errors
    assert result.data is not None
    assert len(result.data["importTrends"]["results"]) == items
    assert requested_cost(result) == 2 * items


def junk_lines(count: int) -> str:
    """Lines the mutation answers FAILED without writing: cheap items for limit tests."""
    return "\n".join("{}" for _ in range(count))


async def test_a_key_holders_seeding_batch_of_500_fits_the_default_limits(
    database: Database, graphql: GraphQLClient, editor: GraphQLClient
) -> None:
    """The seeder's own mutation: 4 points an item, so 2,000 for 500 lines, over the
    1,000-point ceiling; MAX_BATCH bounds a key holder's batch instead."""
    variables = {"jsonLines": junk_lines(MAX_BATCH)}

    result, _ = await editor.execute(UPSERT["trends"], variables)

    assert result.errors is None, result.errors
    assert result.data is not None and result.data["importTrends"]["userErrors"] == []
    assert len(result.data["importTrends"]["results"]) == MAX_BATCH
    assert requested_cost(result) == 4 * MAX_BATCH

    # Without a key every item counts, and the call is refused before it runs.
    anonymous, stats = await graphql.execute(UPSERT["trends"], variables)
    assert anonymous.errors is not None
    assert anonymous.errors[0].extensions == {
        "code": "MAX_COST_EXCEEDED",
        "cost": 4 * MAX_BATCH,
        "maximumCost": 1000,
    }
    assert stats.commands == 0


async def test_items_over_max_batch_count_as_max_batch(
    database: Database, editor: GraphQLClient
) -> None:
    result, _ = await editor.execute(UPSERT["trends"], {"jsonLines": junk_lines(MAX_BATCH + 1)})
    assert result.errors is None, result.errors
    assert result.data is not None
    [refusal] = result.data["importTrends"]["userErrors"]
    assert refusal["field"] == ["jsonLines"] and "at most 500" in refusal["message"]
    assert requested_cost(result) == 4 * MAX_BATCH


async def test_what_a_key_holders_bulk_write_selects_still_counts_against_the_ceiling(
    database: Database, editor: GraphQLClient
) -> None:
    # One item: payload 1 + results 1 + trend 1 + related 50 x 1 = 53.
    heavy = (
        "mutation($lines: String!) { importTrends(jsonLines: $lines) "
        "{ results { trend { related(first: 50) { name } } } } }"
    )
    strict = GraphQLClient(
        database, Settings(database=TEST_DATABASE, max_query_cost=52), principal=editor.principal
    )
    result, stats = await strict.execute(heavy, {"lines": junk_lines(2)})
    assert result.errors is not None
    assert result.errors[0].extensions == {
        "code": "MAX_COST_EXCEEDED",
        "cost": 53,
        "maximumCost": 52,
    }
    assert stats.commands == 0


async def test_a_key_holders_bulk_write_takes_one_items_cost_from_its_bucket(
    database: Database, settings: Settings
) -> None:
    limiter = RateLimiter(100, 1.0)
    context = Context.create(
        database,
        settings,
        client_key="key:seeder",
        rate_limiter=limiter,
        principal=Principal(key_id="seeder"),
    )

    result = await default_schema.execute(
        UPSERT["trends"], variable_values={"jsonLines": junk_lines(50)}, context_value=context
    )

    assert result.errors is None, result.errors
    assert result.extensions is not None
    assert result.extensions["cost"]["requestedQueryCost"] == 200  # over the bucket's 100
    assert result.extensions["cost"]["throttleStatus"]["currentlyAvailable"] == 96
