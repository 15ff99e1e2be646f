"""``trends``: Relay pagination, filters, orders and their bad input."""

from __future__ import annotations

from typing import Any

import pytest

from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.factories import make_trends, upsert_trends

PAGE = """
query Page($first: Int, $after: String, $last: Int, $before: String,
           $filter: TrendFilter, $orderBy: TrendOrder) {
  trends(first: $first, after: $after, last: $last, before: $before,
         filter: $filter, orderBy: $orderBy) {
    edges { cursor node { slug } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

ORDERS: list[dict[str, Any] | None] = [
    None,
    {"field": "NAME", "direction": "ASC"},
    {"field": "NAME", "direction": "DESC"},
    {"field": "GROWTH", "window": "THREE_MONTHS", "direction": "DESC"},
    {"field": "GROWTH", "window": "THREE_MONTHS", "direction": "ASC"},
    {"field": "GROWTH", "window": "ONE_YEAR", "direction": "DESC"},  # some trends lack it
    {"field": "GROWTH", "window": "ONE_YEAR", "direction": "ASC"},
    {"field": "UPDATED_AT", "direction": "DESC"},
]


@pytest.fixture
async def trends(database: Database) -> Database:
    await make_trends(database, 23)
    return database


async def walk_forwards(graphql: GraphQLClient, size: int, variables: dict[str, Any]) -> list[str]:
    slugs: list[str] = []
    after = None
    while True:
        page = (await graphql.data(PAGE, {**variables, "first": size, "after": after}))["trends"]
        slugs += [edge["node"]["slug"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            return slugs
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]


async def walk_backwards(graphql: GraphQLClient, size: int, variables: dict[str, Any]) -> list[str]:
    slugs: list[str] = []
    before = None
    while True:
        page = (await graphql.data(PAGE, {**variables, "last": size, "before": before}))["trends"]
        slugs = [edge["node"]["slug"] for edge in page["edges"]] + slugs
        if not page["pageInfo"]["hasPreviousPage"]:
            return slugs
        before = page["pageInfo"]["startCursor"]


@pytest.mark.parametrize("order", ORDERS)
async def test_pages_cover_every_trend_once_in_both_directions(
    trends: Database, graphql: GraphQLClient, order: dict[str, Any] | None
) -> None:
    variables = {"orderBy": order}
    everything = [
        edge["node"]["slug"]
        for edge in (await graphql.data(PAGE, {**variables, "first": 100}))["trends"]["edges"]
    ]
    assert sorted(everything) == [f"t-{index:02d}" for index in range(23)]

    for size in (1, 4, 7):
        assert await walk_forwards(graphql, size, variables) == everything
        assert await walk_backwards(graphql, size, variables) == everything


async def test_growth_order_puts_ties_in_a_stable_order(
    trends: Database, graphql: GraphQLClient
) -> None:
    query = """{ trends(first: 100, orderBy: {field: GROWTH, window: THREE_MONTHS}) {
                   edges { node { slug growthFor(window: THREE_MONTHS) { percent } } } } }"""
    first = await graphql.data(query)
    second = await graphql.data(query)
    assert first == second
    percents = [edge["node"]["growthFor"]["percent"] for edge in first["trends"]["edges"]]
    assert percents == sorted(percents, reverse=True)


async def test_missing_windows_sort_last_descending_and_first_ascending(
    trends: Database, graphql: GraphQLClient
) -> None:
    query = """query($direction: OrderDirection!) {
                 trends(first: 100, orderBy: {field: GROWTH, window: ONE_YEAR,
                                              direction: $direction}) {
                   edges { node { growthFor(window: ONE_YEAR) { percent } } } } }"""
    for direction, nulls_at in (("DESC", -1), ("ASC", 0)):
        data = await graphql.data(query, {"direction": direction})
        values = [edge["node"]["growthFor"] for edge in data["trends"]["edges"]]
        assert values[nulls_at] is None
        present = [value["percent"] for value in values if value]
        assert present == sorted(present, reverse=direction == "DESC")
        assert len(present) == 15


async def test_name_order_ignores_case(database: Database, graphql: GraphQLClient) -> None:
    from app.domain.models import TrendSpec

    await upsert_trends(
        database,
        [
            TrendSpec(slug="b", name="beta"),
            TrendSpec(slug="a", name="Alpha"),
            TrendSpec(slug="c", name="Émile"),
            TrendSpec(slug="d", name="delta"),
        ],
    )
    data = await graphql.data(
        "{ trends(orderBy: {field: NAME, direction: ASC}) { edges { node { name } } } }"
    )
    assert [edge["node"]["name"] for edge in data["trends"]["edges"]] == [
        "Alpha",
        "beta",
        "delta",
        "Émile",
    ]


@pytest.mark.parametrize(
    ("trend_filter", "expected"),
    [
        ({"category": "tech"}, {f"t-{i:02d}" for i in range(0, 23, 3)}),
        ({"category": "nothing"}, set()),
        ({"tags": ["odd", "five"]}, {"t-05", "t-15"}),
        ({"tags": ["even"]}, {f"t-{i:02d}" for i in range(0, 23, 2)}),
        ({"status": ["PEAKED"]}, {f"t-{i:02d}" for i in range(2, 23, 3)}),
        ({"status": ["EXPLODING", "PEAKED"]}, {f"t-{i:02d}" for i in range(23) if i % 3 != 1}),
        (
            {"growth": {"window": "THREE_MONTHS", "min": 20}},
            {f"t-{i:02d}" for i in range(23) if i % 4 >= 2},
        ),
        (
            {"growth": {"window": "ONE_YEAR", "min": 4, "max": 10}},
            {f"t-{i:02d}" for i in range(4, 11) if i % 3},
        ),
        (
            {"category": "food", "growth": {"window": "THREE_MONTHS", "max": 0}},
            {f"t-{i:02d}" for i in range(23) if i % 3 == 1 and i % 4 == 0},
        ),
    ],
)
async def test_filters(
    trends: Database,
    graphql: GraphQLClient,
    trend_filter: dict[str, Any],
    expected: set[str],
) -> None:
    query = """query($filter: TrendFilter) {
                 trends(first: 100, filter: $filter) { totalCount edges { node { slug } } } }"""
    data = (await graphql.data(query, {"filter": trend_filter}))["trends"]
    assert {edge["node"]["slug"] for edge in data["edges"]} == expected
    assert data["totalCount"] == len(expected)


async def test_total_count_is_only_counted_when_selected(
    trends: Database, graphql: GraphQLClient
) -> None:
    _, without = await graphql.execute("{ trends(first: 5) { edges { node { slug } } } }")
    _, with_count = await graphql.execute(
        "{ trends(first: 5) { totalCount edges { node { slug } } } }"
    )
    assert without.by_name.get("count", 0) + without.by_name.get("aggregate", 0) == 0
    assert with_count.commands == without.commands + 1


async def test_default_page_size(trends: Database, graphql: GraphQLClient) -> None:
    data = await graphql.data("{ trends { edges { node { slug } } pageInfo { hasNextPage } } }")
    assert len(data["trends"]["edges"]) == 20
    assert data["trends"]["pageInfo"]["hasNextPage"] is True


async def test_empty_database_gives_an_empty_page(
    database: Database, graphql: GraphQLClient
) -> None:
    data = await graphql.data(PAGE, {"first": 10})
    assert data["trends"] == {
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 0}, "first must be between 1 and 100, got 0"),
        ({"first": -1}, "first must be between 1 and 100, got -1"),
        ({"first": 101}, "first must be between 1 and 100, got 101"),
        ({"last": 0}, "last must be between 1 and 100, got 0"),
        ({"last": 1000}, "last must be between 1 and 100, got 1000"),
        ({"first": 1, "last": 1}, "pass either first or last, not both"),
        ({"after": "not-a-cursor"}, "malformed cursor 'not-a-cursor'"),
        ({"before": "bm90LWpzb24="}, "malformed cursor 'bm90LWpzb24='"),
        (
            {"orderBy": {"field": "GROWTH"}},
            "orderBy.window is required when orderBy.field is GROWTH",
        ),
        (
            {"orderBy": {"field": "NAME", "window": "ONE_YEAR"}},
            "orderBy.window applies only to GROWTH, not NAME",
        ),
        (
            {"filter": {"growth": {"window": "ONE_YEAR", "min": 5, "max": 1}}},
            "filter.growth.min (5.0) is greater than max (1.0)",
        ),
        ({"filter": {"tags": [f"t{i}" for i in range(21)]}}, "filter.tags takes at most 20"),
    ],
)
async def test_bad_arguments_get_a_clear_error(
    trends: Database, graphql: GraphQLClient, variables: dict[str, Any], message: str
) -> None:
    result, _ = await graphql.execute(PAGE, variables)
    assert result.errors is not None
    assert len(result.errors) == 1
    assert message in result.errors[0].message
    assert result.errors[0].extensions == {
        "code": "BAD_USER_INPUT",
        "argument": result.errors[0].extensions["argument"],  # type: ignore[index]
    }
    assert result.data is None


async def test_cursor_of_another_order_is_refused(trends: Database, graphql: GraphQLClient) -> None:
    by_name = await graphql.data(PAGE, {"first": 2, "orderBy": {"field": "NAME"}})
    cursor = by_name["trends"]["pageInfo"]["endCursor"]
    errors = await graphql.errors(
        PAGE, {"first": 2, "after": cursor, "orderBy": {"field": "UPDATED_AT"}}
    )
    assert "belongs to another orderBy" in errors[0]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("{ trends(orderBy: {field: POPULARITY}) { edges { cursor } } }", "POPULARITY"),
        ('{ trends(first: "ten") { edges { cursor } } }', "Int cannot represent"),
        ("{ trends(filter: {status: [HOT]}) { edges { cursor } } }", "HOT"),
        ("{ trends { edges { node { nope } } } }", "nope"),
    ],
)
async def test_invalid_documents_are_refused_before_execution(
    trends: Database, graphql: GraphQLClient, query: str, fragment: str
) -> None:
    result, stats = await graphql.execute(query)
    assert result.errors is not None
    assert fragment in result.errors[0].message
    assert stats.commands == 0
