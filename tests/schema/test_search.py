"""searchTrends: ranking on a fixed corpus, folding of case, accents and word order."""

from __future__ import annotations

import pytest

from app.domain.models import TrendSpec
from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.factories import upsert_trends

SEARCH = """
query Search($query: String!, $first: Int) {
  searchTrends(query: $query, first: $first) { slug }
}
"""
CORPUS = [
    TrendSpec(slug="borrow-checker", name="Borrow Checker", description="Rust's ownership rules."),
    TrendSpec(slug="cargo", name="Cargo", tags=["rust", "build-tools"]),
    TrendSpec(slug="ferrous", name="Ferrous Lang", aliases=["Rust"]),
    TrendSpec(slug="rustls", name="Rustls", description="TLS in Rust."),
    TrendSpec(slug="rust", name="Rust", tags=["systems"]),
    TrendSpec(slug="oxide", name="Oxide Computers", tags=["hardware"], aliases=["Rust Belt"]),
    TrendSpec(slug="cafe-creme", name="Café Crème", tags=["coffee"]),
    TrendSpec(slug="cold-brew", name="Cold Brew", description="Coffee steeped cold, not café."),
    TrendSpec(slug="asyncio", name="Asyncio", aliases=["Python asyncio"], tags=["python"]),
    TrendSpec(slug="python-typing", name="Python Typing", tags=["python", "types"]),
]


@pytest.fixture
async def corpus(database: Database) -> Database:
    await upsert_trends(database, CORPUS)
    return database


async def search(graphql: GraphQLClient, query: str, first: int | None = None) -> list[str]:
    data = await graphql.data(SEARCH, {"query": query, "first": first})
    return [trend["slug"] for trend in data["searchTrends"]]


async def test_exact_name_then_alias_then_name_words_then_tag_then_description(
    corpus: Database, graphql: GraphQLClient
) -> None:
    assert await search(graphql, "rust") == [
        "rust",  # exact name
        "ferrous",  # exact alias
        "rustls",  # a name word starts with the query
        "oxide",  # an alias word starts with it
        "cargo",  # tag
        "borrow-checker",  # description
    ]


async def test_case_accents_and_word_order_are_ignored(
    corpus: Database, graphql: GraphQLClient
) -> None:
    assert await search(graphql, "creme CAFE") == ["cafe-creme"]
    assert await search(graphql, "cafe") == ["cafe-creme", "cold-brew"]
    assert await search(graphql, "ASYNCIO python") == ["asyncio"]  # the alias, any order
    assert (await search(graphql, "Café"))[0] == "cafe-creme"


async def test_every_word_must_match_somewhere(corpus: Database, graphql: GraphQLClient) -> None:
    assert await search(graphql, "python typ") == ["python-typing"]
    # A name word ranks above an alias word.
    assert await search(graphql, "python") == ["python-typing", "asyncio"]
    # Spread over fields: "typing" from the name, "types" from a tag.
    assert await search(graphql, "typing types") == ["python-typing"]
    assert await search(graphql, "rust coffee") == []


async def test_first_limits_the_results(corpus: Database, graphql: GraphQLClient) -> None:
    assert await search(graphql, "rust", first=2) == ["rust", "ferrous"]


@pytest.mark.parametrize(
    "query", [".*", "^", "$where", '{"$gt": ""}', "rust.*|.*", "(", "\\", "   "]
)
async def test_user_text_never_acts_as_a_pattern_or_operator(
    corpus: Database, graphql: GraphQLClient, query: str
) -> None:
    slugs = await search(graphql, query)
    assert "cafe-creme" not in slugs  # no pattern matched everything
    assert slugs in ([], ["rust", "ferrous", "rustls", "oxide", "cargo", "borrow-checker"])


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"query": "x", "first": 0}, "first must be between 1 and 50, got 0"),
        ({"query": "x", "first": 51}, "first must be between 1 and 50, got 51"),
        ({"query": "x" * 201}, "query is longer than 200 characters"),
    ],
)
async def test_bad_arguments(
    corpus: Database, graphql: GraphQLClient, variables: dict[str, object], message: str
) -> None:
    assert await graphql.errors(SEARCH, variables) == [message]


async def test_search_costs_two_queries(corpus: Database, graphql: GraphQLClient) -> None:
    result, stats = await graphql.execute(SEARCH, {"query": "rust"})
    assert result.errors is None
    assert stats.by_name == {"find": 2}  # exact keys and word prefixes, concurrently
