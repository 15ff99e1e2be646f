"""Live trend changes: one MongoDB change stream per process, fanned out to subscribers.

Every write to ``trends`` (through any API process, a seeding script or the shell) shows up
in the change stream, so a subscriber on one instance hears about writes made through
another. The stream is opened on the first subscription and kept until shutdown; it
resumes after errors from the last resume token.

Deletions: a change stream's delete event carries only ``documentKey`` (``_id``) unless the
collection keeps pre-images (a MongoDB 6 collection option the embedded server lacks).
So the feed keeps a map ``_id -> (slug, category)``, filled from one projected read when the
stream opens and kept current from the events themselves; a DELETED event names the slug
and category from it. A trend deleted between the stream opening and that read is the only
one it cannot name: its event still reaches unfiltered subscribers, with ``slug`` null.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import OperationFailure, PyMongoError

from app.domain.models import Trend
from app.storage.database import Document

logger = logging.getLogger(__name__)

RETRY_SECONDS = 1.0


class ChangeKind(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"


_KINDS = {
    "insert": ChangeKind.CREATED,
    "update": ChangeKind.UPDATED,
    "replace": ChangeKind.UPDATED,
    "delete": ChangeKind.DELETED,
}


@dataclass(frozen=True, slots=True)
class TrendChange:
    """One write to a trend. ``trend`` is the document after the write (``None`` on delete,
    or when it was deleted again before the change stream looked it up)."""

    kind: ChangeKind
    trend_id: str
    slug: str | None
    category: str | None
    trend: Trend | None
    previous_slug: str | None = None


class SubscriberTooSlowError(RuntimeError):
    """A subscriber let too many events pile up; its subscription ends."""


@dataclass(eq=False)
class _Subscriber:
    slug: str | None
    category: str | None
    queue: asyncio.Queue[TrendChange | None] = field(default_factory=asyncio.Queue)
    overflowed: bool = False

    def wants(self, change: TrendChange) -> bool:
        if self.slug is not None and self.slug not in (change.slug, change.previous_slug):
            return False
        return self.category is None or self.category == change.category


class TrendChangeFeed:
    """Fans one change stream on ``trends`` out to any number of subscribers."""

    def __init__(
        self,
        collection: AsyncCollection[Document],
        *,
        queue_size: int = 256,
        max_await_ms: int | None = None,
    ) -> None:
        self._collection = collection
        self._max_await_ms = max_await_ms
        self._queue_size = queue_size
        self._subscribers: set[_Subscriber] = set()
        self._known: dict[str, tuple[str | None, str | None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, *, slug: str | None = None, category: str | None = None
    ) -> AsyncIterator[AsyncIterator[TrendChange]]:
        """Changes matching ``slug`` and ``category`` made after this returns."""
        subscriber = _Subscriber(slug, category, asyncio.Queue(self._queue_size))
        self._subscribers.add(subscriber)
        try:
            await self._start()
            yield self._events(subscriber)
        finally:
            self._subscribers.discard(subscriber)

    async def _events(self, subscriber: _Subscriber) -> AsyncIterator[TrendChange]:
        while True:
            change = await subscriber.queue.get()
            if change is None:
                raise SubscriberTooSlowError(
                    f"more than {self._queue_size} changes were waiting; subscribe again"
                )
            yield change

    async def _start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._watch(), name="trend-change-feed")
        await self._ready.wait()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _watch(self) -> None:
        resume_token: Any = None
        while True:
            try:
                async with await self._collection.watch(
                    full_document="updateLookup",
                    resume_after=resume_token,
                    max_await_time_ms=self._max_await_ms,
                ) as stream:
                    if not self._ready.is_set():
                        await self._remember_existing()
                        self._ready.set()
                    async for event in stream:
                        resume_token = stream.resume_token
                        change = self._change_from(event)
                        if change is not None:
                            self._publish(change)
            except asyncio.CancelledError:
                raise
            except PyMongoError as error:
                if isinstance(error, OperationFailure):  # e.g. the token fell off the oplog
                    resume_token = None
                logger.warning("trend change stream failed (%s); reopening", error)
                await asyncio.sleep(RETRY_SECONDS)

    async def _remember_existing(self) -> None:
        async for document in self._collection.find({}, {"slug": 1, "category": 1}):
            self._known[str(document["_id"])] = (document.get("slug"), document.get("category"))

    def _change_from(self, event: Document) -> TrendChange | None:
        kind = _KINDS.get(event.get("operationType", ""))
        if kind is None:  # drop, rename, invalidate: nothing a subscriber asked about
            if event.get("operationType") == "drop":
                self._known.clear()
            return None
        trend_id = str(event["documentKey"]["_id"])
        previous_slug, previous_category = self._known.get(trend_id, (None, None))
        if kind is ChangeKind.DELETED:
            self._known.pop(trend_id, None)
            return TrendChange(kind, trend_id, previous_slug, previous_category, None)
        document = event.get("fullDocument")
        if document is None:  # deleted again before the lookup; the delete event follows
            return TrendChange(kind, trend_id, previous_slug, previous_category, None)
        slug, category = document.get("slug"), document.get("category")
        self._known[trend_id] = (slug, category)
        try:
            trend = Trend.model_validate(document)
        except ValueError:
            logger.warning("trend %s does not match the model; event sent without it", trend_id)
            trend = None
        return TrendChange(kind, trend_id, slug, category, trend, previous_slug)

    def _publish(self, change: TrendChange) -> None:
        for subscriber in list(self._subscribers):
            if subscriber.overflowed or not subscriber.wants(change):
                continue
            try:
                subscriber.queue.put_nowait(change)
            except asyncio.QueueFull:
                subscriber.overflowed = True
                while not subscriber.queue.empty():
                    subscriber.queue.get_nowait()
                subscriber.queue.put_nowait(None)
