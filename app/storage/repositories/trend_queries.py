"""What a list of trends asks for, as MongoDB sees it: :class:`TrendFilter` (which trends:
a filter document) and :class:`TrendOrder` (in what order: a sort key for cursors, and the
value a trend has in it). :class:`app.storage.repositories.trends.TrendRepository` reads the
pages.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.domain.forecasting import Outlook
from app.domain.models import GrowthWindowKey, Trend, TrendStatus, search_key
from app.domain.pagination import SortKey
from app.domain.status import STATUS_RANK
from app.storage.database import Document
from app.storage.repositories.signal_pages import signal_sort_path


def inclusive_range(low: float | None, high: float | None) -> Document:
    """The condition ``low <= value <= high`` on a double (a bound left out: open), written
    with strict bounds one double beyond each: the same values (no double lies between a
    number and its neighbour), and what the embedded server answers right. It drops a value
    equal to the ``$gte`` bound of a range on a descending field that follows equality
    fields in a compound index (``(category, growth, _id)``, ``(source, region, growth,
    _id)``); strict bounds it applies exactly."""
    bounds: Document = {}
    if low is not None:
        bounds["$gt"] = math.nextafter(low, -math.inf)
    if high is not None:
        bounds["$lt"] = math.nextafter(high, math.inf)
    return bounds


class TrendOrderField(StrEnum):
    GROWTH = "GROWTH"
    NAME = "NAME"
    UPDATED_AT = "UPDATED_AT"
    STATUS = "STATUS"
    FORECAST_GROWTH = "FORECAST_GROWTH"
    VOLUME = "VOLUME"


@dataclass(frozen=True, slots=True)
class TrendOrder:
    field: TrendOrderField = TrendOrderField.UPDATED_AT
    descending: bool = True
    window: GrowthWindowKey = GrowthWindowKey.THREE_MONTHS
    source: str | None = None
    """With ``region``: order by this signal's growth (GROWTH) or latest count (VOLUME)."""
    region: str | None = None

    @property
    def by_signal(self) -> bool:
        return self.source is not None and self.region is not None

    def sort_key(self) -> SortKey:
        direction: Any = -1 if self.descending else 1
        if self.by_signal:
            path = signal_sort_path(self.field.value, self.window.value)
            signature = (
                f"{self.field.value}:{self.window.value}:{self.source}/{self.region}:"
                f"{'DESC' if self.descending else 'ASC'}"
            )
        elif self.field is TrendOrderField.GROWTH:
            path = f"growth.{self.window.value}.percent"
            signature = f"GROWTH:{self.window.value}:{'DESC' if self.descending else 'ASC'}"
        else:
            path = {
                TrendOrderField.NAME: "nameKey",
                TrendOrderField.UPDATED_AT: "updatedAt",
                TrendOrderField.STATUS: "statusRank",
                TrendOrderField.FORECAST_GROWTH: "forecast.growthPercent",
                TrendOrderField.VOLUME: "volume",
            }[self.field]
            signature = f"{self.field.value}:{'DESC' if self.descending else 'ASC'}"
        return SortKey(path, direction, signature)

    @property
    def model_field(self) -> str:
        """The :class:`Trend` field :meth:`value_of` reads."""
        return {
            TrendOrderField.GROWTH: "growth",
            TrendOrderField.NAME: "name",
            TrendOrderField.UPDATED_AT: "updated_at",
            TrendOrderField.STATUS: "status",
            TrendOrderField.FORECAST_GROWTH: "forecast",
            TrendOrderField.VOLUME: "volume",
        }[self.field]

    def value_of(self, trend: Trend) -> Any:
        if self.field is TrendOrderField.GROWTH:
            growth = trend.growth.get(self.window)
            return growth.percent if growth else None
        if self.field is TrendOrderField.NAME:
            return search_key(trend.name)
        if self.field is TrendOrderField.STATUS:
            return STATUS_RANK[trend.status] if trend.status else None
        if self.field is TrendOrderField.FORECAST_GROWTH:
            return trend.forecast.growth_percent if trend.forecast else None
        if self.field is TrendOrderField.VOLUME:
            return trend.volume
        return trend.updated_at


