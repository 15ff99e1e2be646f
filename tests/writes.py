"""Operations and inputs shared by the write tests."""

from __future__ import annotations

from typing import Any

from app.domain.models import CategorySpec
from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.factories import upsert_categories
from tests.seeds.files import PESTLE

USER_ERRORS = "userErrors { field message code }"
TREND_FIELDS = """
  id slug name aliases description tags status version createdAt updatedAt
  category { slug }
  growth { window percent method startValue endValue }
  related { slug }
  analyses {
    decomposition { source generatedAt trigger behaviorChange enabler constraintRemoved }
    pestle { source generatedAt political economic social technological legal environmental }
    jobsToBeDone { source generatedAt problem priorWorkaround keyOutcome }
    consumerTrendCanvas {
      source generatedAt basicNeed driversOfChange emergingConsumerNeeds
      newConsumerExpectations inspirationsSignals innovationsEmerging
    }
  }
"""
CREATE_TREND = f"""
mutation($input: TrendInput!) {{
  createTrend(input: $input) {{ trend {{ {TREND_FIELDS} }} {USER_ERRORS} }}
}}"""
UPDATE_TREND = f"""
mutation($slug: String!, $input: TrendInput!, $expectedVersion: Int!) {{
  updateTrend(slug: $slug, input: $input, expectedVersion: $expectedVersion) {{
    trend {{ {TREND_FIELDS} }} {USER_ERRORS}
  }}
}}"""
DELETE_TREND = f"""
mutation($slug: String!, $expectedVersion: Int!) {{
  deleteTrend(slug: $slug, expectedVersion: $expectedVersion) {{ deletedTrendId {USER_ERRORS} }}
}}"""
UPSERT_TRENDS = f"""
mutation($inputs: [TrendInput!]!) {{
  upsertTrends(inputs: $inputs) {{
    inserted updated unchanged failed {USER_ERRORS}
    results {{ index slug outcome trend {{ {TREND_FIELDS} }} {USER_ERRORS} }}
  }}
}}"""
CATEGORY_FIELDS = "id slug name description parent { slug }"
CREATE_CATEGORY = f"""
mutation($input: CategoryInput!) {{
  createCategory(input: $input) {{ category {{ {CATEGORY_FIELDS} }} {USER_ERRORS} }}
}}"""
UPDATE_CATEGORY = f"""
mutation($slug: String!, $input: CategoryInput!) {{
  updateCategory(slug: $slug, input: $input) {{ category {{ {CATEGORY_FIELDS} }} {USER_ERRORS} }}
}}"""
UPSERT_CATEGORIES = f"""
mutation($inputs: [CategoryInput!]!) {{
  upsertCategories(inputs: $inputs) {{
    inserted updated unchanged failed {USER_ERRORS}
    results {{ index slug outcome category {{ {CATEGORY_FIELDS} }} {USER_ERRORS} }}
  }}
}}"""
READ_TREND = f"query($slug: String!) {{ trend(slug: $slug) {{ {TREND_FIELDS} }} }}"

CATEGORIES = [
    CategorySpec(slug="technology", name="Technology"),
    CategorySpec(slug="software-development", name="Software Development", parent="technology"),
]


async def add_categories(database: Database) -> None:
    await upsert_categories(database, CATEGORIES)


def trend_input(slug: str = "rust", **overrides: Any) -> dict[str, Any]:
    """A complete, valid ``TrendInput``: every field set, all four analyses."""
    value: dict[str, Any] = {
        "slug": slug,
        "name": f"Trend {slug}",
        "aliases": [f"{slug} lang"],
        "description": f"About {slug}.",
        "category": "software-development",
        "tags": ["systems", "memory-safety"],
        "growth": [
            {"window": "THREE_MONTHS", "percent": 12.5, "startValue": 40, "endValue": 45},
            {"window": "FIVE_YEARS", "percent": 300},
        ],
        "status": "REGULAR",
        "analyses": {
            "decomposition": {
                "source": "test",
                "generatedAt": "2026-01-02T03:04:05.678000+00:00",
                "trigger": "t",
                "behaviorChange": "b",
                "enabler": "e",
                "constraintRemoved": "c",
            },
            "pestle": dict(PESTLE),
            "jobsToBeDone": {
                "source": "test",
                "problem": "p",
                "priorWorkaround": "w",
                "keyOutcome": "k",
            },
            "consumerTrendCanvas": {
                "source": "test",
                "basicNeed": "n",
                "driversOfChange": "d",
                "emergingConsumerNeeds": "e",
                "newConsumerExpectations": "x",
                "inspirationsSignals": "i",
                "innovationsEmerging": "m",
            },
        },
        "related": [],
    }
    value.update(overrides)
    return value


async def create_trend(editor: GraphQLClient, **overrides: Any) -> dict[str, Any]:
    """Create a trend that must be accepted; returns it as the API answers."""
    payload = (await editor.data(CREATE_TREND, {"input": trend_input(**overrides)}))["createTrend"]
    assert payload["userErrors"] == [], payload["userErrors"]
    trend: dict[str, Any] = payload["trend"]
    return trend


async def stored_trends(database: Database) -> list[dict[str, Any]]:
    """Every stored trend document, by slug."""
    return [document async for document in database.trends.find({}).sort("slug", 1)]
