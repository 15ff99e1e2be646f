"""Trend search without ``$text``: stored search keys, and how matches are ranked.

Every trend stores two derived fields (written with the trend, see
:func:`search_fields`):

- ``searchCanons``: the name and each alias in canonical form (accents stripped, case
  folded, words sorted: ``"Python asyncio"`` -> ``"asyncio python"``), for exact matches
  in any word order, found by an indexed equality;
- ``searchTerms``: every word of the name, aliases, tags and description, folded the same
  way, for prefix matches found by an anchored ``{"$regex": "^word"}`` per query word (an
  indexed range scan on MongoDB; the embedded server handles this form, see docs/architecture.md).

Why a regex and not a string range: on an array, ``{"$gte": w, "$lt": w'}`` matches when
*any* element is above ``w`` and *any* element below ``w'``, so on MongoDB it matches nearly
every trend; the embedded server answered it from the index instead (83 of 10,000 synthetic
trends, against 10,000 once wrapped in ``$and``): results would differ between the two.
``$elemMatch`` ranges are correct on both but took ~1.9 s on the embedded server at 10,000
trends, the anchored regex ~0.6 s there (a scan) and an index range scan on MongoDB.

The query is split into the same words; user text only ever reaches MongoDB as an equality
value or inside :func:`re.escape`, never as an operator or a pattern. Matches rank by
:class:`MatchTier`, then by name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol, TypeVar

from app.domain.models import search_key

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8


def words(text: str) -> list[str]:
    """The words of ``text``, folded (``"Café-Bar 2"`` -> ``["cafe", "bar", "2"]``)."""
    return re.findall(r"[^\W_]+", search_key(text))


def canonical(text: str) -> str:
    """``text`` as a set of folded words, sorted: equal for any word order, case or accents."""
    return " ".join(sorted(set(words(text))))


def search_fields(
    name: str, aliases: Iterable[str], tags: Iterable[str], description: str | None
) -> dict[str, Any]:
    """The stored search keys of a trend (``searchCanons``, ``searchTerms``)."""
    aliases, tags = list(aliases), list(tags)
    texts = [name, *aliases, *tags, description or ""]
    return {
        "searchCanons": list(dict.fromkeys([canonical(name), *map(canonical, aliases)])),
        "searchTerms": sorted({word for text in texts for word in words(text)}),
    }


class MatchTier(IntEnum):
    """How well a trend matches a query; lower ranks first."""

    EXACT_NAME = 0
    EXACT_ALIAS = 1
    NAME_WORDS = 2
    """Every query word starts a word of the name (``"async"`` finds ``"Asyncio"``)."""
    ALIAS_WORDS = 3
    TAG = 4
    """Every query word starts a word of the tags."""
    DESCRIPTION = 5
    """Every query word starts a word of the description."""
    SPREAD = 6
    """Every query word matches, but across several of the fields above."""


class Searchable(Protocol):
    """What ranking reads of a candidate: a :class:`~app.domain.models.Trend`, or the text a stored
    trend the model cannot read still has (see :mod:`app.storage.repositories.search`)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def aliases(self) -> Sequence[str]: ...
    @property
    def tags(self) -> Sequence[str]: ...
    @property
    def description(self) -> str | None: ...


SearchableT = TypeVar("SearchableT", bound=Searchable)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A query split into folded words."""

    words: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> SearchQuery:
        return cls(tuple(dict.fromkeys(words(text)))[:MAX_QUERY_WORDS])

    @property
    def canonical(self) -> str:
        return " ".join(sorted(self.words))

    def prefix_patterns(self) -> list[str]:
        """One anchored, escaped pattern per word."""
        return ["^" + re.escape(word) for word in self.words]

    def _starts_words(self, texts: Iterable[str]) -> bool:
        available = {word for text in texts for word in words(text)}
        return all(any(term.startswith(word) for term in available) for word in self.words)

    def tier(self, trend: Searchable) -> MatchTier | None:
        """How ``trend`` matches, or ``None`` if some query word matches nothing of it."""
        if canonical(trend.name) == self.canonical:
            return MatchTier.EXACT_NAME
        if any(canonical(alias) == self.canonical for alias in trend.aliases):
            return MatchTier.EXACT_ALIAS
        fields: list[tuple[MatchTier, Sequence[str]]] = [
            (MatchTier.NAME_WORDS, [trend.name]),
            (MatchTier.ALIAS_WORDS, trend.aliases),
            (MatchTier.TAG, trend.tags),
            (MatchTier.DESCRIPTION, [trend.description or ""]),
        ]
        for tier, texts in fields:
            if self._starts_words(texts):
                return tier
        if self._starts_words(text for _, texts in fields for text in texts):
            return MatchTier.SPREAD
        return None


def rank(query: SearchQuery, candidates: Iterable[SearchableT], first: int) -> list[SearchableT]:
    """The best ``first`` of ``candidates`` by tier, then name, then id; non-matches dropped."""
    unique = {trend.id: trend for trend in candidates}.values()
    tiered = [(tier, trend) for trend in unique if (tier := query.tier(trend)) is not None]
    tiered.sort(key=lambda item: (item[0], search_key(item[1].name), item[1].id))
    return [trend for _, trend in tiered[:first]]