@dataclass(frozen=True, slots=True)
class TrendFilter:
    """Trends matching every given criterion."""

    category: str | None = None
    tags: Sequence[str] = ()
    status: Sequence[TrendStatus] = ()
    growth_window: GrowthWindowKey | None = None
    min_growth: float | None = None
    max_growth: float | None = None
    outlook: Sequence[Outlook] = ()
    min_forecast_growth: float | None = None
    max_forecast_growth: float | None = None
    signal_source: str | None = None
    """Only trends with a signal from this source (and ``signal_region``, when given)."""
    signal_region: str | None = None
    signal_growth_window: GrowthWindowKey | None = None
    """With ``signal_source`` and ``signal_region``: only trends whose signal has growth for
    this window, within ``signal_min_growth``..``signal_max_growth`` (inclusive; a bound left
    out is open). Read from the signals (``trend_series``), not the trend document: see
    :mod:`app.storage.repositories.signal_growth_filter`."""
    signal_min_growth: float | None = None
    signal_max_growth: float | None = None
    ordered_signal_key: str | None = None
    """``source/region`` of the signal a list is ordered by: a signal-ordered list holds only
    the trends with that signal, and its ``totalCount`` says so."""

    def signal_growth_query(self) -> Document | None:
        """The filter on ``trend_series`` of the signals whose growth matches, or ``None``
        when the filter has no signal growth range."""
        if self.signal_growth_window is None:
            return None
        if self.signal_source is None or self.signal_region is None:
            raise ValueError("a signal growth range needs the signal's source and region")
        # No lower bound: any growth at all (a number bounds the index scan and leaves out
        # the signals without growth for the window).
        low = -math.inf if self.signal_min_growth is None else self.signal_min_growth
        bounds = inclusive_range(low, self.signal_max_growth)
        return {
            "source": self.signal_source,
            "region": self.signal_region,
            signal_sort_path("GROWTH", self.signal_growth_window.value): bounds,
        }

    def checked_by_signals(self) -> TrendFilter:
        """This filter without its signal, for a query restricted to the trends whose
        signal matched (so a filter on the signal's growth alone reads trends by id)."""
        return dataclasses.replace(
            self,
            signal_source=None,
            signal_region=None,
            signal_growth_window=None,
            signal_min_growth=None,
            signal_max_growth=None,
        )

    def _signal_keys_clauses(self) -> list[Document]:
        """The conditions on ``signalKeys`` (indexed): the filter's signal, the order's."""
        clauses: list[Document] = []
        if self.signal_source is not None and self.signal_region is not None:
            clauses.append({"signalKeys": f"{self.signal_source}/{self.signal_region}"})
        elif self.signal_source is not None:  # an anchored prefix: the index is used
            clauses.append({"signalKeys": {"$regex": f"^{re.escape(self.signal_source)}/"}})
        elif self.signal_region is not None:
            clauses.append({"signalKeys": {"$regex": f"/{re.escape(self.signal_region)}$"}})
        ordered = {"signalKeys": self.ordered_signal_key}
        if self.ordered_signal_key is not None and ordered not in clauses:
            clauses.append(ordered)
        return clauses

    def to_mongo(self) -> Document:
        """The filter on ``trends``; a signal growth range is not in it (it is read from the
        signals: :meth:`signal_growth_query`)."""
        query: Document = {}
        signal_keys = self._signal_keys_clauses()
        if len(signal_keys) == 1:
            query.update(signal_keys[0])
        elif signal_keys:
            query["$and"] = signal_keys
        if self.category is not None:
            query["category"] = self.category
        if self.tags:
            query["tags"] = {"$all": list(self.tags)}
        if self.status:
            query["status"] = {"$in": [status.value for status in self.status]}
        bounds = inclusive_range(self.min_growth, self.max_growth)
        if bounds:
            window = self.growth_window or GrowthWindowKey.THREE_MONTHS
            query[f"growth.{window.value}.percent"] = bounds
        if self.outlook:
            query["forecast.outlook"] = {"$in": [outlook.value for outlook in self.outlook]}
        forecast_bounds = inclusive_range(self.min_forecast_growth, self.max_forecast_growth)
        if forecast_bounds:
            query["forecast.growthPercent"] = forecast_bounds
        return query
