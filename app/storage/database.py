"""The MongoDB connection: the :class:`Database` handle (client, collections, availability)
and :func:`open_database`, plus :func:`find_in`, the chunked ``$in`` every repository uses.

The indexes and migrations run on opening are :mod:`app.storage.indexes`; counting each
request's commands is :mod:`app.storage.command_stats`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any

from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from app.settings import Settings
from app.storage.command_stats import CommandCounter
from app.storage.embedded import EmbeddedMongo
from app.storage.sort_bounds import SortBounds

logger = logging.getLogger(__name__)

Document = dict[str, Any]

TRENDS = "trends"
CATEGORIES = "categories"
TREND_SERIES = "trend_series"
PERSISTED_QUERIES = "persisted_queries"
RATE_LIMITS = "rate_limits"
FORECASTS = "forecasts"
WATCHLISTS = "watchlists"
ALERT_RULES = "alert_rules"
ALERT_OUTBOX = "alert_outbox"
ALERT_DELIVERIES = "alert_deliveries"
ALERT_STATE = "alert_state"
"""The evaluator's snapshot of each trend (what rules saw last) and its bookkeeping."""


IN_CHUNK = 200
"""Most values in one ``$in``: the embedded server's cost grows with the square of the
list (200 ids ~0.06 s, 1,000 ids ~1.4 s: docs/architecture.md), so long lists are split."""


async def find_in(
    collection: AsyncCollection[Document],
    field: str,
    values: Iterable[Any],
    projection: Mapping[str, Any] | None = None,
    *,
    per_value: int = 2,
    extra: Mapping[str, Any] | None = None,
) -> list[Document]:
    """Documents whose ``field`` is one of ``values``: one find per :data:`IN_CHUNK` values,
    run concurrently (one round trip of latency however long the list). ``per_value``: how
    many documents one value may match (more would cost a ``getMore`` round trip); ``extra``:
    a filter the documents must match too."""
    unique = list(dict.fromkeys(values))
    if not unique:
        return []
    chunks = [unique[start : start + IN_CHUNK] for start in range(0, len(unique), IN_CHUNK)]
    results = await asyncio.gather(
        *(
            collection.find(
                {"$and": [{field: {"$in": chunk}}, extra]} if extra else {field: {"$in": chunk}},
                projection,
            )
            .batch_size(len(chunk) * per_value + 1)
            .to_list()
            for chunk in chunks
        )
    )
    return [document for result in results for document in result]


class _Availability(monitoring.TopologyListener):
    """Tracks whether the driver currently sees a server it can use.

    Starts optimistic (the first request may still wait for server selection); once a
    usable topology loses its last usable server, requests fail fast until the driver's
    monitor sees one again.
    """

    def __init__(self) -> None:
        self.available = True
        self.closing = False
        self._lost: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None

    def opened(self, event: monitoring.TopologyOpenedEvent) -> None:
        pass

    def description_changed(self, event: monitoring.TopologyDescriptionChangedEvent) -> None:
        now = event.new_description.has_readable_server()
        before = event.previous_description.has_readable_server()
        if now != before and not self.closing:
            self.available = now
            log = logger.info if now else logger.error
            log("database %s", "available again" if now else "unavailable")
            if not now and self._lost is not None:
                loop, lost = self._lost
                loop.call_soon_threadsafe(lost.set)  # the driver may call from its own thread

    async def probe(self, ping: Callable[[], Awaitable[bool]], interval: float) -> None:
        """While the database is unavailable, ping it every ``interval`` seconds.

        Requests fail fast meanwhile and start no server selection, so without a probe
        the driver would look again only at its next heartbeat. A ping's server selection
        makes the driver check at once and then every half second: the API serves again
        within about that of the database returning, however long the heartbeat.
        """
        lost = asyncio.Event()
        self._lost = (asyncio.get_running_loop(), lost)
        try:
            while True:
                await lost.wait()  # no work at all while the database is up
                lost.clear()
                while not self.available and not self.closing:
                    await ping()
                    if not self.available:
                        await asyncio.sleep(interval)
        finally:
            self._lost = None

    def closed(self, event: monitoring.TopologyClosedEvent) -> None:
        pass


