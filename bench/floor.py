"""The floor: a bare Starlette app doing the benchmark's database reads with orjson, no GraphQL.

What the hardware, the driver and the database allow; the API is measured against it.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import AsyncIterator
from typing import Any

import orjson
from pymongo import AsyncMongoClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Document = dict[str, Any]
SUMMARY = {"analyses": 0}


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
    yield {"db": client[os.environ.get("TRENDGRAPH_DATABASE", "trendgraph")]}
    await client.close()


async def trend_page(request: Request) -> Response:
    db = request.state.db
    trend = await db.trends.find_one({"slug": request.query_params["slug"]})
    if trend is None:
        return _json({"trend": None})
    category = await db.categories.find_one({"slug": trend.get("category")})
    related = await db.trends.find({"_id": {"$in": trend["related"][:5]}}, SUMMARY).to_list()
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
    trends = await db.trends.find({}, SUMMARY).sort([(key, -1), ("_id", -1)]).limit(51).to_list()
    slugs = list({trend.get("category") for trend in trends})
    categories = {
        category["slug"]: category
        async for category in db.categories.find({"slug": {"$in": slugs}})
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
    db = request.state.db
    words = request.query_params["q"].lower().split()
    pattern = {"$regex": "|".join(re.escape(word) for word in words)}
    trends = await db.trends.find({"nameKey": pattern}, SUMMARY).limit(20).to_list()
    return _json({"searchTrends": [{"name": trend["name"]} for trend in trends]})


app = Starlette(
    routes=[Route("/s1", trend_page), Route("/s2", leaderboard), Route("/s3", search)],
    lifespan=lifespan,
)
