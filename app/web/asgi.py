"""The Starlette application: ``/graphql``, GraphiQL assets, probes, metrics, CORS, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import TypedDict

import strawberry
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute

from app.alerts.service import alerts_running
from app.forecasting.pool import forecast_pool
from app.observability import Metrics, exposing_sort_bounds
from app.settings import Settings, get_settings
from app.storage.changes import TrendChangeFeed
from app.storage.database import Database, open_database
from app.storage.forecast_worker import ForecastWorker
from app.storage.response_cache import ResponseCache, following
from app.web import explorer, graphiql
from app.web.graphql_view import GraphQLView

logger = logging.getLogger(__name__)


class State(TypedDict):
    database: Database
    trend_changes: TrendChangeFeed
    response_cache: ResponseCache | None
    forecast_worker: ForecastWorker


async def healthz(request: Request) -> JSONResponse:
    """The process is alive. Fails only when its supervised embedded database cannot be
    started again, so that whatever runs the process restarts it; a database that is
    merely unreachable shows in ``/readyz``, not here."""
    database: Database = request.state.database
    embedded = database.embedded
    if embedded is not None and not embedded.healthy:
        return JSONResponse(
            {"status": "failing", "database": "the embedded server cannot be restarted"},
            status_code=503,
        )
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """200 only when the database answers ``ping``: route traffic here."""
    database: Database = request.state.database
    if database.available and await database.ping():
        return JSONResponse({"status": "ready", "database": "ok"})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)


async def _catch_up(forecasts: ForecastWorker) -> None:
    """Schedule the forecasts that are missing or outdated; a database that is down now
    only delays them to the next start (or the next write of each series)."""
    try:
        await forecasts.catch_up()
    except Exception:
        logger.exception("forecasts: could not look for missing or outdated forecasts")


def tune_garbage_collector(young_threshold: int) -> None:
    """Collect the youngest generation every ``young_threshold`` allocations (0: leave it).

    A request allocates tens of thousands of short-lived objects (documents, models,
    GraphQL results); at Python's default of 700 the collector runs many times per request
    and re-scans what start-up left in memory. Start-up's objects are frozen out of the
    scans (``gc.freeze``) when the app starts serving. Measured with
    ``python -m bench.inprocess``: about a tenth less CPU per leaderboard request.
    """
    if young_threshold:
        _, middle, old = gc.get_threshold()
        gc.set_threshold(young_threshold, middle, old)
        if not gc.get_freeze_count():  # once a process: what start-up left, minus its garbage
            gc.collect()
            gc.freeze()


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    seed_if_empty: bool = False,
    schema: strawberry.Schema | None = None,
    view_class: type[GraphQLView] = GraphQLView,
) -> Starlette:
    """The ASGI app. Pass ``database`` to use an open one (tests) instead of connecting.

    ``schema`` (default: built from ``settings``) and ``view_class`` are seams for apps
    composed around this one (the benchmark's baseline); the service passes neither.
    """
    settings = settings or get_settings()
    from schema.root import build_schema  # the GraphQL surface sits above app/

    metrics = Metrics()

    async def metrics_endpoint(request: Request) -> Response:
        """Prometheus metrics of this process."""
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def serving(opened: Database) -> AsyncIterator[State]:
        """The state requests see, with the change feeds following ``opened``."""
        tune_garbage_collector(settings.gc_young_threshold)
        if opened.embedded is not None:
            opened.embedded.on_restart(metrics.embedded_database_restarts.inc)
        changes = TrendChangeFeed(opened.trends, max_await_ms=opened.change_stream_max_await_ms)
        cache = (
            ResponseCache(settings.response_cache_entries, settings.response_cache_ttl_seconds)
            if settings.response_cache_entries
            else None
        )

        # The pool is made on the first series write (or the catch-up's first signal);
        # until then no process is started.
        forecasts = ForecastWorker(
            opened,
            lambda: forecast_pool(settings.forecast_processes),
            concurrency=settings.forecast_concurrency,
            owns_executor=True,
        )
        forecasts.start()
        catching_up = (
            asyncio.create_task(_catch_up(forecasts)) if settings.forecast_catch_up else None
        )
        try:
            async with contextlib.AsyncExitStack() as stack:
                stack.enter_context(exposing_sort_bounds(metrics, opened.sort_bounds.reads))
                await stack.enter_async_context(opened.probing(settings.mongodb_recovery_probe_ms))
                if cache is not None:
                    await stack.enter_async_context(following(cache, opened))
                await stack.enter_async_context(alerts_running(opened, settings))
                yield {
                    "database": opened,
                    "trend_changes": changes,
                    "response_cache": cache,
                    "forecast_worker": forecasts,
                }
        finally:
            if catching_up is not None:
                catching_up.cancel()
            await changes.close()
            await forecasts.stop()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        if database is not None:
            async with serving(database) as state:
                yield state
            return
        async with open_database(settings) as opened:
            if not settings.api_key_hashes:
                logger.warning(
                    "no API keys configured (TRENDGRAPH_API_KEY_HASHES): reads only, "
                    "every mutation will be refused; `python -m app new-api-key` makes one"
                )
            if seed_if_empty:
                from seeds.demo import load_demo

                if await opened.trends.estimated_document_count() == 0:
                    logger.info("database has no trends: loading the demo dataset")
                    report = await load_demo(opened)
                    logger.info("loaded the demo dataset: %s", report.describe())
            async with serving(opened) as state:
                yield state

    graphql = view_class(schema or build_schema(settings), settings, metrics=metrics)
    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint),
            # Every method reaches the view: it answers 405 itself, as JSON with Allow and the
            # request id, like every other refusal.
            Route("/graphql", graphql),
            WebSocketRoute("/graphql", graphql),
            Mount(graphiql.ASSETS_URL, graphiql.assets_app(), name="graphiql-assets"),
            *explorer.routes(),  # the web app: /, /trends/<slug>, /compare, /watchlists
        ],
        middleware=cors_middleware(settings),
        lifespan=lifespan,
    )


def cors_middleware(settings: Settings) -> list[Middleware]:
    """CORS for ``TRENDGRAPH_CORS_ORIGINS`` (none by default: no CORS headers at all)."""
    if not settings.cors_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=[
                "accept",
                "authorization",
                "content-type",
                "if-none-match",
                "x-request-id",
            ],
            expose_headers=["etag", "x-request-id"],
            max_age=600,
        )
    ]
