"""The typed GraphQL context: database access and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import HTTPConnection
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from app.changes import TrendChangeFeed
from app.database import CommandStats, Database
from app.loaders import Loaders
from app.repositories import CategoryRepository, TrendRepository
from app.settings import Settings


@dataclass
class Context:
    """Everything a resolver may use; one per request."""

    database: Database
    settings: Settings
    trends: TrendRepository
    categories: CategoryRepository
    loaders: Loaders
    command_stats: CommandStats = field(default_factory=CommandStats)
    request: HTTPConnection | None = None
    response: Response | None = None
    trend_changes: TrendChangeFeed | None = None
    """The process's change feed (subscriptions); ``None`` outside the ASGI app."""

    @classmethod
    def create(
        cls,
        database: Database,
        settings: Settings,
        *,
        request: HTTPConnection | None = None,
        response: Response | None = None,
        trend_changes: TrendChangeFeed | None = None,
    ) -> Context:
        trends = TrendRepository(database)
        categories = CategoryRepository(database)
        return cls(
            database=database,
            settings=settings,
            trends=trends,
            categories=categories,
            loaders=Loaders.create(
                trends, categories, max_batch_size=settings.dataloader_batch_size
            ),
            request=request,
            response=response,
            trend_changes=trend_changes,
        )

    def renew_loaders(self) -> None:
        """Fresh DataLoaders: a subscription's context lives as long as its socket, and
        each event must read current data, not what an earlier event cached."""
        self.loaders = Loaders.create(
            self.trends, self.categories, max_batch_size=self.settings.dataloader_batch_size
        )


Info = StrawberryInfo[Context, None]
