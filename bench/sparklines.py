"""S5, the sparkline leaderboard: 50 trends by 3-month growth, each with its volume and the
last 12 points of every signal (the synthetic data gives each trend two or three).

The floor's reads: the page of trends, then every signal of the page with its last 12 points
(``$slice``), in one query. The API reads the page, the signals' summaries, then the
sparklines: one query more than the floor, however many trends and signals.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from app.storage.repositories.trends import WITHOUT_ANALYSES

KEY = "S5"
TITLE = "sparkline leaderboard"
FLOOR_PATH = "/s5"
SPARKLINE_LEADERBOARD = """query SparklineLeaderboard { trends(first: 50,
  orderBy: {field: GROWTH, window: THREE_MONTHS, direction: DESC}) {
  edges { node { name volume growth { label percent }
    signals { source region unit series(last: 12) { date value } } } } } }"""
GRAPHQL: dict[str, Any] = {"query": SPARKLINE_LEADERBOARD}


async def floor_sparkline_leaderboard(request: Request) -> Response:
    db = request.state.db
    key = "growth.THREE_MONTHS.percent"
    trends = (
        await db.trends.find({}, WITHOUT_ANALYSES)
        .sort([(key, -1), ("_id", -1)])
        .limit(51)
        .to_list()
    )[:50]
    signals = await (
        db.trend_series.find(
            {"trendId": {"$in": [trend["_id"] for trend in trends]}},
            {"trendId": 1, "source": 1, "region": 1, "unit": 1, "points": {"$slice": -12}},
        )
        .batch_size(10_000)
        .to_list()
    )
    by_trend: dict[Any, list[dict[str, Any]]] = {}
    for signal in sorted(signals, key=lambda s: (s["source"], s["region"])):
        by_trend.setdefault(signal["trendId"], []).append(
            {
                "source": signal["source"],
                "region": signal["region"],
                "unit": signal["unit"],
                "series": [
                    {"date": point["date"].date().isoformat(), "value": point["value"]}
                    for point in signal["points"]
                ],
            }
        )
    data = {
        "trends": [
            {
                "name": trend["name"],
                "volume": trend.get("volume"),
                "growth": [
                    {"label": window.get("window"), "percent": window.get("percent")}
                    for window in (trend.get("growth") or {}).values()
                ],
                "signals": by_trend.get(trend["_id"], []),
            }
            for trend in trends
        ]
    }
    return Response(orjson.dumps(data), media_type="application/json")
