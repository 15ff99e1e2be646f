"""Trend.relatedEdges: explicit links, then co-movement (stored on write), then shared tags."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from app.domain.models import TrendSpec
from app.settings import Settings
from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.factories import upsert_trends
from tests.writer import writer

APPEND = """mutation($slug: String!, $points: [SeriesPointInput!]!) {
  appendSeries(slug: $slug, points: $points) { userErrors { code } } }"""
EDGES = """query($slug: String!) { trend(slug: $slug) {
  related(first: 10) { slug }
  relatedEdges(first: 10) { node { slug } reason strength } } }"""
WAVE = [10, 12, 15, 14, 18, 25, 22, 30, 28, 35, 40, 38, 50, 60]


def monthly(values: Sequence[float]) -> list[dict[str, Any]]:
    return [
        {"date": date(2024 + offset // 12, offset % 12 + 1, 1).isoformat(), "value": value}
        for offset, value in enumerate(values)
    ]


async def test_edges_say_why_and_how_strongly(database: Database, settings: Settings) -> None:
    await upsert_trends(
        database,
        [
            TrendSpec(slug="linked", name="Linked"),
            TrendSpec(slug="subject", name="Subject", tags=["x", "y"], related=["linked"]),
            TrendSpec(slug="twin", name="Twin"),
            TrendSpec(slug="mirror", name="Mirror"),
            TrendSpec(slug="tagged", name="Tagged", tags=["y"]),
        ],
    )
    client = writer(database, settings)
    for slug, values in (
        ("twin", [value * 3 for value in WAVE]),
        ("mirror", [100 - value for value in WAVE]),
        ("subject", WAVE),
    ):
        data = await client.data(APPEND, {"slug": slug, "points": monthly(values)})
        assert data["appendSeries"]["userErrors"] == []

    result, stats = await client.execute(EDGES, {"slug": "subject"})
    assert result.errors is None, result.errors
    assert result.data is not None
    trend = result.data["trend"]
    assert trend["relatedEdges"] == [
        {"node": {"slug": "linked"}, "reason": "EXPLICIT", "strength": 1.0},
        {"node": {"slug": "twin"}, "reason": "CO_MOVEMENT", "strength": 1.0},
        {"node": {"slug": "tagged"}, "reason": "SHARED_TAGS", "strength": 0.5},
    ]
    assert trend["related"] == [{"slug": "linked"}, {"slug": "twin"}, {"slug": "tagged"}]
    # Co-movement is read with the trend, never computed from series at read time.
    assert stats.by_name == {"find": 3}  # the trend, tag suggestions, the related trends
    assert await database.trend_series.count_documents({}) == 3

    # The twin stops moving like the subject; the subject's list changes when its own
    # series is written again.
    await client.data(APPEND, {"slug": "twin", "points": monthly([100 - v for v in WAVE])})
    await client.data(APPEND, {"slug": "subject", "points": monthly(WAVE)[-1:]})
    data = await client.data(EDGES, {"slug": "subject"})
    reasons = {edge["node"]["slug"]: edge["reason"] for edge in data["trend"]["relatedEdges"]}
    assert reasons == {"linked": "EXPLICIT", "tagged": "SHARED_TAGS"}


async def test_first_is_checked(database: Database, graphql: GraphQLClient) -> None:
    await upsert_trends(database, [TrendSpec(slug="subject", name="Subject")])
    errors = await graphql.errors(
        '{ trend(slug: "subject") { relatedEdges(first: 51) { strength } } }'
    )
    assert errors == ["related(first:) must be between 0 and 50, got 51"]
