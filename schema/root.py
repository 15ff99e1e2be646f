"""The root schema, composed from the per-domain query and mutation classes."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.tools import merge_types

from schema.queries import CategoryQuery, NodeQuery, TrendQuery
from schema.search import TrendSearchQuery
from schema.series_mutations import SeriesMutation

Query = merge_types("Query", (NodeQuery, TrendQuery, TrendSearchQuery, CategoryQuery))
Mutation = merge_types("Mutation", (SeriesMutation,))

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    # Bounded caches, shared across requests (module-level LRU inside strawberry).
    extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
)
