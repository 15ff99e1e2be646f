"""Bytes read from the database per request: the BSON size of every reply the driver gets.

Counted in process (the apps of ``python -m bench.inprocess``, one request at a time), with
a command listener registered for every client this process opens, so the floor's own
client is counted too. The figure does not depend on load, so ``python -m bench`` takes it
here, before its timed runs, instead of slowing those down.
"""

from __future__ import annotations

import bson
from asgi_lifespan import LifespanManager
from pymongo import monitoring

from app.storage.database import Database
from bench.__main__ import DATABASE
from bench.inprocess import scenario_sends, variant_app

WARM_UP = 3


class _ReplyBytes(monitoring.CommandListener):
    def __init__(self) -> None:
        self.total = 0
        self.counting = False

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        if self.counting:
            self.total += len(bson.encode(event.reply))

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


_LISTENER = _ReplyBytes()
monitoring.register(_LISTENER)  # for the clients opened from now on, in this process


async def reply_bytes(uri: str, requests: int = 10) -> dict[tuple[str, str], float]:
    """Bytes of database replies per request, by (variant, scenario)."""
    figures: dict[tuple[str, str], float] = {}
    database = Database.connect(uri, DATABASE)
    try:
        for variant, scenarios in scenario_sends(uri).items():
            async with LifespanManager(variant_app(variant, uri, database)) as manager:
                for scenario, send in scenarios.items():
                    for _ in range(WARM_UP):
                        await send(manager.app)
                    _LISTENER.total, _LISTENER.counting = 0, True
                    for _ in range(requests):
                        await send(manager.app)
                    _LISTENER.counting = False
                    figures[(variant, scenario)] = _LISTENER.total / requests
    finally:
        await database.close()
    return figures
