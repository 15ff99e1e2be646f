"""Related trends: explicit links first, then trends that move together, then shared tags.

Each suggestion says why and how strongly (0 to 1):

- ``EXPLICIT``: linked by a writer (``related`` of the trend), strength 1, in link order;
- ``CO_MOVEMENT``: the growth of the two trends' primary signals correlated over the last
  year (:mod:`app.domain.comovement`), strength the correlation (0.5 and up), computed and
  stored when the trend's primary signal is written, never at read time;
- ``SHARED_TAGS``: sharing tags, strength the share of the trend's tags the other carries
  (ranked by shared tags, then a shared category, then name).

A trend appears once, for the first reason that names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class RelatedReason(StrEnum):
    """Why a trend is related to another."""

    EXPLICIT = "EXPLICIT"
    CO_MOVEMENT = "CO_MOVEMENT"
    SHARED_TAGS = "SHARED_TAGS"


@dataclass(frozen=True, slots=True)
class RelatedLink:
    trend_id: str
    reason: RelatedReason
    strength: float


def related_links(
    explicit: Sequence[str],
    co_moving: Sequence[tuple[str, float]],
    shared_tags: Sequence[tuple[str, int]],
    *,
    tag_count: int,
    limit: int,
) -> list[RelatedLink]:
    """Up to ``limit`` links, explicit first, then co-movement, then shared tags."""
    links: dict[str, RelatedLink] = {}
    candidates = [
        *((trend_id, RelatedReason.EXPLICIT, 1.0) for trend_id in explicit),
        *((trend_id, RelatedReason.CO_MOVEMENT, strength) for trend_id, strength in co_moving),
        *(
            (trend_id, RelatedReason.SHARED_TAGS, round(shared / max(tag_count, 1), 3))
            for trend_id, shared in shared_tags
        ),
    ]
    for trend_id, reason, strength in candidates:
        if len(links) >= limit:
            break
        links.setdefault(trend_id, RelatedLink(trend_id, reason, strength))
    return list(links.values())
