"""What a list of trends asks for, as MongoDB sees it: :class:`TrendFilter` (which trends:
a filter document) and :class:`TrendOrder` (in what order: a sort key for cursors, and the
value a trend has in it). :class:`app.storage.repositories.trends.TrendRepository` reads the
pages.
"""

from __future__ import annotations

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

    def to_mongo(self) -> Document:
        query: Document = {}
        if self.signal_source is not None and self.signal_region is not None:
            query["signalKeys"] = f"{self.signal_source}/{self.signal_region}"
        elif self.signal_source is not None:  # an anchored prefix: the index is used
            query["signalKeys"] = {"$regex": f"^{re.escape(self.signal_source)}/"}
        elif self.signal_region is not None:
            query["signalKeys"] = {"$regex": f"/{re.escape(self.signal_region)}$"}
        if self.category is not None:
            query["category"] = self.category
        if self.tags:
            query["tags"] = {"$all": list(self.tags)}
        if self.status:
            query["status"] = {"$in": [status.value for status in self.status]}
        bounds: Document = {}
        if self.min_growth is not None:
            bounds["$gte"] = self.min_growth
        if self.max_growth is not None:
            bounds["$lte"] = self.max_growth
        if bounds:
            window = self.growth_window or GrowthWindowKey.THREE_MONTHS
            query[f"growth.{window.value}.percent"] = bounds
        if self.outlook:
            query["forecast.outlook"] = {"$in": [outlook.value for outlook in self.outlook]}
        forecast_bounds: Document = {}
        if self.min_forecast_growth is not None:
            forecast_bounds["$gte"] = self.min_forecast_growth
        if self.max_forecast_growth is not None:
            forecast_bounds["$lte"] = self.max_forecast_growth
        if forecast_bounds:
            query["forecast.growthPercent"] = forecast_bounds
        return query
