"""Search candidates: trends whose stored search keys match a query (ranked in app.search).

Two indexed finds, run concurrently: exact name or alias matches (``searchCanons``, any
word order), and prefix matches of every query word (``searchTerms``), capped at
:data:`MAX_CANDIDATES`. Exact matches are therefore always found, however common the
query's words; for prefix matches, a query matching more than the cap ranks only a capped
subset (in name order), which a longer query narrows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from app.database import Database
from app.models import Trend
from app.search import SearchQuery

MAX_CANDIDATES = 500
SEARCH_PROJECTION: Mapping[str, Any] = {"analyses": 0, "searchTerms": 0, "searchCanons": 0}


class SearchRepository:
    def __init__(self, database: Database) -> None:
        self._collection = database.trends

    async def candidates(self, query: SearchQuery) -> list[Trend]:
        """Trends that may match ``query`` (exact matches first), without their analyses."""
        if not query.words:
            return []
        exact = self._collection.find({"searchCanons": query.canonical}, SEARCH_PROJECTION)
        prefix_filter = {
            "$and": [{"searchTerms": {"$regex": pattern}} for pattern in query.prefix_patterns()]
        }
        prefix = (
            self._collection.find(prefix_filter, SEARCH_PROJECTION)
            .sort([("nameKey", 1), ("_id", 1)])
            .limit(MAX_CANDIDATES)
            .batch_size(MAX_CANDIDATES)  # one reply, no getMore
        )
        exact_documents, prefix_documents = await asyncio.gather(exact.to_list(), prefix.to_list())
        return [Trend.model_validate(doc) for doc in [*exact_documents, *prefix_documents]]
