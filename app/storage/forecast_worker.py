"""Forecasts are computed on write: a background worker, and the bulk recompute.

When a signal's series changes, the signal is scheduled here; the worker (a few asyncio
tasks fed by one queue) reads the series, fits the forecast in an executor (a process pool
in the app: the fit is CPU work, and the forecasting library stays out of the API process),
and stores it. ``appendSeries`` only puts an id on the queue, so it stays as fast as
before; a signal scheduled again while it waits is queued once. Concurrency is bounded
twice: by the number of tasks and by the executor's workers.

Crash safety: the queue lives in memory. A signal whose recompute is lost (the process
stopped) keeps its older forecast, which readers see as stale (its series version is behind
the signal's) until the next start: the app then schedules every signal whose forecast is
missing or older than its series (:meth:`ForecastWorker.catch_up`), which also covers
series written around the API (the demo dataset, ``python -m seeds``). ``python -m app
recompute-forecasts`` recomputes every signal at once, in the foreground.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Executor
from datetime import UTC, datetime

from app.domain.forecasting import ForecastOutcome, ForecastUnavailable, UnavailableReason
from app.domain.signals import Signal
from app.forecasting.compute import compute_forecast
from app.storage.database import IN_CHUNK, Database, Document, find_in
from app.storage.repositories.forecasts import ForecastKey, ForecastRepository
from app.storage.repositories.series import read_signal
from app.storage.repositories.signal_trends import signal_key_text
from app.storage.repositories.trends import parse_object_id

logger = logging.getLogger(__name__)

CHUNKS_IN_FLIGHT = 2
"""Chunks of the bulk recompute being read, fitted or stored at once."""


async def forecast_signal(executor: Executor, signal: Signal) -> ForecastOutcome:
    """The forecast of ``signal`` (read with its points), fitted in ``executor``."""
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(
            executor, compute_forecast, signal.points or (), signal.version, datetime.now(UTC)
        )
    except Exception as error:  # a broken worker process must not stop the others
        logger.exception("forecast of signal %s failed", signal.id)
        return ForecastUnavailable(
            UnavailableReason.FIT_FAILED,
            f"the forecast could not be computed ({type(error).__name__})",
            signal.version,
            datetime.now(UTC),
        )


def _key(document: Document, signal: Signal) -> ForecastKey:
    return ForecastKey(
        signal.id, signal.trend_id, signal_key_text(signal.key), bool(document.get("primary"))
    )


async def recompute(database: Database, executor: Executor, signal_ids: Sequence[str]) -> int:
    """Recompute and store the forecasts of ``signal_ids`` (those still stored); how many."""
    object_ids = [oid for oid in map(parse_object_id, signal_ids) if oid]
    documents = await find_in(database.trend_series, "_id", object_ids)
    found = [(document, read_signal(document)) for document in documents]
    outcomes = await asyncio.gather(*(forecast_signal(executor, signal) for _, signal in found))
    await ForecastRepository(database).save_many(
        [
            (_key(document, signal), outcome)
            for (document, signal), outcome in zip(found, outcomes, strict=True)
        ]
    )
    return len(found)


async def outdated_signal_ids(database: Database) -> list[str]:
    """Signals whose stored forecast is missing or was computed from an older series,
    primary signals first (see :func:`signal_ids`)."""
    computed = {
        document["_id"]: document.get("seriesVersion")
        async for document in database.forecasts.find({}, {"seriesVersion": 1})
    }
    primary: list[str] = []
    others: list[str] = []
    signals = database.trend_series.find({}, {"version": 1, "primary": 1}).sort("_id", 1)
    async for document in signals:
        version = computed.get(document["_id"])
        if version is None or version < document["version"]:
            (primary if document.get("primary") else others).append(str(document["_id"]))
    return primary + others


async def signal_ids(database: Database) -> AsyncIterator[list[str]]:
    """Ids of every signal, a chunk at a time: the trends' primary signals first (a trend's
    forecast, and the outlook its lists filter and order by, are its primary signal's),
    then the others."""
    chunk: list[str] = []
    for query in ({"primary": True}, {"primary": {"$ne": True}}):
        async for document in database.trend_series.find(query, {"_id": 1}).sort("_id", 1):
            chunk.append(str(document["_id"]))
            if len(chunk) == IN_CHUNK:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


async def recompute_all(
    database: Database, executor: Executor, on_progress: Callable[[int], None] | None = None
) -> int:
    """Recompute every signal's forecast, a chunk of :data:`IN_CHUNK` at a time, primary
    signals first; how many.

    Two chunks are in flight: while one is read or stored, the other's fits keep the
    executor's workers busy.
    """
    done = 0
    in_flight: list[asyncio.Task[int]] = []

    async def finish_oldest() -> None:
        nonlocal done
        done += await in_flight.pop(0)
        if on_progress:
            on_progress(done)

    async for chunk in signal_ids(database):
        in_flight.append(asyncio.create_task(recompute(database, executor, chunk)))
        if len(in_flight) == CHUNKS_IN_FLIGHT:
            await finish_oldest()
    while in_flight:
        await finish_oldest()
    return done


class ForecastWorker:
    """Recomputes scheduled signals' forecasts in the background (see the module)."""

    def __init__(
        self,
        database: Database,
        make_executor: Callable[[], Executor],
        *,
        concurrency: int = 2,
        owns_executor: bool = False,
    ) -> None:
        """``make_executor`` is called on the first scheduled signal (a process pool with
        "spawn" starts a resource-tracker process as soon as it exists); ``owns_executor``:
        :meth:`stop` shuts it down."""
        self._database = database
        self._make_executor, self._owns_executor = make_executor, owns_executor
        self._executor: Executor | None = None
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._queued: set[str] = set()
        self._concurrency = concurrency
        self._tasks: list[asyncio.Task[None]] = []

    def schedule(self, signal_id: str) -> None:
        """Recompute ``signal_id``'s forecast soon; returns at once."""
        if signal_id not in self._queued:
            self._queued.add(signal_id)
            self._queue.put_nowait(signal_id)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run()) for _ in range(self._concurrency)]

    async def catch_up(self) -> int:
        """Schedule every signal whose forecast is missing or outdated; how many."""
        outdated = await outdated_signal_ids(self._database)
        for signal_id in outdated:
            self.schedule(signal_id)
        if outdated:
            logger.info("forecasts: %d signals missing or outdated, scheduled", len(outdated))
        return len(outdated)

    async def idle(self) -> None:
        """Wait until every scheduled signal is recomputed (tests, graceful shutdown)."""
        await self._queue.join()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._executor is not None and self._owns_executor:
            self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = None

    async def _run(self) -> None:
        while True:
            signal_id = await self._queue.get()
            self._queued.discard(signal_id)  # a change from now on needs another recompute
            try:
                if self._executor is None:
                    self._executor = self._make_executor()
                await recompute(self._database, self._executor, [signal_id])
            except Exception:  # the database is down, say: log, and keep serving the queue
                logger.exception("forecast recompute of signal %s failed", signal_id)
            finally:
                self._queue.task_done()
