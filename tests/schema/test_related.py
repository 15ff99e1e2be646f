"""Trend.related: explicit links, then ranked suggestions, at a constant number of queries."""

from __future__ import annotations

import pytest

from app.domain.models import CategorySpec, TrendSpec
from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.factories import upsert_categories, upsert_trends

PAGE = """
query Page($first: Int!) {
  trends(first: $first) { edges { node { slug related(first: 5) { slug name } } } }
}
"""


async def load(database: Database, *specs: TrendSpec) -> None:
    categories = sorted({spec.category for spec in specs if spec.category})
    await upsert_categories(
        database, [CategorySpec(slug=slug, name=slug.title()) for slug in categories]
    )
    report = await upsert_trends(database, list(specs))
    assert not report.failed, report.failed


def corpus(size: int) -> list[TrendSpec]:
    """Trends in rings of ten sharing tags, so each has plenty of suggestions, and up to
    three explicit links spread over the corpus (a page of 50 relates to over 101 trends:
    more than a first reply holds by default)."""
    specs = []
    for index in range(size):
        links = {(index * 7 + step * 31 + 1) % size for step in range(3)} - {index}
        specs.append(
            TrendSpec(
                slug=f"trend-{index:03d}",
                name=f"Trend {index:03d}",
                category=f"category-{index % 3}",
                tags=[f"ring-{index // 10}", f"pair-{index // 2}", f"mod-{index % 7}"],
                related=[f"trend-{link:03d}" for link in sorted(links)],
            )
        )
    return specs


@pytest.mark.parametrize("size", [1, 10, 50])
async def test_a_page_with_related_costs_the_same_queries_at_any_size(
    database: Database, graphql: GraphQLClient, size: int
) -> None:
    await load(database, *corpus(160))
    result, stats = await graphql.execute(PAGE, {"first": size})
    assert result.errors is None
    assert result.data is not None
    edges = result.data["trends"]["edges"]
    assert len(edges) == size
    assert all(len(edge["node"]["related"]) == 5 for edge in edges)
    # The page, one suggestion query for every trend, one fetch of every related trend.
    assert stats.by_name == {"find": 3}


async def test_explicit_links_come_first_then_most_shared_tags(
    database: Database, graphql: GraphQLClient
) -> None:
    await load(
        database,
        TrendSpec(slug="linked", name="Linked"),
        TrendSpec(slug="two-tags", name="Two Tags", tags=["a", "b"], category="other"),
        TrendSpec(slug="one-tag-same", name="One Tag Same", tags=["a"], category="home"),
        TrendSpec(slug="one-tag-other", name="Aaa One Tag Other", tags=["b"], category="other"),
        TrendSpec(slug="same-category-only", name="Same Category", category="home"),
        TrendSpec(slug="unrelated", name="Unrelated", tags=["z"]),
    )
    await load(
        database,
        TrendSpec(
            slug="subject",
            name="Subject",
            category="home",
            tags=["a", "b"],
            related=["linked"],
        ),
    )
    data = await graphql.data('{ trend(slug: "subject") { related(first: 10) { slug } } }')
    assert [trend["slug"] for trend in data["trend"]["related"]] == [
        "linked",  # explicit link
        "two-tags",  # two shared tags
        "one-tag-same",  # one shared tag, same category
        "one-tag-other",  # one shared tag, other category
    ]
    limited = await graphql.data('{ trend(slug: "subject") { related(first: 2) { slug } } }')
    assert [trend["slug"] for trend in limited["trend"]["related"]] == ["linked", "two-tags"]


async def test_related_first_is_bounded(database: Database, graphql: GraphQLClient) -> None:
    await load(database, TrendSpec(slug="subject", name="Subject"))
    errors = await graphql.errors('{ trend(slug: "subject") { related(first: 51) { slug } } }')
    assert errors == ["related(first:) must be between 0 and 50, got 51"]
