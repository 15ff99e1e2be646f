"""The alert outbox: every firing is stored here before any delivery is tried.

Deliverers (one per API process) claim due alerts one at a time with an atomic
find-and-update that sets a lease (``lockedUntil``); a process killed mid-delivery leaves
the lease to run out, and another claim picks the alert up again. Alerts keep their id
across attempts, so receivers can deduplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError

from app.domain.outbox import Alert, AlertStatus, DeliveryAttempt
from app.storage.alerts.snapshots import only_duplicates
from app.storage.database import Database, Document

LEASE = timedelta(minutes=2)
"""How long a claimed alert is reserved for its deliverer (longer than any attempt)."""


def read_alert(document: Document) -> Alert:
    return Alert.model_validate(document)


def _stored(alert: Alert) -> Document:
    return {**alert.model_dump(by_alias=True), "lockedUntil": alert.created_at}


class AlertOutbox:
    def __init__(self, database: Database) -> None:
        self._outbox = database.alert_outbox
        self._deliveries = database.alert_deliveries

    async def add(self, alerts: Sequence[Alert]) -> int:
        """Stores ``alerts``; those already stored (same id: a replayed write) are skipped.
        Answers how many were new."""
        if not alerts:
            return 0
        try:
            result = await self._outbox.insert_many(
                [_stored(alert) for alert in alerts], ordered=False
            )
        except BulkWriteError as error:
            if not only_duplicates(error):
                raise
            return int(error.details.get("nInserted", 0))
        return len(result.inserted_ids)

    async def claim_due(self, now: datetime, lease: timedelta = LEASE) -> Alert | None:
        """The oldest due alert, reserved for this caller until ``now + lease``."""
        document = await self._outbox.find_one_and_update(
            {
                "status": AlertStatus.PENDING.value,
                "nextAttemptAt": {"$lte": now},
                "lockedUntil": {"$lte": now},
            },
            {"$set": {"lockedUntil": now + lease}},
            sort=[("nextAttemptAt", 1)],
            return_document=ReturnDocument.AFTER,
        )
        return read_alert(document) if document else None

    async def finish(self, alert: Alert, attempt: DeliveryAttempt, changes: Document) -> None:
        """Records ``attempt`` and applies ``changes`` (status, next attempt) to ``alert``,
        releasing its lease. The attempt is logged first: at worst an attempt is logged
        twice, never lost."""
        await self._deliveries.insert_one(attempt.model_dump(by_alias=True))
        await self._outbox.update_one(
            {"_id": alert.id},
            {"$set": {**changes, "lockedUntil": attempt.attempted_at}},
        )

    async def get(self, owner: str, alert_id: str) -> Alert | None:
        document = await self._outbox.find_one({"_id": alert_id, "owner": owner})
        return read_alert(document) if document else None

    async def redeliver(self, owner: str, alert_id: str, now: datetime) -> Alert | None:
        """Sends an owner's alert again as soon as possible (whatever its status), with a
        fresh retry window; ``None`` if the owner has no such alert."""
        document = await self._outbox.find_one_and_update(
            {"_id": alert_id, "owner": owner},
            {
                "$set": {
                    "status": AlertStatus.PENDING.value,
                    "nextAttemptAt": now,
                    "lockedUntil": now,
                    "firstAttemptAt": None,
                }
            },
            return_document=ReturnDocument.AFTER,
        )
        return read_alert(document) if document else None

    async def for_rule(self, rule_id: str, first: int) -> list[Alert]:
        cursor = self._outbox.find({"ruleId": rule_id}).sort("createdAt", -1).limit(first)
        return [read_alert(document) async for document in cursor]

    async def attempts_for_rule(self, rule_id: str, first: int) -> list[DeliveryAttempt]:
        """The rule's latest delivery attempts, newest first."""
        cursor = self._deliveries.find({"ruleId": rule_id}).sort("attemptedAt", -1).limit(first)
        return [DeliveryAttempt.model_validate(document) async for document in cursor]
