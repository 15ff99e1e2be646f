"""Sort bounds: a range on the sort value that lets a first page read only the trends in range.

The embedded server reads every document its plan's first stage yields before it applies
a limit: ``find({}).sort(k, -1).limit(51)`` walks the whole index on ``k`` and decodes every
trend, whether there are 500 or 10,000, with or without a ``hint``
(``python -m bench.embedded_sort``). A range on the indexed sort value, ``{k: {$gte: t}}``,
narrows that walk to the trends in range. Real MongoDB reads ``limit`` index entries
either way, and answers the bounded read from the same index, as cheaply.

The bound is exact. In a descending order every trend whose value is at least ``t`` sorts
before every trend below it, so when at least ``limit + 1`` trends match the bounded read,
its first ``limit + 1`` are the unbounded read's. When fewer match (trends fell below ``t``
or were deleted since it was learned), the page is read again without the bound (a
*fallback*, counted) and ``t`` is learned again from that read.

``t`` is the sort value of the last trend of an earlier read of the same order and filter:
per process, advisory, forgotten on restart (a second process learns its own), so it is
no state that another instance needs. Descending orders only: MongoDB sorts a missing
value like null, last in a descending order, so a bound never leaves out a trend that
belongs on the page; in an ascending order a trend without the value comes first and a
bound would hide it. One difference from the plain read, listed in docs/reads.md: a
stored sort value of a BSON type that sorts above the bound's (a string where a number
belongs, written around the API) matches no ``$gte`` on a number, so a bounded read leaves
out a document that the plain read would put first (and answer with its error).

Switch: ``TRENDGRAPH_PAGE_SORT_BOUNDS=false``. Metric: ``trendgraph_page_sort_bound_reads``
by outcome (``bounded``, ``fallback``, ``unbounded``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_ORDERS = 256
"""Orders (with their filters) remembered; the oldest is forgotten past this."""
OUTCOMES = ("bounded", "fallback", "unbounded")


@dataclass(frozen=True, slots=True)
class _Bound:
    value: Any
    reaches: int
    """How many trends had a sort value of at least ``value`` when it was learned."""


def _boundable(value: Any) -> bool:
    # bool is an int in Python but its own BSON type; None cannot bound (nulls sort last).
    return isinstance(value, int | float | str | datetime) and not isinstance(value, bool)


class SortBounds:
    """Learned lower bounds of first pages in descending orders, per order and filter."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._bounds: dict[str, _Bound] = {}
        self.reads = dict.fromkeys(OUTCOMES, 0)
        """Page reads by outcome, for the metric."""

    def bounded_query(
        self, key: str, path: str, query: dict[str, Any], wanted: int
    ) -> dict[str, Any] | None:
        """``query`` with a bound on ``path`` that at least ``wanted`` trends reached when it
        was learned; ``None`` when none is known (or the query constrains ``path`` itself)."""
        if not self.enabled or path in query:
            return None
        bound = self._bounds.get(key)
        if bound is None or bound.reaches < wanted:
            return None
        # The bound first: the embedded server serves one clause of a filter from an index.
        return {path: {"$gte": bound.value}, **query}

    def learn(self, key: str, value: Any, reaches: int, *, bounded: bool) -> None:
        """Remember that ``reaches`` trends have a sort value of at least ``value``.

        After a bounded read (exact as of now) it replaces a bound only one of the same
        reach or less: a smaller page must not make a larger page's bound fall short.
        """
        if not self.enabled or not _boundable(value):
            return
        known = self._bounds.get(key)
        if bounded and known is not None and known.reaches > reaches:
            return
        self._bounds.pop(key, None)
        self._bounds[key] = _Bound(value, reaches)
        if len(self._bounds) > MAX_ORDERS:
            del self._bounds[next(iter(self._bounds))]

    def count(self, outcome: str) -> None:
        self.reads[outcome] += 1
