"""The typed GraphQL context: database access and this request's loaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import HTTPConnection
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from app.domain.keys import Principal
from app.observability import Metrics
from app.settings import Settings
from app.storage.changes import TrendChangeFeed
from app.storage.command_stats import CommandStats
from app.storage.database import Database
from app.storage.forecast_worker import ForecastWorker
from app.storage.ratelimit import Limiter
from app.storage.repositories import CategoryRepository, TrendRepository
from app.storage.repositories.category_writes import CategoryWriter
from app.storage.repositories.forecasts import ForecastRepository
from app.storage.repositories.related import RelatedRepository
from app.storage.repositories.search import SearchRepository
from app.storage.repositories.series import SeriesRepository
from app.storage.repositories.trend_writes import TrendWriter
from app.storage.response_cache import ResponseCache
from schema.decisions import OperationDecision
from schema.loaders import Loaders

LoadersFactory = Callable[["Context"], Loaders]
"""Makes a request's DataLoaders from its context (its repositories, settings, metrics)."""


def batched_loaders(context: Context) -> Loaders:
    """The service's loaders: one tick's keys in one query, cached for the request."""
    return Loaders.create(
        context.trends,
        context.categories,
        context.series,
        RelatedRepository(context.database),
        ForecastRepository(context.database),
        max_batch_size=context.settings.dataloader_batch_size,
        metrics=context.metrics,
    )


@dataclass
class Context:
    """Everything a resolver may use; one per request."""

    database: Database
    settings: Settings
    trends: TrendRepository
    categories: CategoryRepository
    series: SeriesRepository
    search: SearchRepository
    command_stats: CommandStats = field(default_factory=CommandStats)
    request: HTTPConnection | None = None
    response: Response | None = None
    request_id: str | None = None
    client_key: str = "local"
    """Whose rate-limit bucket this request draws on (``ip:...`` or ``key:...``)."""
    rate_limiter: Limiter | None = None
    metrics: Metrics | None = None
    query_cost: int | None = None
    decisions: list[OperationDecision] = field(default_factory=list)
    """What the guards decided (cost, availability, rate limit, cache, authentication);
    the HTTP view turns them into a status and headers."""
    principal: Principal | None = None
    """Who the request's API key proves it is; ``None`` for anonymous (read-only) requests."""
    trend_changes: TrendChangeFeed | None = None
    """The process's change feed (subscriptions); ``None`` outside the ASGI app."""
    response_cache: ResponseCache | None = None
    """Anonymous GET and persisted query results, shared by the requests of this process."""
    selection_reads: dict[tuple[int, tuple[str, ...]], frozenset[str] | None] = field(
        default_factory=dict
    )
    """The trend fields each place of the query reads (schema.reads), worked out once."""
    forecast_worker: ForecastWorker | None = None
    """Recomputes forecasts after series writes; ``None``: nothing schedules them (the
    forecasts then stay stale until ``python -m app recompute-forecasts``)."""
    make_loaders: LoadersFactory = batched_loaders
    """How the loaders are made (:meth:`renew_loaders`); a seam for baselines composed
    elsewhere, such as the benchmark's."""
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.renew_loaders()

    def decide(self, decision: OperationDecision) -> None:
        """Record a guard's decision for the transport to act on."""
        self.decisions.append(decision)

    @property
    def trend_writer(self) -> TrendWriter:
        return TrendWriter(self.database)

    @property
    def category_writer(self) -> CategoryWriter:
        return CategoryWriter(self.database)

    @classmethod
    def create(
        cls,
        database: Database,
        settings: Settings,
        *,
        request: HTTPConnection | None = None,
        response: Response | None = None,
        request_id: str | None = None,
        client_key: str = "local",
        rate_limiter: Limiter | None = None,
        metrics: Metrics | None = None,
        principal: Principal | None = None,
        trend_changes: TrendChangeFeed | None = None,
        response_cache: ResponseCache | None = None,
        forecast_worker: ForecastWorker | None = None,
    ) -> Context:
        return cls(
            database=database,
            settings=settings,
            trends=TrendRepository(database),
            categories=CategoryRepository(database),
            series=SeriesRepository(database),
            search=SearchRepository(database),
            request=request,
            response=response,
            request_id=request_id,
            client_key=client_key,
            rate_limiter=rate_limiter,
            metrics=metrics,
            principal=principal,
            trend_changes=trend_changes,
            response_cache=response_cache,
            forecast_worker=forecast_worker,
        )

    def renew_loaders(self) -> None:
        """Fresh DataLoaders: a subscription's context lives as long as its socket, and
        each event must read current data, not what an earlier event cached."""
        self.loaders = self.make_loaders(self)


Info = StrawberryInfo[Context, None]
