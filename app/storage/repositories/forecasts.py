"""Forecasts: one ``forecasts`` document per trend and signal, written by the forecast worker.

Storage: ``_id`` is ``"<trend id>/<signal>"`` (one indexed lookup per key, and a page of
trends is one ``$in``), with ``trendId``, ``signal``, ``seriesVersion`` (the version of the
series the forecast was computed from), ``generatedAt``, and either the forecast
(``method``, ``horizonMonths``, ``points``, ``backtest``, ``outlook``, ``confidence``,
``growthPercent``) or ``unavailable`` (``reason``, ``message``).

A forecast is only replaced by one from a newer (or the same) series version, so a slow
recompute never overwrites a newer one. For the trend's primary signal the outlook and
forecast growth are also copied onto the trend (``forecast``: ``outlook``, ``growthPercent``,
``seriesVersion``, ``signal``), so lists filter and order by them with an index, like growth.

Staleness is not stored: a forecast is stale when its ``seriesVersion`` is below the
series' current one (the trend's ``seriesVersion``); readers compare, so a crash between a
series write and its recompute can never leave a stale forecast looking fresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bson import ObjectId
from pymongo import ReplaceOne, UpdateOne
from pymongo.errors import BulkWriteError

from app.domain.forecasting import (
    Backtest,
    Forecast,
    ForecastConfidence,
    ForecastOutcome,
    ForecastPoint,
    ForecastUnavailable,
    Outlook,
    UnavailableReason,
)
from app.domain.series import to_stored_date
from app.storage.database import Database, Document, find_in

DUPLICATE_KEY = 11000


@dataclass(frozen=True, slots=True)
class ForecastKey:
    trend_id: str
    signal: str

    @property
    def stored_id(self) -> str:
        return f"{self.trend_id}/{self.signal}"


def forecast_document(key: ForecastKey, outcome: ForecastOutcome) -> Document:
    """The stored shape of a forecast outcome (with its ``_id``)."""
    document: Document = {
        "_id": key.stored_id,
        "trendId": ObjectId(key.trend_id),
        "signal": key.signal,
        "seriesVersion": outcome.series_version,
        "generatedAt": outcome.generated_at,
    }
    if isinstance(outcome, ForecastUnavailable):
        document["unavailable"] = {"reason": outcome.reason.value, "message": outcome.message}
        return document
    backtest = outcome.backtest
    return document | {
        "method": outcome.method,
        "horizonMonths": outcome.horizon_months,
        "points": [
            {
                "date": to_stored_date(point.date),
                "value": point.value,
                "lower80": point.lower80,
                "upper80": point.upper80,
                "lower95": point.lower95,
                "upper95": point.upper95,
            }
            for point in outcome.points
        ],
        "backtest": {
            "mase": backtest.mase,
            "smape": backtest.smape,
            "coverage80": backtest.coverage80,
            "coverage95": backtest.coverage95,
            "origins": backtest.origins,
        },
        "outlook": outcome.outlook.value,
        "confidence": outcome.confidence.value,
        "growthPercent": outcome.growth_percent,
    }


def read_forecast(document: Document) -> ForecastOutcome:
    if "unavailable" in document:
        return ForecastUnavailable(
            UnavailableReason(document["unavailable"]["reason"]),
            document["unavailable"]["message"],
            document["seriesVersion"],
            document["generatedAt"],
        )
    return Forecast(
        method=document["method"],
        horizon_months=document["horizonMonths"],
        generated_at=document["generatedAt"],
        points=tuple(
            ForecastPoint(
                _day(point["date"]),
                point["value"],
                point["lower80"],
                point["upper80"],
                point["lower95"],
                point["upper95"],
            )
            for point in document["points"]
        ),
        backtest=Backtest(**document["backtest"]),
        outlook=Outlook(document["outlook"]),
        confidence=ForecastConfidence(document["confidence"]),
        growth_percent=document["growthPercent"],
        series_version=document["seriesVersion"],
    )


def _day(value: Any) -> date:
    return value.date() if hasattr(value, "date") else value  # type: ignore[no-any-return]


def _newer_or_same(series_version: int | None) -> Document:
    return {"$or": [{"seriesVersion": {"$lte": series_version}}, {"seriesVersion": None}]}


class ForecastRepository:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._collection = database.forecasts

    async def by_keys(self, keys: Sequence[ForecastKey]) -> list[ForecastOutcome | None]:
        """Each key's stored forecast (or why there is none), in the order asked."""
        found = {
            document["_id"]: read_forecast(document)
            for document in await find_in(self._collection, "_id", [key.stored_id for key in keys])
        }
        return [found.get(key.stored_id) for key in keys]

    async def save_many(
        self, outcomes: Sequence[tuple[ForecastKey, ForecastOutcome]], *, primary: bool = True
    ) -> None:
        """Store each outcome unless a newer series version's is stored already.

        ``primary``: the signal is its trend's primary one, so the trend's ``forecast``
        summary (outlook, growth) follows it.
        """
        if not outcomes:
            return
        forecast_writes = [
            ReplaceOne(
                {"_id": key.stored_id, **_newer_or_same(outcome.series_version)},
                forecast_document(key, outcome),
                upsert=True,
            )
            for key, outcome in outcomes
        ]
        try:
            await self._collection.bulk_write(forecast_writes, ordered=False)
        except BulkWriteError as error:
            # A duplicate key is an upsert that met a newer forecast: it stays, as intended.
            if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
                raise
        if primary:
            await self._database.trends.bulk_write(
                [_summary_write(key, outcome) for key, outcome in outcomes], ordered=False
            )


def _summary_write(key: ForecastKey, outcome: ForecastOutcome) -> UpdateOne:
    summary: Document = {"signal": key.signal, "seriesVersion": outcome.series_version}
    if isinstance(outcome, Forecast):
        summary |= {"outlook": outcome.outlook.value, "growthPercent": outcome.growth_percent}
    return UpdateOne(
        {
            "_id": ObjectId(key.trend_id),
            "$or": [
                {"forecast.seriesVersion": {"$lte": outcome.series_version}},
                {"forecast": {"$exists": False}},
            ],
        },
        {"$set": {"forecast": summary}},
    )
