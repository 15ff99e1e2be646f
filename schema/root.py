"""The root schema, composed from the per-domain query and mutation classes."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.tools import merge_types

from schema.mutations import CategoryMutation, TrendMutation
from schema.queries import CategoryQuery, NodeQuery, TrendQuery

Query = merge_types("Query", (NodeQuery, TrendQuery, CategoryQuery))
Mutation = merge_types("Mutation", (TrendMutation, CategoryMutation))

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    # Bounded caches, shared across requests (module-level LRU inside strawberry).
    extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
)
