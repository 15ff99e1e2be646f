"""Write mutations (they need an API key), composed into the root ``Mutation`` type."""

from schema.mutations.categories import CategoryMutation
from schema.mutations.trends import TrendMutation

__all__ = ["CategoryMutation", "TrendMutation"]
