"""The evaluator: follows the trend change stream, decides which rules crossed, and stores
their alerts in the outbox.

Because it reads the change stream, a write made through any API instance, a seeding
script or the database shell is evaluated. Events are taken in batches (whatever the stream
has ready, up to :data:`BATCH`): the rule index is checked once per batch, the batch's
alerts are inserted in one call, then its trend snapshots are saved in one bulk write.

On start (and after any stream error) the stream is opened first and the whole collection
is then compared with the stored snapshots (``reconcile``): a write made while no evaluator
ran, or while this one was reconnecting, is evaluated then; one made after the stream opened
arrives as an event. Alert ids are deterministic, so evaluating a write twice (a replay, or
two API instances) stores its alerts once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import PyMongoError

from app.alerts.rule_index import RuleIndex
from app.domain.alerts import TrendState, evaluate
from app.domain.outbox import Alert, new_alert
from app.storage.alerts.outbox import AlertOutbox
from app.storage.alerts.snapshots import TREND_FIELDS, SnapshotStore, trend_state
from app.storage.database import Database, Document

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
BATCH = 500
RETRY_SECONDS = 1.0
AWAIT_MS = 100
"""How long an idle stream's getMore waits for events (maxAwaitTimeMS) when the database
names no ``change_stream_max_await_ms`` (``TRENDGRAPH_CHANGE_STREAM_MAX_AWAIT_MS``, 1 s by
default, as for the response cache): the idle polling rate. A getMore answers as soon as
events arrive, so it adds no latency to alerts while trends are written."""


EVENT_FIELDS = [
    {
        "$project": {
            "operationType": 1,
            "documentKey": 1,
            "fullDocument._id": 1,
            **{f"fullDocument.{name}": 1 for name in TREND_FIELDS},
        }
    }
]
"""Only what rules look at travels with each event (not the analyses and texts): measured
with ``python -m bench.alerts``, it is most of the evaluator's cost per write."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class EvaluatorStats:
    """Counters for the benchmark and /metrics-style reporting."""

    writes: int = 0
    rule_evaluations: int = 0
    alerts: int = 0
    batches: int = 0


class AlertEvaluator:
    def __init__(
        self,
        database: Database,
        *,
        clock: Clock = utc_now,
        on_alerts: Callable[[Sequence[Alert]], None] | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._on_alerts = on_alerts
        self._rules = RuleIndex(database)
        self._outbox = AlertOutbox(database)
        self._store = SnapshotStore(database)
        self._snapshots: dict[str, TrendState] = {}
        self.stats = EvaluatorStats()
        self.ready = asyncio.Event()
        """Set once the stream is open and the first reconcile is done."""
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Ends :meth:`run` after the batch in hand (within :data:`AWAIT_MS`), closing the
        stream cleanly instead of abandoning a getMore in flight."""
        self._stopping.set()

    async def run(self) -> None:
        """Follows the change stream until :meth:`stop`, reopening it after errors."""
        while not self._stopping.is_set():
            try:
                async with await self._database.trends.watch(
                    EVENT_FIELDS,
                    full_document="updateLookup",
                    max_await_time_ms=self._database.change_stream_max_await_ms or AWAIT_MS,
                ) as stream:
                    await self.reconcile()
                    self.ready.set()
                    while not self._stopping.is_set():
                        await self.process(await _next_batch(stream, self._stopping))
            except asyncio.CancelledError:
                raise
            except PyMongoError as error:
                logger.warning("alert evaluator lost the change stream (%s); reopening", error)
                await asyncio.sleep(RETRY_SECONDS)

    async def reconcile(self) -> None:
        """Evaluates every trend whose stored state differs from its snapshot."""
        self._snapshots = await self._store.load()
        first_run = not await self._store.has_baseline()
        seen: set[str] = set()
        pending: list[Document] = []
        async for document in self._database.trends.find({}, TREND_FIELDS):
            seen.add(str(document["_id"]))
            state = trend_state(document)
            if state is not None and self._snapshots.get(state.trend_id) != state:
                pending.append({"operationType": "replace", "fullDocument": document})
            if len(pending) >= BATCH:
                await self.process(pending, fire=not first_run)
                pending = []
        gone = [
            {"operationType": "delete", "documentKey": {"_id": trend_id}}
            for trend_id in set(self._snapshots) - seen
        ]
        await self.process([*pending, *gone], fire=not first_run)
        if first_run:
            await self._store.mark_baseline()
            logger.info("alert evaluator: first run, %d trends recorded without firing", len(seen))

    async def process(self, events: Sequence[Document], *, fire: bool = True) -> list[Alert]:
        """Evaluates a batch of change events; answers the alerts it stored."""
        if not events:
            return []
        await self._rules.refresh()
        now = self._clock()
        alerts: list[Alert] = []
        changed: dict[str, TrendState] = {}
        deleted: set[str] = set()
        for event in events:
            operation = event.get("operationType")
            if operation == "delete":
                trend_id = str(event["documentKey"]["_id"])
                self._snapshots.pop(trend_id, None)
                changed.pop(trend_id, None)
                deleted.add(trend_id)
                continue
            document = event.get("fullDocument")
            if operation not in ("insert", "update", "replace") or document is None:
                continue
            after = trend_state(document)
            if after is None:
                continue
            self.stats.writes += 1
            before = self._snapshots.get(after.trend_id)
            if before is not None and before.version > after.version:
                continue  # an older write seen late: the snapshot already moved past it
            if before == after:
                continue
            if fire:
                occurred_at = _occurred_at(document, now)
                rules = self._rules.for_trend(before, after)
                self.stats.rule_evaluations += len(rules)
                alerts += [
                    new_alert(firing, occurred_at, now)
                    for firing in evaluate(rules, before, after, occurred_at)
                ]
            self._snapshots[after.trend_id] = after
            changed[after.trend_id] = after
            deleted.discard(after.trend_id)
        # The outbox first: a crash before the snapshots are saved replays these writes
        # against the old snapshots, and the same alert ids are stored once.
        await self._outbox.add(alerts)
        await self._store.save(changed.values(), deleted)
        self.stats.alerts += len(alerts)
        self.stats.batches += 1
        if alerts and self._on_alerts is not None:
            self._on_alerts(alerts)
        return alerts


def _occurred_at(document: Document, now: datetime) -> datetime:
    updated: Any = document.get("updatedAt")
    if isinstance(updated, datetime):
        return updated if updated.tzinfo else updated.replace(tzinfo=UTC)
    return now


async def _next_batch(stream: Any, stopping: asyncio.Event) -> list[Document]:
    """The next event (waiting for it), plus whatever else the stream has ready; nothing
    once ``stopping`` is set."""
    batch: list[Document] = []
    while not batch and not stopping.is_set():
        event = await stream.try_next()
        if event is not None:
            batch.append(event)
        elif not stream.alive:
            raise PyMongoError("the change stream was closed")
    while len(batch) < BATCH:
        event = await stream.try_next()
        if event is None:
            break
        batch.append(event)
    return batch


@contextlib.asynccontextmanager
async def running(evaluator: AlertEvaluator) -> AsyncIterator[AlertEvaluator]:
    """Runs ``evaluator`` in a task for the duration of the block."""
    task = asyncio.create_task(evaluator.run(), name="alert-evaluator")
    try:
        yield evaluator
    finally:
        evaluator.stop()
        await finish(task)


async def finish(task: asyncio.Task[None], grace_seconds: float = 2.0) -> None:
    """Waits for a stopped loop to end; cancels it if it takes longer than the grace time."""
    done, _ = await asyncio.wait({task}, timeout=grace_seconds)
    if not done:
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
