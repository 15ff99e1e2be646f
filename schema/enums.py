"""GraphQL enums, exposed from the domain enums so both always have the same members."""

from __future__ import annotations

from enum import Enum

import strawberry

from app import models
from app.repositories import TrendOrderField as DomainTrendOrderField

GrowthWindowKey = strawberry.enum(
    models.GrowthWindowKey,
    description="A window over which growth is measured, from three months to five years.",
)
GrowthMethod = strawberry.enum(
    models.GrowthMethod,
    description="How a growth figure was obtained: REPORTED figures come from a source as given.",
)
TrendStatus = strawberry.enum(
    models.TrendStatus,
    description="Where a trend stands in its life cycle.",
)
TrendOrderField = strawberry.enum(
    DomainTrendOrderField,
    description=(
        "What to order trends by: GROWTH (for the window given in `TrendOrder.window`), "
        "NAME (case- and accent-insensitive) or UPDATED_AT."
    ),
)


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"
