"""S5's floor (bench/sparklines.py) answers what the API answers: the same trends, volumes
and sparklines, so the benchmark compares the same work."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.settings import Settings
from app.storage.database import Database
from bench import sparklines
from bench.floor import app as floor_app
from seeds.loader import DATA_DIR, parse_seed_file
from seeds.synthetic.generator import generate
from seeds.synthetic.loader import load_synthetic
from tests.conftest import TEST_DATABASE, GraphQLClient, asgi_client
from tests.factories import upsert_categories


def comparable(trends: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (
            trend["name"],
            trend["volume"],
            [
                (
                    s["source"],
                    s["region"],
                    s["unit"],
                    [(p["date"], p["value"]) for p in s["series"]],
                )
                for s in trend["signals"]
            ],
        )
        for trend in trends
    ]


async def test_floor_and_api_answer_the_same(
    database: Database,
    graphql: GraphQLClient,
    mongodb_uri: str,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
) -> None:
    taxonomy = parse_seed_file(DATA_DIR / "taxonomy.json").categories
    await upsert_categories(database, taxonomy)
    await load_synthetic(database, generate(60, 3, date(2025, 6, 1), taxonomy))
    api = await graphql.data(sparklines.SPARKLINE_LEADERBOARD)
    api_trends = [edge["node"] for edge in api["trends"]["edges"]]

    monkeypatch.setenv("TRENDGRAPH_MONGODB_URI", mongodb_uri)
    monkeypatch.setenv("TRENDGRAPH_DATABASE", TEST_DATABASE)
    async with asgi_client(floor_app) as client:
        response = await client.get(sparklines.FLOOR_PATH)
    assert response.status_code == 200
    floor_trends = response.json()["trends"]

    assert len(api_trends) == len(floor_trends) == 50
    assert comparable(api_trends) == comparable(floor_trends)
    assert all(len(s["series"]) == 12 for t in api_trends for s in t["signals"])
    assert {len(t["signals"]) for t in api_trends} == {2, 3}
