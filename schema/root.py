"""The root schema, composed from the per-domain query classes."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache

from schema.queries import CategoryQuery, NodeQuery, TrendQuery
from schema.subscriptions import TrendSubscription


@strawberry.type(description="Reads: trends, categories and any object by global ID. Public.")
class Query(NodeQuery, TrendQuery, CategoryQuery):
    pass


@strawberry.type(description="Live updates over WebSocket (graphql-transport-ws at /graphql).")
class Subscription(TrendSubscription):
    pass


schema = strawberry.Schema(
    query=Query,
    subscription=Subscription,
    # Bounded caches, shared across requests (module-level LRU inside strawberry).
    extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
)
