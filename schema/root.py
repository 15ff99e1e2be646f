"""The root schema, composed from the per-domain query classes."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.tools import merge_types

from schema.queries import CategoryQuery, NodeQuery, TrendQuery

Query = merge_types("Query", (NodeQuery, TrendQuery, CategoryQuery))

schema = strawberry.Schema(
    query=Query,
    # Bounded caches, shared across requests (module-level LRU inside strawberry).
    extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
)
