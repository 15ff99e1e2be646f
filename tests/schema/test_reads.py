"""Reads fetch only the stored fields a query selects: checked on the documents the database
sends back (a command listener on the driver), and against reads of every field."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from graphql import GraphQLObjectType
from pymongo import AsyncMongoClient, monitoring

from app.observability import Metrics
from app.settings import Settings
from app.storage.database import Database
from bench.__main__ import LEADERBOARD, TREND_PAGE
from schema.context import Context
from schema.reads import TREND_FIELD_READS
from schema.root import schema
from seeds.loader import default_seed_files, parse_seed_file
from tests.conftest import TEST_DATABASE, GraphQLClient
from tests.factories import upsert_trends

SEARCH_KEYS = {"searchTerms", "searchCanons"}
SEARCH = """{ searchTrends(query: "asyncio", first: 20) { name } }"""
QUERIES: list[tuple[str, dict[str, Any]]] = [
    (TREND_PAGE, {"slug": "asyncio"}),
    (LEADERBOARD, {}),
    (SEARCH, {}),
    ("""{ trend(slug: "asyncio") { id slug name aliases description tags status version
        createdAt updatedAt growthFor(window: ONE_YEAR) { percent } seriesSource
        related(first: 3) { ...Leaf analyses { pestle { legal } } } } }
        fragment Leaf on Trend { slug tags }""", {}),
    ("""{ compareTrends(slugs: ["asyncio-2", "nope", "asyncio"]) { name status } }""", {}),
    ("""{ a: trend(slug: "python-asyncio") { name } b: trend(slug: "asyncio") { aliases } }""",
     {}),
    ("""{ trends(first: 3, orderBy: {field: NAME}) { edges { cursor node { __typename
        ... on Trend { name } } } } }""", {}),
    ("""{ trends(last: 2, orderBy: {field: STATUS, direction: DESC}) { edges { cursor
        node { slug } } } }""", {}),
    ("""{ searchTrends(query: "async") { name analyses { pestle { legal } } } }""", {}),
]  # fmt: skip


class _Replies(monitoring.CommandListener):
    """The trend documents the database sent back, per command."""

    def __init__(self) -> None:
        self.documents: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        cursor = event.reply.get("cursor") or {}
        if str(cursor.get("ns", "")).endswith(".trends"):
            self.documents += cursor.get("firstBatch", []) + cursor.get("nextBatch", [])

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
async def trends(seeded: Database) -> Database:
    """The Asyncio trend and five copies sharing its tags (so they are its suggestions)."""
    [spec] = parse_seed_file(default_seed_files()[-1]).trends
    copies = [
        spec.model_copy(update={"slug": f"asyncio-{n}", "name": f"Asyncio {n}", "aliases": []})
        for n in range(2, 7)
    ]
    await upsert_trends(seeded, copies)
    return seeded


@pytest.fixture
async def listened(mongodb_uri: str) -> AsyncIterator[tuple[Database, _Replies]]:
    replies = _Replies()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongodb_uri, event_listeners=[replies], tz_aware=True
    )
    yield Database(client, TEST_DATABASE), replies
    await client.close()


async def test_reads_fetch_no_search_keys_and_analyses_only_where_selected(
    trends: Database, listened: tuple[Database, _Replies], settings: Settings
) -> None:
    database, replies = listened
    graphql = GraphQLClient(database, settings)
    await graphql.data(TREND_PAGE, {"slug": "asyncio"})
    assert replies.documents
    assert all(not SEARCH_KEYS & document.keys() for document in replies.documents)
    # Only the trend itself carries its analyses, not its related trends.
    assert [document["slug"] for document in replies.documents if "analyses" in document] == [
        "asyncio"
    ]
    for query in (LEADERBOARD, SEARCH):
        replies.documents.clear()
        await graphql.data(query)
        assert replies.documents
        for document in replies.documents:
            assert not (SEARCH_KEYS | {"analyses"}) & document.keys()
    replies.documents.clear()
    await graphql.data(LEADERBOARD)
    fields = set().union(*(document.keys() for document in replies.documents))
    # What the page selects and what a trend cannot be built without; no more.
    assert fields == {"_id", "slug", "name", "createdAt", "category", "growth"}


@pytest.mark.parametrize(("query", "variables"), QUERIES)
async def test_answers_equal_reads_of_every_field(
    trends: Database, settings: Settings, query: str, variables: dict[str, Any]
) -> None:
    selected = GraphQLClient(trends, settings)
    whole = GraphQLClient(trends, settings.model_copy(update={"read_selected_fields": False}))
    answer = await selected.data(query, variables)
    assert answer == await whole.data(query, variables)
    assert answer  # the query found something


def test_every_trend_field_is_mapped() -> None:
    trend_type = schema._schema.type_map["Trend"]
    assert isinstance(trend_type, GraphQLObjectType)
    assert set(trend_type.fields) | {"__typename"} == set(TREND_FIELD_READS)


async def test_an_unmapped_field_reads_every_field_and_counts(
    trends: Database,
    listened: tuple[Database, _Replies],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database, replies = listened
    monkeypatch.delitem(TREND_FIELD_READS, "slug")
    metrics = Metrics()
    context = Context.create(database, settings, metrics=metrics)
    result = await schema.execute('{ trend(slug: "asyncio") { slug } }', context_value=context)
    assert result.errors is None
    assert "analyses" in replies.documents[0]
    assert metrics.reads_of_every_field._value.get() == 1
