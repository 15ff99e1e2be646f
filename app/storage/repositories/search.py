"""Search candidates: trends whose stored search keys match a query (ranked in app.domain.search).

Two indexed finds, run concurrently: exact name or alias matches (``searchCanons``, any
word order), and prefix matches of every query word (``searchTerms``), capped at
:data:`MAX_CANDIDATES`. Exact matches are therefore always found, however common the
query's words; for prefix matches, a query matching more than the cap ranks only a capped
subset (in name order), which a longer query narrows.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from app.domain.models import Trend
from app.domain.search import SearchQuery
from app.storage.database import Database, Document
from app.storage.repositories.stored import StoredDocumentError
from app.storage.repositories.trends import (
    WITHOUT_ANALYSES,
    TrendFields,
    read_trend,
    trend_projection,
)

MAX_CANDIDATES = 500
RANKED: TrendFields = frozenset({"name", "aliases", "tags", "description"})
"""What the ranking reads of every candidate (app.domain.search)."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()


@dataclass(frozen=True, slots=True)
class UnreadableTrend:
    """A candidate whose document the model cannot read: ranked by the text it stores
    (where that text is readable) like any other, answered with its :attr:`error`."""

    id: str
    name: str
    aliases: tuple[str, ...]
    tags: tuple[str, ...]
    description: str | None
    error: StoredDocumentError

    @classmethod
    def of(cls, document: Document, error: StoredDocumentError) -> UnreadableTrend:
        return cls(
            id=str(document["_id"]),
            name=_text(document.get("name")),
            aliases=_texts(document.get("aliases")),
            tags=_texts(document.get("tags")),
            description=_text(document.get("description")) or None,
            error=error,
        )


class SearchRepository:
    def __init__(self, database: Database) -> None:
        self._collection = database.trends

    async def candidates(
        self, query: SearchQuery, fields: TrendFields | None = None
    ) -> list[Trend | UnreadableTrend]:
        """Trends that may match ``query`` (exact matches first), with ``fields`` and what
        the ranking reads (see :data:`app.storage.repositories.trends.TrendFields`), or
        without their analyses when ``fields`` is ``None``."""
        if not query.words:
            return []
        projection = WITHOUT_ANALYSES if fields is None else trend_projection(fields | RANKED)
        exact = self._collection.find({"searchCanons": query.canonical}, projection)
        prefix_filter = {
            "$and": [{"searchTerms": {"$regex": pattern}} for pattern in query.prefix_patterns()]
        }
        prefix = (
            self._collection.find(prefix_filter, projection)
            .sort([("nameKey", 1), ("_id", 1)])
            .limit(MAX_CANDIDATES)
            .batch_size(MAX_CANDIDATES)  # one reply, no getMore
        )
        exact_documents, prefix_documents = await asyncio.gather(exact.to_list(), prefix.to_list())
        candidates: list[Trend | UnreadableTrend] = []
        for document in [*exact_documents, *prefix_documents]:
            trend = read_trend(document)
            candidates.append(
                trend if isinstance(trend, Trend) else UnreadableTrend.of(document, trend)
            )
        return candidates
