"""Forecasts: one ``forecasts`` document per signal, written by the forecast worker.

Storage: ``_id`` is the signal's ``_id`` (one indexed lookup per signal, and a page of
trends is one ``$in``), with ``trendId``, ``signal`` (``source/region``), ``seriesVersion``
(the version of the signal's series the forecast was computed from), ``generatedAt``, and
either the forecast
(``method``, ``horizonMonths``, ``points``, ``backtest``, ``outlook``, ``confidence``,
``growthPercent``) or ``unavailable`` (``reason``, ``message``).

A forecast is only replaced by one from a newer (or the same) series version, so a slow
recompute never overwrites a newer one. For the trend's primary signal the outlook and
forecast growth are also copied onto the trend (``forecast``: ``outlook``, ``growthPercent``,
``seriesVersion``, ``signalId``), so lists filter and order by them with an index, like growth.

Staleness is not stored: a forecast is stale when its ``seriesVersion`` is below the
signal's current ``version``; readers compare, so a crash between a series write and its
recompute can never leave a stale forecast looking fresh.
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
from app.storage.repositories.trends import parse_object_id

DUPLICATE_KEY = 11000


@dataclass(frozen=True, slots=True)
class ForecastKey:
    """The signal a forecast is of."""

    signal_id: str
    trend_id: str
    signal: str
    """``source/region``."""
    primary: bool
    """The signal is its trend's primary one (the trend keeps a summary of its forecast)."""


def forecast_document(key: ForecastKey, outcome: ForecastOutcome) -> Document:
    """The stored shape of a forecast outcome (with its ``_id``)."""
    document: Document = {
        "_id": ObjectId(key.signal_id),
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

    async def by_signal_ids(self, signal_ids: Sequence[str]) -> list[ForecastOutcome | None]:
        """Each signal's stored forecast (or why there is none), in the order asked."""
        object_ids = [oid for oid in map(parse_object_id, signal_ids) if oid]
        found = {
            str(document["_id"]): read_forecast(document)
            for document in await find_in(self._collection, "_id", object_ids)
        }
        return [found.get(signal_id) for signal_id in signal_ids]

    async def save_many(self, outcomes: Sequence[tuple[ForecastKey, ForecastOutcome]]) -> None:
        """Store each outcome unless a newer series version's is stored already; a primary
        signal's also updates its trend's ``forecast`` summary (outlook, growth)."""
        if not outcomes:
            return
        forecast_writes = [
            ReplaceOne(
                {"_id": ObjectId(key.signal_id), **_newer_or_same(outcome.series_version)},
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
        summaries = [_summary_write(key, outcome) for key, outcome in outcomes if key.primary]
        if summaries:
            await self._database.trends.bulk_write(summaries, ordered=False)


def _summary_write(key: ForecastKey, outcome: ForecastOutcome) -> UpdateOne:
    signal_id = key.signal_id  # a string: the trend model reads it as is
    summary: Document = {"signalId": signal_id, "seriesVersion": outcome.series_version}
    if isinstance(outcome, Forecast):
        summary |= {"outlook": outcome.outlook.value, "growthPercent": outcome.growth_percent}
    return UpdateOne(
        {
            "_id": ObjectId(key.trend_id),
            # Another signal's summary (the primary signal changed) or an older one.
            "$or": [
                {"forecast.signalId": {"$ne": signal_id}},
                {"forecast.seriesVersion": {"$lte": outcome.series_version}},
            ],
        },
        {"$set": {"forecast": summary}},
    )
