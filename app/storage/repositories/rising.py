"""A category's fastest risers: its trends with positive growth over a window, fastest first.

One indexed query: ``(category, growth.<window>.percent, _id)`` serves the filter and the
order, so the page costs the same in a category of ten trends or of ten thousand.
"""

from __future__ import annotations

from app.domain.models import GrowthWindowKey
from app.storage.database import Database
from app.storage.repositories.trends import WITHOUT_ANALYSES, TrendOrError, read_trend


class RisingRepository:
    def __init__(self, database: Database) -> None:
        self._collection = database.trends

    async def rising(
        self, category: str, window: GrowthWindowKey, first: int
    ) -> list[TrendOrError]:
        """Up to ``first`` trends of ``category`` growing over ``window``, fastest first."""
        path = f"growth.{window.value}.percent"
        cursor = (
            self._collection.find({"category": category, path: {"$gt": 0}}, WITHOUT_ANALYSES)
            .sort([(path, -1), ("_id", -1)])
            .limit(first)
        )
        return [read_trend(document) async for document in cursor]
