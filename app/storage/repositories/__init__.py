"""Storage access: take and return domain objects; the only place Mongo filters are built."""

from app.storage.repositories.categories import CategoryRepository
from app.storage.repositories.trend_queries import TrendFilter, TrendOrder, TrendOrderField
from app.storage.repositories.trends import TrendRepository

__all__ = [
    "CategoryRepository",
    "TrendFilter",
    "TrendOrder",
    "TrendOrderField",
    "TrendRepository",
]
