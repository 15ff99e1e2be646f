"""The evaluator's snapshot of each trend: what its rules saw last (``alert_state``).

A rule fires when its condition holds after a write and did not hold for the snapshot, so
the snapshot is written only after the write's alerts are in the outbox: a crash in between
replays the write against the old snapshot and, alert ids being deterministic, stores the
same alerts again at most once. Snapshots carry the trend's version and never go back to
an older one (two evaluators may race).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo import DeleteOne, UpdateOne
from pymongo.errors import BulkWriteError

from app.domain.alerts import TrendState
from app.domain.forecasting import Outlook
from app.domain.models import GrowthWindowKey, TrendStatus
from app.storage.database import Database, Document

SNAPSHOT = "trend"
BASELINE = "baseline:trends"
"""Marks that snapshots were taken once: without it, the first start records every trend
without firing (a new deployment must not alert about all existing trends)."""


def trend_state(document: Document) -> TrendState | None:
    """The rule-relevant part of a stored trend document (``None`` if it is unreadable)."""
    slug = document.get("slug")
    if not isinstance(slug, str):
        return None
    growth: dict[GrowthWindowKey, float] = {}
    for key, window in (document.get("growth") or {}).items():
        if key in GrowthWindowKey.__members__ and isinstance(window, dict):
            percent = window.get("percent")
            if isinstance(percent, int | float):
                growth[GrowthWindowKey(key)] = float(percent)
    status = document.get("status")
    return TrendState(
        trend_id=str(document["_id"]),
        slug=slug,
        name=str(document.get("name", slug)),
        category=document.get("category"),
        growth=growth,
        status=TrendStatus(status)
        if isinstance(status, str) and status in TrendStatus.__members__
        else None,
        outlook=outlook_of(document),
        version=int(document.get("version", 0)),
    )


def outlook_of(document: Document) -> Outlook | None:
    """The trend's forecast outlook: ``outlook`` on the trend, or on its ``forecast``."""
    outlook: Any = document.get("outlook")
    if outlook is None and isinstance(document.get("forecast"), dict):
        outlook = document["forecast"].get("outlook")
    return Outlook(outlook) if outlook in Outlook.__members__ else None


TREND_FIELDS = {
    "slug": 1,
    "name": 1,
    "category": 1,
    "growth": 1,
    "status": 1,
    "outlook": 1,
    "forecast.outlook": 1,
    "version": 1,
    "updatedAt": 1,
}
"""What the evaluator reads of a trend."""


def _document(state: TrendState) -> Document:
    return {
        "type": SNAPSHOT,
        "trendId": state.trend_id,
        "slug": state.slug,
        "name": state.name,
        "category": state.category,
        "growth": {key.value: percent for key, percent in state.growth.items()},
        "status": state.status,
        "outlook": state.outlook,
        "version": state.version,
    }


def _state(document: Document) -> TrendState:
    return TrendState(
        trend_id=document["trendId"],
        slug=document["slug"],
        name=document["name"],
        category=document.get("category"),
        growth={GrowthWindowKey(key): value for key, value in document["growth"].items()},
        status=TrendStatus(document["status"]) if document.get("status") else None,
        outlook=Outlook(document["outlook"]) if document.get("outlook") else None,
        version=document["version"],
    )


class SnapshotStore:
    def __init__(self, database: Database) -> None:
        self._state = database.alert_state

    async def load(self) -> dict[str, TrendState]:
        return {
            document["trendId"]: _state(document)
            async for document in self._state.find({"type": SNAPSHOT})
        }

    async def has_baseline(self) -> bool:
        return await self._state.count_documents({"_id": BASELINE}, limit=1) > 0

    async def mark_baseline(self) -> None:
        await self._state.update_one({"_id": BASELINE}, {"$set": {"done": True}}, upsert=True)

    async def save(self, states: Iterable[TrendState], deleted: Iterable[str] = ()) -> None:
        """Upserts ``states`` (never over a newer version) and drops ``deleted`` trend ids."""
        operations: list[UpdateOne | DeleteOne] = [
            UpdateOne(
                {"_id": f"{SNAPSHOT}:{state.trend_id}", "version": {"$lte": state.version}},
                {"$set": _document(state)},
                upsert=True,
            )
            for state in states
        ]
        operations += [DeleteOne({"_id": f"{SNAPSHOT}:{trend_id}"}) for trend_id in deleted]
        if operations:
            try:
                await self._state.bulk_write(operations, ordered=False)
            except BulkWriteError as error:
                # An upsert whose version guard fails collides with the newer snapshot's
                # _id (duplicate key): that snapshot stays, which is what the guard wants.
                if not only_duplicates(error):
                    raise


def only_duplicates(error: BulkWriteError) -> bool:
    """Whether every failed write of a bulk write hit an existing ``_id`` (and nothing else)."""
    faults = error.details.get("writeErrors", [])
    return (
        bool(faults)
        and all(fault.get("code") == DUPLICATE_KEY for fault in faults)
        and not (error.details.get("writeConcernErrors"))
    )


DUPLICATE_KEY = 11000
