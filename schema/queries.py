"""Read queries: trends by slug, pages of trends, comparisons, categories, and Relay nodes."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Annotated, cast

import strawberry
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError
from strawberry.utils.await_maybe import await_maybe

from app.domain.pagination import InvalidCursorError
from app.storage import repositories
from app.storage.repositories.stored import StoredDocumentError
from schema.category import Category
from schema.compare import MAX_COMPARE, CompareScale, compare
from schema.connection import TrendConnection, TrendEdge
from schema.context import Info
from schema.errors import BadUserInputError
from schema.inputs import TrendFilter, TrendOrder
from schema.reads import trend_fields
from schema.trend import Trend, prefetch_categories

DEFAULT_ORDER = repositories.TrendOrder(field=repositories.TrendOrderField.NAME, descending=False)


def _page_size(name: str, value: int | None, maximum: int) -> None:
    if value is not None and not 1 <= value <= maximum:
        raise BadUserInputError(
            f"{name} must be between 1 and {maximum}, got {value}", argument=name
        )


def _node_type(global_id: relay.GlobalID, info: Info, argument: str) -> type[relay.Node]:
    """The Node type a global ID names; BAD_USER_INPUT for any other name (no such type, a
    type without IDs such as ``TrendSeries``, the ``Node`` interface itself): this API
    never issued such an ID."""
    try:
        node_type = global_id.resolve_type(info)
    except GlobalIDValueError:
        node_type = relay.Node
    if node_type is relay.Node:
        raise BadUserInputError(
            f"{global_id} is not an ID of this API: `{global_id.type_name}` is not a type "
            "with IDs (Trend, Category)",
            argument=argument,
        )
    return node_type


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Fetches any object by its global ID.")
    async def node(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The ID of the object.")],
    ) -> relay.Node | None:
        node_type = _node_type(id, info, "id")
        [node] = await await_maybe(
            node_type.resolve_nodes(info=info, node_ids=[id.node_id], required=False)
        )
        if isinstance(node, StoredDocumentError):  # see Trend.resolve_nodes
            raise node
        return node

    @strawberry.field(
        description="Fetches objects by global ID, in the order given; null for unknown IDs.",
        graphql_type=list[relay.Node | None],
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[relay.GlobalID], strawberry.argument(description="The IDs of the objects.")
        ],
    ) -> list[relay.Node | StoredDocumentError | None]:
        if len(ids) > info.context.settings.max_page_size:
            raise BadUserInputError(
                f"nodes takes at most {info.context.settings.max_page_size} ids, got {len(ids)}",
                argument="ids",
            )
        positions: dict[str, list[int]] = defaultdict(list)
        for position, global_id in enumerate(ids):
            positions[global_id.type_name].append(position)
        # A stored document that cannot be read is its error, in its place: graphql-core
        # raises it at ["nodes", position] and completes the others.
        found: list[relay.Node | StoredDocumentError | None] = [None] * len(ids)
        for places in positions.values():
            node_type = _node_type(ids[places[0]], info, "ids")
            nodes = await await_maybe(
                node_type.resolve_nodes(
                    info=info, node_ids=[ids[place].node_id for place in places], required=False
                )
            )
            for place, node in zip(places, nodes, strict=True):
                found[place] = node
        return found


@strawberry.type
class TrendQuery:
    @strawberry.field(description="A trend by its slug, or by one of its aliases in slug form.")
    async def trend(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="The trend's slug or alias slug.")],
    ) -> Trend | None:
        loader = info.context.loaders.trend_fields_by_slug
        trend = await loader.load((slug, trend_fields(info)))
        return Trend.from_model(trend) if trend else None

    @strawberry.field(
        description="A page of trends, filtered and ordered (by NAME ascending by default). "
        "Page with first/after forwards or last/before backwards; at most 100 a page."
    )
    async def trends(
        self,
        info: Info,
        first: Annotated[
            int | None,
            strawberry.argument(description="Page size going forwards (default 20, at most 100)."),
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="Return trends after this cursor.")
        ] = None,
        last: Annotated[
            int | None, strawberry.argument(description="Page size going backwards (at most 100).")
        ] = None,
        before: Annotated[
            str | None, strawberry.argument(description="Return trends before this cursor.")
        ] = None,
        filter: Annotated[
            TrendFilter | None, strawberry.argument(description="Only trends matching this filter.")
        ] = None,
        order_by: Annotated[
            TrendOrder | None,
            strawberry.argument(description="The order of the list; NAME ascending by default."),
        ] = None,
    ) -> TrendConnection:
        settings = info.context.settings
        if first is not None and last is not None:
            raise BadUserInputError("pass either first or last, not both", argument="last")
        _page_size("first", first, settings.max_page_size)
        _page_size("last", last, settings.max_page_size)
        if first is None and last is None:
            first = settings.default_page_size
        trend_filter = filter.to_domain() if filter else repositories.TrendFilter()
        order = order_by.to_domain() if order_by else DEFAULT_ORDER
        if order.by_signal:
            # Ordered by a signal, the list holds the trends with it: totalCount agrees.
            trend_filter = dataclasses.replace(
                trend_filter, ordered_signal_key=f"{order.source}/{order.region}"
            )
        fields = trend_fields(info, "edges", "node")
        with_analyses = fields is None or "analyses" in fields
        try:
            page = await info.context.trends.page(
                trend_filter,
                order,
                first=first,
                after_cursor=after,
                last=last,
                before_cursor=before,
                with_analyses=with_analyses,
                fields=fields,
            )
        except InvalidCursorError as error:
            raise BadUserInputError(str(error), argument="before" if before else "after") from None
        await prefetch_categories(
            info, page.trends, with_analyses=with_analyses, path=("edges", "node")
        )
        # A trend whose document cannot be read is its error in place of the node (cast:
        # the edge wants a Trend); graphql-core raises it at ["trends", "edges", i, "node"].
        edges = [
            TrendEdge(node=cast(Trend, Trend.from_read(trend)), page=page, index=index)
            for index, trend in enumerate(page.trends)
        ]
        return TrendConnection(
            edges=edges,
            page_info=relay.PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=page.cursor(0) if page.trends else None,
                end_cursor=page.cursor(-1) if page.trends else None,
            ),
            trend_filter=trend_filter,
        )

    @strawberry.field(
        description=f"Trends side by side, in the order asked (at most {MAX_COMPARE}); "
        "null where a slug matches no trend. Each trend's `compared` answers its signal "
        "from `source` in `region` on the common `scale`.",
        graphql_type=list[Trend | None],
    )
    async def compare_trends(
        self,
        info: Info,
        slugs: Annotated[list[str], strawberry.argument(description="Slugs of the trends.")],
        source: Annotated[
            str | None,
            strawberry.argument(
                description="The signal to compare (`Trend.compared`); `search-interest` "
                "by default."
            ),
        ] = None,
        region: Annotated[
            str | None,
            strawberry.argument(
                description="The region of the signal to compare (ISO 3166-1 alpha-2 or "
                "WORLD); WORLD by default."
            ),
        ] = None,
        scale: Annotated[
            CompareScale | None,
            strawberry.argument(description="The common scale; JOINT_INDEX by default."),
        ] = None,
    ) -> list[Trend | StoredDocumentError | None]:
        return await compare(info, slugs, source, region, scale)


@strawberry.type
class CategoryQuery:
    @strawberry.field(
        description="Every category of the taxonomy, ordered by slug.",
        graphql_type=list[Category],
    )
    async def categories(self, info: Info) -> list[Category | StoredDocumentError]:
        return [Category.from_read(category) for category in await info.context.categories.all()]
