"""The series-to-signals migration: legacy series become search-interest/WORLD/INDEX signals."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

from app.domain.models import TrendSpec
from app.storage.database import Database
from app.storage.migrations import series_to_signals
from tests.conftest import GraphQLClient
from tests.factories import upsert_trends


def legacy_series(trend_id: ObjectId, source: str, values: list[float]) -> dict[str, object]:
    """A series document as stored before signals: ``_id`` is the trend's, no region or unit."""
    return {
        "_id": trend_id,
        "source": source,
        "points": [
            {"date": datetime(2024, month, 1, tzinfo=UTC), "value": value}
            for month, value in enumerate(values, start=1)
        ],
        "version": 3,
        "updatedAt": datetime(2024, 5, 1, tzinfo=UTC),
    }


async def test_legacy_series_become_signals_on_start(
    database: Database, graphql: GraphQLClient
) -> None:
    await upsert_trends(
        database, [TrendSpec(slug="one", name="One"), TrendSpec(slug="two", name="Two")]
    )
    ids = {doc["slug"]: doc["_id"] async for doc in database.trends.find({}, {"slug": 1})}
    await database.trend_series.drop_indexes()  # as before signals: no unique signal index
    await database.trend_series.insert_many(
        [
            legacy_series(ids["one"], "search-interest", [10, 20, 30, 40]),
            legacy_series(ids["two"], "Google Trends (manual export)", [4, 3, 2, 1]),
        ]
    )

    await database.ensure_indexes()  # what opening the database runs

    one = await database.trend_series.find_one({"trendId": ids["one"]})
    assert one is not None
    assert (one["_id"], one["source"], one["region"], one["unit"]) == (
        ids["one"],
        "search-interest",
        "WORLD",
        "INDEX",
    )
    assert (one["version"], one["pointCount"], one["granularity"]) == (3, 4, "MONTHLY")
    assert one["growth"]["THREE_MONTHS"]["percent"] == 300.0
    two = await database.trend_series.find_one({"trendId": ids["two"]})
    assert two is not None
    assert (two["source"], two["legacySource"]) == (
        "search-interest",
        "Google Trends (manual export)",
    )
    data = await graphql.data(
        '{ trend(slug: "two") { signals { source region unit series { value } } } }'
    )
    assert data["trend"]["signals"] == [
        {
            "source": "search-interest",
            "region": "WORLD",
            "unit": "INDEX",
            "series": [{"value": value} for value in (4.0, 3.0, 2.0, 1.0)],
        }
    ]
    filtered = await graphql.data(
        '{ trends(filter: {signal: {source: "search-interest"}}) { edges { node { slug } } } }'
    )
    assert [edge["node"]["slug"] for edge in filtered["trends"]["edges"]] == ["one", "two"]

    # Idempotent: a second start finds nothing to do and changes nothing.
    before = await database.trend_series.find({}).sort("_id").to_list()
    assert await series_to_signals(database.trend_series, database.trends) == 0
    await database.ensure_indexes()
    assert await database.trend_series.find({}).sort("_id").to_list() == before
