"""The typed GraphQL context: database access and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import HTTPConnection
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from app.database import CommandStats, Database
from app.loaders import Loaders
from app.repositories import CategoryRepository, TrendRepository
from app.repositories.related import RelatedRepository
from app.repositories.search import SearchRepository
from app.repositories.series import SeriesRepository
from app.settings import Settings


@dataclass
class Context:
    """Everything a resolver may use; one per request."""

    database: Database
    settings: Settings
    trends: TrendRepository
    categories: CategoryRepository
    loaders: Loaders
    series: SeriesRepository
    search: SearchRepository
    command_stats: CommandStats = field(default_factory=CommandStats)
    request: HTTPConnection | None = None
    response: Response | None = None

    @classmethod
    def create(
        cls,
        database: Database,
        settings: Settings,
        *,
        request: HTTPConnection | None = None,
        response: Response | None = None,
    ) -> Context:
        trends = TrendRepository(database)
        categories = CategoryRepository(database)
        series = SeriesRepository(database)
        return cls(
            database=database,
            settings=settings,
            trends=trends,
            categories=categories,
            loaders=Loaders.create(
                trends,
                categories,
                series,
                RelatedRepository(database),
                max_batch_size=settings.dataloader_batch_size,
            ),
            series=series,
            search=SearchRepository(database),
            request=request,
            response=response,
        )


Info = StrawberryInfo[Context, None]
