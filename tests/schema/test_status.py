"""Trend.status: derived on write, filterable, and sortable by momentum."""

from __future__ import annotations

from app.domain.models import GrowthWindow, GrowthWindowKey, TrendSpec, TrendStatus
from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.factories import upsert_trends

Q, Y, Y5 = GrowthWindowKey.THREE_MONTHS, GrowthWindowKey.ONE_YEAR, GrowthWindowKey.FIVE_YEARS


def spec(slug: str, status: TrendStatus | None = None, **growth: float) -> TrendSpec:
    keys = {"q": Q, "y": Y, "y5": Y5}
    windows = [GrowthWindow(window=keys[name], percent=value) for name, value in growth.items()]
    return TrendSpec(slug=slug, name=slug.title(), growth=windows, status=status)


async def load(database: Database) -> None:
    await upsert_trends(
        database,
        [
            spec("rocket", q=30, y=250),
            spec("steady", q=2, y=5),
            spec("fading", q=-25, y=-10, y5=300),
            spec("sinking", q=-5, y=-40),
            spec("unknown"),
            spec("declared", status=TrendStatus.EXPLODING, q=0),  # a seed file's status is kept
        ],
    )


async def test_status_is_derived_on_write(database: Database, graphql: GraphQLClient) -> None:
    await load(database)
    data = await graphql.data(
        "{ trends(first: 10, orderBy: {field: NAME, direction: ASC}) "
        "{ edges { node { slug status } } } }"
    )
    statuses = {edge["node"]["slug"]: edge["node"]["status"] for edge in data["trends"]["edges"]}
    assert statuses == {
        "declared": "EXPLODING",
        "fading": "PEAKED",
        "rocket": "EXPLODING",
        "sinking": "DECLINING",
        "steady": "REGULAR",
        "unknown": None,
    }


async def test_order_by_status_pages_by_momentum(
    database: Database, graphql: GraphQLClient
) -> None:
    await load(database)
    query = """query Page($after: String) {
      trends(first: 2, after: $after, orderBy: {field: STATUS, direction: DESC}) {
        edges { node { status } } pageInfo { hasNextPage endCursor } } }"""
    statuses: list[str | None] = []
    after = None
    while True:
        page = (await graphql.data(query, {"after": after}))["trends"]
        statuses += [edge["node"]["status"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert statuses == ["EXPLODING", "EXPLODING", "REGULAR", "PEAKED", "DECLINING", None]


async def test_filter_by_status(database: Database, graphql: GraphQLClient) -> None:
    await load(database)
    data = await graphql.data(
        "{ trends(filter: {status: [PEAKED, DECLINING]}, orderBy: {field: NAME, direction: ASC})"
        " { edges { node { slug } } } }"
    )
    assert [edge["node"]["slug"] for edge in data["trends"]["edges"]] == ["fading", "sinking"]
