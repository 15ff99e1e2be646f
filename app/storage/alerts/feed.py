"""Alerts as they enter the outbox, from its change stream (for the alertTriggered
subscription): one stream per subscriber, so it hears firings of every API instance."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from app.domain.outbox import Alert
from app.storage.alerts.outbox import read_alert
from app.storage.database import Database


@contextlib.asynccontextmanager
async def alerts_inserted(database: Database, rule_id: str) -> AsyncIterator[AsyncIterator[Alert]]:
    """The alerts of ``rule_id`` stored after this returns."""
    async with await database.alert_outbox.watch() as stream:

        async def alerts() -> AsyncIterator[Alert]:
            async for event in stream:
                document = event.get("fullDocument")
                if (
                    event.get("operationType") == "insert"
                    and document is not None
                    and document.get("ruleId") == rule_id
                ):
                    yield read_alert(document)

        yield alerts()
