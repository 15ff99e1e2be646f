"""Related-trend suggestions: trends sharing tags (and category), ranked, for many at once.

A suggestion shares at least one tag with its subject; the rank is the number of shared
tags, then a shared category, then name. Category alone is no candidate: a category holds
thousands of trends, so it would read most of the collection to rank nearly equal guesses.
One query serves a whole batch of subjects: every trend carrying any of their tags, read
with a small projection and ranked here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.storage.database import Database, Document

MAX_SUGGESTIONS = 50
CANDIDATE_PROJECTION = {"category": 1, "tags": 1, "nameKey": 1}
ONE_REPLY = 100_000
"""A batch size no candidate read reaches: the reply is capped by MongoDB's 16 MB anyway."""


@dataclass(frozen=True, slots=True)
class RelatedSubject:
    """A trend to suggest related trends for (hashable: a DataLoader key)."""

    trend_id: str
    category: str | None
    tags: tuple[str, ...]


def _ranked(subject: RelatedSubject, candidates: Sequence[Document]) -> list[tuple[str, int]]:
    tags = set(subject.tags)
    scored = []
    for candidate in candidates:
        candidate_id = str(candidate["_id"])
        shared = len(tags.intersection(candidate.get("tags", ())))
        if candidate_id == subject.trend_id or shared == 0:
            continue
        same_category = subject.category is not None and candidate.get("category") == (
            subject.category
        )
        scored.append((-shared, not same_category, candidate.get("nameKey", ""), candidate_id))
    scored.sort()
    return [(candidate_id, -shared) for shared, *_, candidate_id in scored[:MAX_SUGGESTIONS]]


class RelatedRepository:
    def __init__(self, database: Database) -> None:
        self._collection = database.trends

    async def suggestions(self, subjects: Sequence[RelatedSubject]) -> list[list[str]]:
        """For each subject, the ids of up to 50 suggested trends, best first (one query)."""
        return [[trend_id for trend_id, _ in ranked] for ranked in await self.scored(subjects)]

    async def scored(self, subjects: Sequence[RelatedSubject]) -> list[list[tuple[str, int]]]:
        """For each subject, up to 50 suggested trends with the number of tags they share
        with it, best first (one query)."""
        tags = sorted({tag for subject in subjects for tag in subject.tags})
        if not tags:
            return [[] for _ in subjects]
        cursor = self._collection.find({"tags": {"$in": tags}}, CANDIDATE_PROJECTION)
        # One reply instead of 101 documents plus getMore calls: candidates are ~100 bytes.
        candidates = await cursor.batch_size(ONE_REPLY).to_list()
        return [_ranked(subject, candidates) for subject in subjects]
