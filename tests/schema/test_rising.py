"""Category.rising: a category's trends with positive growth over a window, fastest first."""

from __future__ import annotations

from app.domain.models import GrowthWindow, GrowthWindowKey, TrendSpec
from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.factories import CATEGORIES, upsert_categories, upsert_trends

QUERY = """query($window: GrowthWindowKey!, $first: Int!) { categories {
  slug rising(window: $window, first: $first) { slug } } }"""


def spec(slug: str, category: str, three_months: float, one_year: float | None = None) -> TrendSpec:
    growth = [GrowthWindow(window=GrowthWindowKey.THREE_MONTHS, percent=three_months)]
    if one_year is not None:
        growth.append(GrowthWindow(window=GrowthWindowKey.ONE_YEAR, percent=one_year))
    return TrendSpec(slug=slug, name=slug, category=category, growth=growth)


async def test_fastest_risers_per_category(database: Database, graphql: GraphQLClient) -> None:
    await upsert_categories(database, CATEGORIES)
    await upsert_trends(
        database,
        [
            spec("slow", "tech", 5, 300),
            spec("fast", "tech", 80, 10),
            spec("falling", "tech", -20, 50),
            spec("flat", "tech", 0),
            spec("elsewhere", "food", 500),
        ],
    )
    data = await graphql.data(QUERY, {"window": "THREE_MONTHS", "first": 10})
    by_category = {c["slug"]: [t["slug"] for t in c["rising"]] for c in data["categories"]}
    assert by_category == {"ai": [], "food": ["elsewhere"], "tech": ["fast", "slow"]}
    yearly = await graphql.data(QUERY, {"window": "ONE_YEAR", "first": 1})
    by_category = {c["slug"]: [t["slug"] for t in c["rising"]] for c in yearly["categories"]}
    assert by_category["tech"] == ["slow"]
    errors = await graphql.errors(QUERY, {"window": "ONE_YEAR", "first": 0})
    assert errors[0] == "rising(first:) must be between 1 and 50, got 0"
