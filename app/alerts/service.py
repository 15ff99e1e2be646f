"""Alerts in an API process: the evaluator and the deliverer, run for the app's lifetime."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from app.alerts import deliverer as delivering
from app.alerts import evaluator as evaluating
from app.alerts.deliverer import WebhookDeliverer
from app.alerts.evaluator import AlertEvaluator
from app.alerts.webhooks import WebhookSender, webhook_client
from app.settings import Settings
from app.storage.database import Database


@contextlib.asynccontextmanager
async def alerts_running(
    database: Database, settings: Settings
) -> AsyncIterator[AlertEvaluator | None]:
    """Evaluates and delivers alerts while the block runs (nothing when alerts are off)."""
    if not settings.alerts_enabled:
        yield None
        return
    async with webhook_client(settings.webhook_timeout_seconds) as client:
        sender = WebhookSender(
            client,
            allow_private=settings.webhook_allow_private,
            timeout_seconds=settings.webhook_timeout_seconds,
        )
        deliverer = WebhookDeliverer(
            database, sender, retry_window=timedelta(hours=settings.webhook_retry_hours)
        )
        evaluator = AlertEvaluator(database, on_alerts=deliverer.wake)
        async with evaluating.running(evaluator), delivering.running(deliverer):
            yield evaluator
