"""The naive baseline: trendgraph's schema without what makes it fast, composed here.

What a straightforward strawberry service over the same repositories would do, so that
``python -m bench`` can say what DataLoaders, projections, caches and the compiled executor
buy. Nothing in the service reads a switch for it: this module composes it from seams.

- loaders that read one key per query and keep nothing (``Loaders.create(batching=False)``);
- no projections: every trend read fetches whole documents, analyses included (search
  candidates all but the analyses, as before projections followed the selection);
- no sort bounds (``page_sort_bounds=False``);
- no shared parse and validation caches, no response cache;
- graphql-core's executor as shipped (``compiled_execution=False``);
- the standard library's ``json`` instead of orjson.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from app.domain.models import Trend
from app.domain.search import SearchQuery
from app.settings import Settings, get_settings
from app.storage.database import Database
from app.storage.repositories import TrendRepository
from app.storage.repositories.forecasts import ForecastRepository
from app.storage.repositories.related import RelatedRepository
from app.storage.repositories.search import SearchRepository, UnreadableTrend
from app.storage.repositories.trend_queries import TrendFilter, TrendOrder
from app.storage.repositories.trends import TrendFields, TrendOrError, TrendPage
from app.web.asgi import create_app as create_service_app
from app.web.graphql_view import GraphQLView
from schema.context import Context
from schema.loaders import Loaders
from schema.root import build_schema


class WholeDocumentTrends(TrendRepository):
    """Reads every trend whole, whatever the query selects."""

    async def page(
        self,
        trend_filter: TrendFilter,
        order: TrendOrder,
        *,
        first: int | None = None,
        after_cursor: str | None = None,
        last: int | None = None,
        before_cursor: str | None = None,
        with_analyses: bool = True,
        fields: TrendFields | None = None,
    ) -> TrendPage:
        return await super().page(
            trend_filter,
            order,
            first=first,
            after_cursor=after_cursor,
            last=last,
            before_cursor=before_cursor,
            with_analyses=True,
        )

    async def by_ids(
        self, ids: Sequence[str], *, with_analyses: bool = True, fields: TrendFields | None = None
    ) -> list[TrendOrError | None]:
        return await super().by_ids(ids)

    async def by_slugs(
        self, slugs: Sequence[str], *, with_analyses: bool = True, fields: TrendFields | None = None
    ) -> list[TrendOrError | None]:
        return await super().by_slugs(slugs)


class UnprojectedSearch(SearchRepository):
    """Reads search candidates without their analyses, whatever the query selects."""

    async def candidates(
        self, query: SearchQuery, fields: TrendFields | None = None
    ) -> list[Trend | UnreadableTrend]:
        return await super().candidates(query)


def naive_loaders(context: Context) -> Loaders:
    """One query per key, no per-request cache, whole documents for summaries too."""
    loaders = Loaders.create(
        context.trends,
        context.categories,
        context.series,
        RelatedRepository(context.database),
        ForecastRepository(context.database),
        max_batch_size=context.settings.dataloader_batch_size,
        metrics=context.metrics,
        batching=False,
    )
    return dataclasses.replace(loaders, trend_summary_by_id=loaders.trend_by_id)


def make_naive(context: Context) -> Context:
    """``context`` (just created) with the naive repositories and loaders."""
    context.trends = WholeDocumentTrends(context.database)
    context.search = UnprojectedSearch(context.database)
    context.make_loaders = naive_loaders
    context.renew_loaders()
    return context


def naive_settings(settings: Settings) -> Settings:
    """``settings`` without the response cache and the sort bounds."""
    return settings.model_copy(update={"response_cache_entries": 0, "page_sort_bounds": False})


def naive_schema(settings: Settings) -> strawberry.Schema:
    return build_schema(settings, compiled_execution=False, shared_caches=False)


class NaiveView(GraphQLView):
    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return make_naive(await super().get_context(request, response))

    def encode_json(self, data: object) -> str | bytes:
        return json.dumps(data)


def naive_app(settings: Settings, *, database: Database | None = None) -> Starlette:
    """The naive baseline's ASGI app (``database``: an open one, as for the service's)."""
    settings = naive_settings(settings)
    return create_service_app(
        settings, database=database, schema=naive_schema(settings), view_class=NaiveView
    )


def create_app() -> Starlette:
    """The uvicorn factory (``bench.naive:create_app``), configured from the environment."""
    return naive_app(get_settings())
