"""A per-process cache of anonymous query results, invalidated by the database's change stream.

Only anonymous queries sent as GET (or as persisted queries) are cached: those are the
requests a CDN could share too, and the ones read-heavy pages send. A write to what cached
results read (trends, categories, series) empties the cache: writes made by this process
as soon as their mutation finishes, writes made anywhere else (another API process, a
seeding script) when the change stream reports them, a few milliseconds later. Writes to
anything else (persisted-query registrations, rate-limit buckets) leave it alone, so no
client can empty it by sending those. While the change stream is not
watching (start-up, an outage) nothing is served from or stored in the cache, so a stale
answer is never served for longer than the stream takes to deliver an event.

A result computed while a write happened is not stored: entries carry the cache's
generation at the start of their request, and a write bumps the generation.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from pymongo.errors import PyMongoError

from app.storage.database import CATEGORIES, FORECASTS, TREND_SERIES, TRENDS, Database

logger = logging.getLogger(__name__)

RETRY_SECONDS = 1.0


class ResponseCache:
    def __init__(
        self,
        max_entries: int,
        ttl_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self.generation = 0
        self.live = False
        """True while the change stream is watching: only then may entries be used."""

    @staticmethod
    def key(query: str, operation_name: str | None, variables: Mapping[str, Any] | None) -> str:
        payload = orjson.dumps(
            [query, operation_name, variables or {}], option=orjson.OPT_SORT_KEYS
        )
        return hashlib.sha256(payload).hexdigest()

    def get(self, key: str) -> Any | None:
        if not self.live:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, data = entry
        if self._clock() - stored_at > self.ttl_seconds:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return data

    def put(self, key: str, data: Any, generation: int) -> None:
        """Store ``data`` unless a write happened since ``generation`` was read."""
        if not self.live or generation != self.generation:
            return
        self._entries[key] = (self._clock(), data)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def invalidate(self) -> None:
        self.generation += 1
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    async def follow_changes(self, database: Database) -> None:
        """Empty the cache on every change to what it holds, for as long as it runs."""
        while True:
            try:
                # Only the fact of a change matters: the server leaves the documents out.
                async with await database.db.watch(
                    CHANGES_TO_CACHED_DATA, max_await_time_ms=database.change_stream_max_await_ms
                ) as stream:
                    # Anything written before the stream opened may be in the cache: start empty.
                    self.invalidate()
                    self.live = True
                    logger.info("response cache: following the change stream")
                    async for _ in stream:
                        self.invalidate()
            except PyMongoError as error:
                logger.warning("response cache off until the change stream is back: %s", error)
            finally:
                self.live = False
                self.invalidate()
            await asyncio.sleep(RETRY_SECONDS)


CACHED_COLLECTIONS = (TRENDS, CATEGORIES, TREND_SERIES, FORECASTS)
"""What cached results are read from (a forecast of a signal that is not its trend's
primary one changes no trend)."""

CHANGES_TO_CACHED_DATA: list[dict[str, Any]] = [
    {
        "$match": {
            "$or": [
                {"ns.coll": {"$in": list(CACHED_COLLECTIONS)}},
                {"operationType": {"$in": ["dropDatabase", "invalidate"]}},
            ]
        }
    },
    {"$project": {"operationType": 1}},
]
"""Change stream pipeline: changes to the cached collections (or the whole database going),
keeping the event's kind (and its resume token), not the document."""


@contextlib.asynccontextmanager
async def following(cache: ResponseCache, database: Database) -> Any:
    """Run ``cache.follow_changes`` in the background for the duration of the block."""
    task = asyncio.create_task(cache.follow_changes(database), name="response-cache-changes")
    try:
        yield cache
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
