"""The floor: a bare Starlette app doing the benchmark's database reads with orjson, no GraphQL.

What the hardware, the driver and the database allow; the API is measured against it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

import orjson
from pymongo import AsyncMongoClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.domain.search import SearchQuery
from app.settings import Settings
from app.web.asgi import tune_garbage_collector
from bench.sparklines import FLOOR_PATH as SPARKLINES_PATH
from bench.sparklines import floor_sparkline_leaderboard

Document = dict[str, Any]
# Each read fetches only what its answer needs (as the API's reads do, from the selection).
TREND_PAGE = {field: 1 for field in ("name", "description", "growth", "analyses", "category",
                                     "tags", "related")}  # fmt: skip
NAME_AND_GROWTH = {"name": 1, "growth": 1}
LEADERBOARD = {"name": 1, "category": 1, "growth": 1}
CATEGORY_NAME = {"slug": 1, "name": 1}
CANDIDATE = {"tags": 1, "category": 1, "nameKey": 1}
RANKED = {"name": 1, "aliases": 1, "tags": 1, "description": 1}
"""What search ranks by (the API ranks; the floor reads the same and keeps the names)."""


def _json(data: Any) -> Response:
    return Response(orjson.dumps(data, default=str), media_type="application/json")


def _growth(document: Document) -> list[Document]:
    return [
        {"label": window.get("window"), "percent": window.get("percent")}
        for window in (document.get("growth") or {}).values()
    ]


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        os.environ["TRENDGRAPH_MONGODB_URI"], tz_aware=True
    )
    # The same garbage-collector setting as the API's, so the comparison is of the work.
    tune_garbage_collector(Settings().gc_young_threshold)
    yield {"db": client[os.environ.get("TRENDGRAPH_DATABASE", "trendgraph")]}
    await client.close()


async def trend_page(request: Request) -> Response:
    """The API's trend-page reads: the trend, then its category and related suggestions
    together, then the five related trends (explicit links first), ranked as the API does."""
    db = request.state.db
    trend = await db.trends.find_one({"slug": request.query_params["slug"]}, TREND_PAGE)
    if trend is None:
        return _json({"trend": None})
    category, candidates = await asyncio.gather(
        db.categories.find_one({"slug": trend.get("category")}, CATEGORY_NAME),
        db.trends.find({"tags": {"$in": trend.get("tags", [])}}, CANDIDATE)
        .batch_size(10_000)
        .to_list(),
    )
    tags = set(trend.get("tags", []))
    suggested = sorted(
        (c for c in candidates if c["_id"] != trend["_id"]),
        # The API's rank: shared tags, then a shared category, then name.
        key=lambda c: (
            -len(tags & set(c.get("tags", []))),
            c.get("category") != trend.get("category"),
            c.get("nameKey", ""),
            str(c["_id"]),
        ),
    )
    related_ids = list(dict.fromkeys([*trend["related"], *(c["_id"] for c in suggested)]))[:5]
    related = await db.trends.find({"_id": {"$in": related_ids}}, NAME_AND_GROWTH).to_list()
    return _json(
        {
            "trend": {
                "name": trend["name"],
                "description": trend.get("description"),
                "growth": _growth(trend),
                "analyses": trend.get("analyses"),
                "category": category and {"name": category["name"]},
                "related": [{"name": item["name"], "growth": _growth(item)} for item in related],
            }
        }
    )


async def leaderboard(request: Request) -> Response:
    db = request.state.db
    key = "growth.THREE_MONTHS.percent"
    trends = await (
        db.trends.find({}, LEADERBOARD).sort([(key, -1), ("_id", -1)]).limit(51).to_list()
    )
    slugs = list({trend.get("category") for trend in trends})
    categories = {
        category["slug"]: category
        async for category in db.categories.find({"slug": {"$in": slugs}}, CATEGORY_NAME)
    }
    return _json(
        {
            "trends": [
                {
                    "name": trend["name"],
                    "category": {"name": categories[trend["category"]]["name"]},
                    "growth": _growth(trend),
                }
                for trend in trends[:50]
            ]
        }
    )


async def search(request: Request) -> Response:
    """The API's two search reads (exact canonical match, anchored word prefixes)."""
    db = request.state.db
    query = SearchQuery.parse(request.query_params["q"])
    exact = db.trends.find({"searchCanons": query.canonical}, RANKED)
    prefix = (
        db.trends.find(
            {"$and": [{"searchTerms": {"$regex": p}} for p in query.prefix_patterns()]},
            RANKED,
        )
        .sort([("nameKey", 1), ("_id", 1)])
        .limit(500)
        .batch_size(500)
    )
    found = await asyncio.gather(exact.to_list(), prefix.to_list())
    names = list(dict.fromkeys(trend["name"] for trend in [*found[0], *found[1]]))
    return _json({"searchTrends": [{"name": name} for name in names[:20]]})


app = Starlette(
    routes=[
        Route("/s1", trend_page),
        Route("/s2", leaderboard),
        Route("/s3", search),
        Route(SPARKLINES_PATH, floor_sparkline_leaderboard),
    ],
    lifespan=lifespan,
)
