"""The cost model's figures for known queries, and the cost limit."""

from __future__ import annotations

from typing import Any

import pytest

from app.database import Database
from tests.conftest import GraphQLClient

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