class Database:
    """One client and the collections trendgraph uses."""

    def __init__(
        self,
        client: AsyncMongoClient[Document],
        name: str,
        availability: _Availability | None = None,
        *,
        sort_bounds: bool = True,
    ) -> None:
        self.client = client
        self._availability = availability
        self._probe: asyncio.Task[None] | None = None
        self.embedded: EmbeddedMongo | None = None
        """The supervised embedded server this database runs on, if any (its health)."""
        self.sort_bounds = SortBounds(enabled=sort_bounds)
        """This process's learned bounds of first pages (see :mod:`app.storage.sort_bounds`)."""
        self.change_stream_max_await_ms: int | None = None
        """``maxAwaitTimeMS`` of change streams (``None``: the server's default, 1 s)."""
        self.db: AsyncDatabase[Document] = client[name]
        self.trends: AsyncCollection[Document] = self.db[TRENDS]
        self.categories: AsyncCollection[Document] = self.db[CATEGORIES]
        self.trend_series: AsyncCollection[Document] = self.db[TREND_SERIES]
        self.persisted_queries: AsyncCollection[Document] = self.db[PERSISTED_QUERIES]
        self.rate_limits: AsyncCollection[Document] = self.db[RATE_LIMITS]
        self.forecasts: AsyncCollection[Document] = self.db[FORECASTS]
        self.watchlists: AsyncCollection[Document] = self.db[WATCHLISTS]
        self.alert_rules: AsyncCollection[Document] = self.db[ALERT_RULES]
        self.alert_outbox: AsyncCollection[Document] = self.db[ALERT_OUTBOX]
        self.alert_deliveries: AsyncCollection[Document] = self.db[ALERT_DELIVERIES]
        self.alert_state: AsyncCollection[Document] = self.db[ALERT_STATE]

    @classmethod
    def connect(
        cls,
        uri: str,
        name: str,
        *,
        timeout_ms: int = 5_000,
        sort_bounds: bool = True,
        heartbeat_ms: int = 1_000,
        change_stream_max_await_ms: int = 1_000,
    ) -> Database:
        """A client for ``uri`` (connections open lazily, on first use).

        ``heartbeat_ms``: how often the driver checks the server while it is up; a server
        coming back is noticed by :meth:`probing` instead. ``change_stream_max_await_ms``:
        how long the server holds a change stream's getMore when nothing changed.
        """
        availability = _Availability()
        client: AsyncMongoClient[Document] = AsyncMongoClient(
            uri,
            event_listeners=[CommandCounter(), availability],
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            heartbeatFrequencyMS=heartbeat_ms,
            tz_aware=True,
            appname="trendgraph",
        )
        database = cls(client, name, availability, sort_bounds=sort_bounds)
        database.change_stream_max_await_ms = change_stream_max_await_ms
        return database

    @contextlib.asynccontextmanager
    async def probing(self, interval_ms: int) -> AsyncIterator[None]:
        """While the block runs, probe an unavailable database every ``interval_ms`` (see
        :meth:`_Availability.probe`), so that serving resumes soon after it returns."""
        if self._availability is None:
            yield
            return
        task = asyncio.create_task(
            self._availability.probe(self.ping_quietly, interval_ms / 1000),
            name="database-recovery-probe",
        )
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def ping_quietly(self) -> bool:
        """``ping`` without logging a failure (the probe expects them)."""
        try:
            await self.client.admin.command("ping")
        except Exception:  # any failure means "not yet"
            return False
        return True

    @property
    def available(self) -> bool:
        """False while the driver knows of no usable server: fail fast instead of waiting."""
        return self._availability is None or self._availability.available

    async def ping(self) -> bool:
        try:
            await self.client.admin.command("ping")
        except Exception:  # any failure means "not ready"; the caller only needs a yes/no
            logger.warning("database ping failed", exc_info=True)
            return False
        return True

    async def ensure_indexes(self) -> None:
        """Run the storage migrations, then create the indexes reads rely on
        (:mod:`app.storage.indexes`); idempotent."""
        # Imported here: the migrations use the repositories, which import this module.
        from app.storage.indexes import ensure_indexes

        await ensure_indexes(self)

    def wake_driver(self) -> None:
        """While the driver sees no server, keep one ping waiting for it.

        A waiting server selection makes the driver's monitor check the server every half
        second (its minimum interval) instead of at its next heartbeat, so service resumes
        sooner once the database answers again. Requests themselves are still refused at
        once (:attr:`available`); the ping runs in no request's context (not counted).
        """
        if self._probe is not None and not self._probe.done():
            return
        self._probe = asyncio.get_running_loop().create_task(
            self._quiet_ping(), name="database-probe", context=contextvars.Context()
        )

    async def _quiet_ping(self) -> None:
        with contextlib.suppress(PyMongoError):  # only its server selection matters
            await self.client.admin.command("ping")

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe
        if self._availability is not None:
            self._availability.closing = True
        await self.client.close()


@contextlib.asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    """Connect to ``TRENDGRAPH_MONGODB_URI``, or start the embedded server when it is unset."""
    async with contextlib.AsyncExitStack() as stack:
        if settings.mongodb_uri:
            uri = settings.mongodb_uri
        else:
            embedded = EmbeddedMongo(settings.data_dir, supervise=True)
            uri = await asyncio.to_thread(embedded.start)
            stack.callback(embedded.stop)
        logger.info("using %s", settings.describe_database())
        database = Database.connect(
            uri,
            settings.database,
            timeout_ms=settings.mongodb_timeout_ms,
            sort_bounds=settings.page_sort_bounds,
            heartbeat_ms=settings.mongodb_heartbeat_ms,
            change_stream_max_await_ms=settings.change_stream_max_await_ms,
        )
        if not settings.mongodb_uri:
            database.embedded = embedded
        stack.push_async_callback(database.close)
        await database.ensure_indexes()
        yield database
