"""The root schema, composed from the per-domain query and mutation classes."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.tools import merge_types

from schema.mutations import CategoryMutation, TrendMutation
from schema.queries import CategoryQuery, NodeQuery, TrendQuery

Query = merge_types("Query", (NodeQuery, TrendQuery, CategoryQuery))


# What merge_types does, plus the description the SDL needs.
@strawberry.type(
    description="Writes: trends and categories, one at a time or in bulk. Every mutation needs "
    "an API key (`Authorization: Bearer <key>`)."
)
class Mutation(TrendMutation, CategoryMutation):
    pass


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    # Bounded caches, shared across requests (module-level LRU inside strawberry).
    extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
)
