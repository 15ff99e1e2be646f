"""GraphQL enums, exposed from the domain enums so both always have the same members.

``strawberry.enum`` registers a domain enum in place; the names below are plain aliases of
the domain classes, so type checkers see real types.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from app.domain import models
from app.storage.repositories import TrendOrderField as DomainTrendOrderField

# strawberry.enum registers the domain enums themselves (and returns them), so resolvers
# pass domain values through unchanged and mypy sees real classes.
GrowthWindowKey = models.GrowthWindowKey
GrowthMethod = models.GrowthMethod
TrendStatus = models.TrendStatus
TrendOrderField = DomainTrendOrderField

strawberry.enum(
    models.GrowthWindowKey,
    description="A window over which growth is measured, from three months to five years.",
)
strawberry.enum(
    models.GrowthMethod,
    description="How a growth figure was obtained: REPORTED figures come from a source as given.",
)
strawberry.enum(
    models.TrendStatus,
    description="Where a trend stands in its life cycle.",
)
strawberry.enum(
    DomainTrendOrderField,
    description=(
        "What to order trends by: GROWTH (for the window given in `TrendOrder.window`), "
        "NAME (case- and accent-insensitive), UPDATED_AT, STATUS (by momentum: "
        "EXPLODING, REGULAR, PEAKED, DECLINING when descending; no status sorts lowest), "
        "VOLUME (the trend's `volume`: the latest count of its preferred COUNT signal; "
        "trends without one sort lowest), or FORECAST_GROWTH (the primary signal's "
        "forecast growth over the horizon; trends without one sort lowest)."
    ),
)


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"
