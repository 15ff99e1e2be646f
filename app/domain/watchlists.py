"""Watchlists: named lists of trends a principal follows (targets of alert rules)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field

from app.domain.models import DomainModel, ShortText, Slug

MAX_WATCHLIST_SLUGS = 500
MAX_WATCHLISTS_PER_OWNER = 100


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


WatchlistSlugs = Annotated[
    list[Slug], AfterValidator(_unique), Field(max_length=MAX_WATCHLIST_SLUGS)
]


class WatchlistSpec(DomainModel):
    """What ``createWatchlist`` supplies."""

    name: ShortText
    slugs: WatchlistSlugs = Field(default_factory=list)


class SlugList(DomainModel):
    """What ``addToWatchlist`` and ``removeFromWatchlist`` supply."""

    slugs: Annotated[list[Slug], AfterValidator(_unique), Field(min_length=1, max_length=500)]


class Watchlist(DomainModel):
    """A stored watchlist; ``owner`` is the key id of the principal that created it."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(alias="_id")
    owner: str
    name: str
    slugs: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
