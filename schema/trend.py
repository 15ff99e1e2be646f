"""The Trend type and its growth windows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from datetime import date, datetime
from typing import Annotated, Any, Self, TypeGuard

import strawberry
from strawberry import relay
from strawberry.types.base import get_object_definition
from strawberry.utils.str_converters import to_camel_case

from app.domain import models
from app.domain.status import status_source
from app.storage.repositories.stored import StoredDocumentError
from schema.analyses import TrendAnalyses
from schema.category import Category
from schema.compare import ComparedSeries
from schema.context import Info
from schema.enums import GrowthMethod, GrowthWindowKey, StatusSource, TrendStatus
from schema.forecast import (
    Forecast,
    ForecastUnavailable,
    resolve_forecast,
    resolve_forecast_unavailable,
)
from schema.loaders import load_each
from schema.plans import direct
from schema.reads import trend_fields
from schema.related import MAX_RELATED, RelatedTrend, check_limit, related_links
from schema.selection import selected_names
from schema.series import SeriesPoint, resolve_series, resolve_series_source
from schema.signals import Signal, resolve_signals, resolve_volume


# Resolvers return the domain window itself, which has every field (``label`` as a
# property): no GraphQL-side copy of each window of each trend in a list.
@strawberry.type(description="Growth of a trend over one window.")
class GrowthWindow:
    window: GrowthWindowKey = strawberry.field(description="The window measured.")
    label: str = strawberry.field(
        description='Short form users know: "3mo", "6mo", "1y", "2y", "5y".'
    )
    percent: float = strawberry.field(
        description="Change over the window in percent (21 means +21%)."
    )
    method: GrowthMethod = strawberry.field(description="How the figure was obtained.")
    start_value: float | None = strawberry.field(
        description="The measured value at the window's start, where known."
    )
    end_value: float | None = strawberry.field(
        description="The measured value at the window's end, where known."
    )


async def prefetch_categories(
    info: Info,
    trends: Iterable[models.Trend | StoredDocumentError],
    *,
    with_analyses: bool,
    path: tuple[str, ...],
) -> None:
    """Reads the categories of ``trends`` now (one batched read), when only they are missing.

    Then ``Trend.category`` answers at once for every trend, and graphql-core completes the
    list without a coroutine per trend. Only when no other selected field of the trends
    reads the database: otherwise their reads would wait for this one instead of being
    batched in the same tick. Errors stay with the ``category`` fields that meet them.
    """
    selected = selected_names(info, *path)
    if "category" not in selected or selected & READING_FIELDS:
        return
    if not with_analyses and "analyses" in selected:
        return
    if "parent" in selected_names(info, *path, "category"):
        return
    loader = info.context.loaders.category_by_slug
    if not loader.cache:
        return  # a loader that keeps nothing would read them all again at each trend
    slugs = {
        trend.category
        for trend in trends
        if isinstance(trend, models.Trend) and trend.category is not None
    }
    if slugs:
        await asyncio.gather(*(loader.load(slug) for slug in slugs), return_exceptions=True)


def _loaded(future: Awaitable[Any]) -> TypeGuard[asyncio.Future[Any]]:
    """A DataLoader future that already holds its value (not an error)."""
    return (
        isinstance(future, asyncio.Future)
        and future.done()
        and not future.cancelled()
        and future.exception() is None
    )


def _read(value: datetime | None, name: str) -> datetime:
    if value is None:  # a stored trend always has it: only a read can have left it out
        raise RuntimeError(f"{name} was not read (schema/reads.py must map it)")
    return value


def _category(model: models.Category | None) -> Category | None:
    return Category.from_model(model) if model else None


async def _category_when_loaded(loaded: Awaitable[models.Category | None]) -> Category | None:
    return _category(await loaded)


async def _fetched_analyses(info: Info, trend_id: str) -> TrendAnalyses:
    """A trend's analyses, read again (batched) because its read left them out."""
    full = await info.context.loaders.trend_by_id.load(trend_id)
    analyses = full.analyses if full and full.analyses else models.TrendAnalyses()
    return TrendAnalyses.from_model(analyses)


