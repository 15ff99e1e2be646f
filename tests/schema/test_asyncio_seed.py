"""Every fact of the seed page comes back from the API word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.storage.database import Database
from tests.conftest import GraphQLClient

SEED_PAGE = Path(__file__).resolve().parents[1] / "data" / "asyncio-trend-page.txt"

ASYNCIO_QUERY = """
{
  trend(slug: "asyncio") {
    name
    description
    growth { window label percent method }
    analyses {
      decomposition { trigger behaviorChange enabler constraintRemoved }
      pestle { political economic social technological legal environmental }
      jobsToBeDone { problem priorWorkaround keyOutcome }
      consumerTrendCanvas {
        basicNeed driversOfChange emergingConsumerNeeds newConsumerExpectations
        inspirationsSignals innovationsEmerging
      }
    }
  }
}
"""

# The page's labels, in page order, and the API field that answers each.
LABELLED_FIELDS = {
    "decomposition": [
        ("Trigger", "trigger"),
        ("Behavior change", "behaviorChange"),
        ("Enabler", "enabler"),
        ("Constraint removed", "constraintRemoved"),
    ],
    "pestle": [
        ("Political", "political"),
        ("Economic", "economic"),
        ("Social", "social"),
        ("Technological", "technological"),
        ("Legal", "legal"),
        ("Environmental", "environmental"),
    ],
    "consumerTrendCanvas": [
        ("Basic Need", "basicNeed"),
        ("Drivers of Change", "driversOfChange"),
        ("Emerging Consumer Needs", "emergingConsumerNeeds"),
        ("New Consumer Expectations", "newConsumerExpectations"),
        ("Inspirations / Signals", "inspirationsSignals"),
        ("Innovations Emerging", "innovationsEmerging"),
    ],
}
JOBS_QUESTIONS = [
    ("What problem does this trend help solve?", "problem"),
    ("What workaround existed before?", "priorWorkaround"),
    ("What outcome matters most?", "keyOutcome"),
]


def page_text() -> str:
    if not SEED_PAGE.exists():
        pytest.fail(f"seed page missing at {SEED_PAGE}")
    return SEED_PAGE.read_text(encoding="utf-8")


def labelled(page: str, label: str) -> str:
    match = re.search(rf"^{re.escape(label)}: (.+)$", page, flags=re.MULTILINE)
    assert match, f"label {label!r} not on the page"
    return match.group(1).strip()


def answer_after(page: str, question: str) -> str:
    lines = [line.strip() for line in page.splitlines()]
    index = lines.index(question)
    return next(line for line in lines[index + 1 :] if line)


async def test_every_fact_of_the_seed_page(seeded: Database, graphql: GraphQLClient) -> None:
    page = page_text()
    trend = (await graphql.data(ASYNCIO_QUERY))["trend"]

    assert trend["name"] == "Asyncio"
    assert "About Asyncio" in page
    about = answer_after(page, "About Asyncio")
    assert trend["description"] == about

    for framework, fields in LABELLED_FIELDS.items():
        for label, field in fields:
            assert trend["analyses"][framework][field] == labelled(page, label), (framework, label)
    for question, field in JOBS_QUESTIONS:
        assert trend["analyses"]["jobsToBeDone"][field] == answer_after(page, question)


async def test_growth_matches_the_page(seeded: Database, graphql: GraphQLClient) -> None:
    page = page_text()
    on_page = {
        label: float(percent)
        for percent, label in re.findall(r"^(\d+)%\s*\n\((\w+)\)", page, flags=re.MULTILINE)
    }
    assert on_page == {"5y": 51, "1y": 21, "3mo": 20}

    growth = (await graphql.data(ASYNCIO_QUERY))["trend"]["growth"]

    assert growth == [
        {"window": "THREE_MONTHS", "label": "3mo", "percent": 20.0, "method": "REPORTED"},
        {"window": "ONE_YEAR", "label": "1y", "percent": 21.0, "method": "REPORTED"},
        {"window": "FIVE_YEARS", "label": "5y", "percent": 51.0, "method": "REPORTED"},
    ]
    assert {window["label"]: window["percent"] for window in growth} == on_page


async def test_growth_for_one_window(seeded: Database, graphql: GraphQLClient) -> None:
    data = await graphql.data(
        """{ trend(slug: "asyncio") {
              oneYear: growthFor(window: ONE_YEAR) { label percent }
              twoYears: growthFor(window: TWO_YEARS) { label percent } } }"""
    )
    assert data["trend"]["oneYear"] == {"label": "1y", "percent": 21.0}
    assert data["trend"]["twoYears"] is None


async def test_category_and_provenance(seeded: Database, graphql: GraphQLClient) -> None:
    data = await graphql.data(
        """{ trend(slug: "asyncio") {
              slug category { slug name parent { slug } }
              analyses { pestle { source generatedAt } } } }"""
    )
    trend = data["trend"]
    assert trend["category"] == {
        "slug": "software-development",
        "name": "Software Development",
        "parent": {"slug": "technology"},
    }
    assert trend["analyses"]["pestle"]["source"] == "Asyncio trend page (seed)"


async def test_alias_finds_the_trend(seeded: Database, graphql: GraphQLClient) -> None:
    data = await graphql.data('{ trend(slug: "python-asyncio") { slug } }')
    assert data["trend"] == {"slug": "asyncio"}


async def test_unknown_slug_is_null(seeded: Database, graphql: GraphQLClient) -> None:
    assert await graphql.data('{ trend(slug: "no-such-trend") { slug } }') == {"trend": None}