@strawberry.type(
    description="A trend: a technology, product category or behaviour, and how it grows."
)
class Trend(relay.Node):
    id: relay.NodeID[str]
    slug: str = strawberry.field(description="Unique, URL-safe identifier, e.g. `asyncio`.")
    name: str = strawberry.field(description="Display name, e.g. `Asyncio`.")
    aliases: list[str] = strawberry.field(description="Other names the trend goes by.")
    description: str | None = strawberry.field(description='What the trend is (the "About" text).')
    tags: list[str] = strawberry.field(description="Free-form tags (slug form).")
    status: TrendStatus | None = strawberry.field(
        description="Life-cycle status, derived from growth whenever it is written, first "
        "match wins: EXPLODING (1y >= +100% and 3mo >= +10%), PEAKED (5y, else 2y, >= +50% "
        "and 3mo <= -10%), DECLINING (1y <= -20% and 3mo <= 0%), else REGULAR. A trend "
        "without growth has none, unless a writer set one (an editorial status: see "
        "`statusSource`)."
    )
    created_at: datetime = strawberry.field(description="When the trend was first stored.")
    version: int = strawberry.field(
        description="Starts at 1 and grows by one on every change (for optimistic concurrency)."
    )
    model: strawberry.Private[models.Trend]
    compared_series: strawberry.Private[ComparedSeries | None] = None
    """Set by ``compareTrends`` (see :mod:`schema.compare`)."""

    @strawberry.field(
        description="Where `status` comes from: DERIVED from growth, or EDITORIAL (set by a "
        "writer for a trend without growth); null without a status."
    )
    def status_source(self) -> StatusSource | None:
        return status_source(self.status, self.model.growth.values())

    @classmethod
    def from_model(cls, model: models.Trend) -> Self:
        return cls(
            id=model.id,
            slug=model.slug,
            name=model.name,
            aliases=model.aliases,
            description=model.description,
            tags=model.tags,
            status=model.status,
            created_at=model.created_at,
            version=model.version,
            model=model,
        )

    # A resolver, not an attribute: the model holds it only when the read fetched it
    # (schema/reads.py reads it wherever it is selected).
    @strawberry.field(description="When the trend last changed.")
    def updated_at(self) -> datetime:
        return _read(self.model.updated_at, "updatedAt")

    @classmethod
    def from_read(cls, read: models.Trend | StoredDocumentError) -> Self | StoredDocumentError:
        """The trend, or the error of a document the model could not read: returned as a
        list item, graphql-core raises it at that item's path and completes the others."""
        return cls.from_model(read) if isinstance(read, models.Trend) else read

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | StoredDocumentError | None]:
        """The trends in the order asked, ``None`` for unknown ids, and a document that
        cannot be read as its error, in its place (see :meth:`from_read`)."""
        trends = await load_each(info.context.loaders.trend_by_id, node_ids)
        return [cls.from_read(trend) if trend else None for trend in trends]

    # Sync resolvers that answer at once when there is nothing to wait for (the value is
    # in the model or already loaded) and return an awaitable otherwise: an awaitable
    # field costs graphql-core a coroutine per object and a task per list item.
    @strawberry.field(
        description="The category the trend is filed under.", graphql_type=Category | None
    )
    @direct
    def category(self, info: Info) -> Category | Awaitable[Category | None] | None:
        if self.model.category is None:
            return None
        loaded = info.context.loaders.category_by_slug.load(self.model.category)
        if _loaded(loaded):
            return _category(loaded.result())
        return _category_when_loaded(loaded)

    @strawberry.field(
        description="Growth per window that has a figure, shortest window first. The rule, "
        "per window: a REPORTED figure when the trend has one (seed files, imports; appending "
        "series never replaces them), else the figure computed (MONTHLY_MEAN_RATIO) from the "
        "trend's primary signal: its `search-interest` signal in WORLD, failing that its "
        "WORLD signal first by source name, failing that its signal first by source, then "
        "region. Every signal answers its own growth in `signals`. A write that gives growth "
        "replaces the REPORTED figures; the windows it leaves out keep their computed figures.",
        graphql_type=list[GrowthWindow],
    )
    @direct
    def growth(self) -> list[models.GrowthWindow]:
        return self.model.growth_windows()

    @strawberry.field(
        description="Growth over one window; null when there is no figure for it.",
        graphql_type=GrowthWindow | None,
    )
    def growth_for(
        self,
        window: Annotated[GrowthWindowKey, strawberry.argument(description="The window wanted.")],
    ) -> models.GrowthWindow | None:
        return self.model.growth.get(window)

    @strawberry.field(
        description="The four framework analyses of the trend.", graphql_type=TrendAnalyses
    )
    @direct
    def analyses(self, info: Info) -> TrendAnalyses | Awaitable[TrendAnalyses]:
        if self.model.analyses is None:  # left out of a list read's projection
            return _fetched_analyses(info, self.model.id)
        return TrendAnalyses.from_model(self.model.analyses)

    @strawberry.field(
        description="The signals measuring the trend (by source, then region), narrowed to "
        "one source and/or region when given; empty when it has none.",
        graphql_type=list[Signal],
    )
    def signals(
        self,
        info: Info,
        source: Annotated[
            str | None, strawberry.argument(description="Only signals from this source.")
        ] = None,
        region: Annotated[
            str | None,
            strawberry.argument(
                description="Only signals of this region (ISO 3166-1 alpha-2 code or WORLD)."
            ),
        ] = None,
    ) -> Awaitable[list[Signal]]:
        return resolve_signals(info, self.model.id, source, region)

    @strawberry.field(
        description="Only in `compareTrends`: the trend's signal chosen there, on the "
        "comparison's common scale; null elsewhere, or when the trend has no such signal."
    )
    def compared(self) -> ComparedSeries | None:
        return self.compared_series

    @strawberry.field(
        description="Absolute volume: the latest period's value of the trend's COUNT signal "
        "from `source` in `region`; without them, of its COUNT signal that the primary rule "
        "prefers (see `growth`; leaderboards sort by this one: `orderBy: {field: VOLUME}`). "
        "Null when no COUNT signal matches.",
        graphql_type=float | None,
    )
    def volume(
        self,
        info: Info,
        source: Annotated[
            str | None, strawberry.argument(description="The COUNT signal's source.")
        ] = None,
        region: Annotated[
            str | None,
            strawberry.argument(description="The COUNT signal's region (alpha-2 code or WORLD)."),
        ] = None,
    ) -> float | Awaitable[float | None] | None:
        if source is None and region is None:
            return self.model.volume  # kept on the trend: no read
        return resolve_volume(info, self.model.id, source, region)

    @strawberry.field(
        description="The series of the trend's primary signal (see `growth`), oldest point "
        "first; empty when it has none. `signals` answers every signal."
    )
    async def series(
        self,
        info: Info,
        from_: Annotated[
            date | None,
            strawberry.argument(name="from", description="First day to include; open if null."),
        ] = None,
        to: Annotated[
            date | None, strawberry.argument(description="Last day to include; open if null.")
        ] = None,
    ) -> list[SeriesPoint]:
        return await resolve_series(info, self.model.id, from_, to)

    @strawberry.field(
        description="The forecast of the trend's primary signal (computed when the signal "
        "was written; `stale` when it changed since); null when there is none, and then "
        "`forecastUnavailable` says why."
    )
    async def forecast(self, info: Info) -> Forecast | None:
        return await resolve_forecast(info, self.model)

    @strawberry.field(
        description="Why `forecast` is null (e.g. Asyncio: NO_SERIES, its figures are only "
        "reported); null when there is a forecast."
    )
    async def forecast_unavailable(self, info: Info) -> ForecastUnavailable | None:
        return await resolve_forecast_unavailable(info, self.model)

    @strawberry.field(
        description="The source of the trend's primary signal (see `growth`), e.g. "
        "`search-interest`; null when the trend has no signal."
    )
    async def series_source(self, info: Info) -> str | None:
        return await resolve_series_source(info, self.model.id)

    @strawberry.field(
        description="Related trends, best first: explicit links (in link order), then trends "
        "whose growth moved together over the last year, then trends sharing the most tags "
        "(a shared category breaks ties). `relatedEdges` says why and how strongly.",
        graphql_type="list[Trend]",  # Trend is still being defined
    )
    async def related(
        self,
        info: Info,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"How many related trends to return, 0 to {MAX_RELATED}."
            ),
        ] = 10,
    ) -> list[Trend | StoredDocumentError]:
        links = await related_links(info, self.model, check_limit(first))
        fields = trend_fields(info)
        loader = info.context.loaders.trend_fields_by_id
        trends = await load_each(loader, [(link.trend_id, fields) for link in links])
        return [Trend.from_read(trend) for trend in trends if trend]

    @strawberry.field(
        description="The trends of `related`, in its order, each with the reason it is "
        "related (EXPLICIT, CO_MOVEMENT, SHARED_TAGS) and how strongly.",
        graphql_type="list[RelatedTrend]",
    )
    async def related_edges(
        self,
        info: Info,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"How many related trends to return, 0 to {MAX_RELATED}."
            ),
        ] = 10,
    ) -> list[RelatedTrend | StoredDocumentError]:
        links = await related_links(info, self.model, check_limit(first))
        fields = trend_fields(info, "node")
        loader = info.context.loaders.trend_fields_by_id
        trends = await load_each(loader, [(link.trend_id, fields) for link in links])
        return [
            RelatedTrend(node=Trend.from_model(trend), reason=link.reason, strength=link.strength)
            if isinstance(trend, models.Trend)
            else trend
            for link, trend in zip(links, trends, strict=True)
            if trend
        ]


def _reading_fields() -> frozenset[str]:
    """The GraphQL names of ``Trend``'s resolvers that may read the database: those that
    are async or take ``Info`` (the database and loaders are in its context), except
    ``category`` and ``analyses``, which read only when what they need is missing and
    are handled apart by :func:`prefetch_categories`."""
    names = set()
    for field in get_object_definition(Trend, strict=True).fields:
        resolver = field.base_resolver
        if resolver is not None and (resolver.is_async or resolver.info_parameter is not None):
            names.add(field.graphql_name or to_camel_case(field.python_name))
    return frozenset(names - {"category", "analyses", "id"})  # id: relay's, from the model


READING_FIELDS = _reading_fields()
"""Trend fields that read the database, besides ``category`` (and ``analyses`` when a list
read left them out); derived from the type, so a new reading field cannot be forgotten."""
