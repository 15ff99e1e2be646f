"""GraphQL enums, exposed from the domain enums so both always have the same members.

``strawberry.enum`` registers a domain enum in place; the names below are plain aliases of
the domain classes, so type checkers see real types.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from app.domain import models
from app.domain.status import StatusSource as StatusSource
from app.storage.repositories import TrendOrderField as DomainTrendOrderField

# strawberry.enum registers the domain enums themselves (and returns them), so resolvers
# pass domain values through unchanged and mypy sees real classes.
GrowthWindowKey = models.GrowthWindowKey
GrowthMethod = models.GrowthMethod
TrendStatus = models.TrendStatus
TrendOrderField = DomainTrendOrderField


def describe_values(enum: type[Enum], descriptions: Mapping[str, str]) -> None:
    """Give each value of ``enum`` (already registered with strawberry) its description.

    The domain enums cannot carry strawberry's ``enum_value`` (the domain imports no
    strawberry), so their values are described here; every value must be, so a value added
    to the domain without a description fails at import (and the SDL test).
    """
    definition: StrawberryEnumDefinition = enum.__strawberry_definition__  # type: ignore[attr-defined]
    missing = [value.name for value in definition.values if value.name not in descriptions]
    unknown = set(descriptions) - {value.name for value in definition.values}
    if missing or unknown:
        raise ValueError(f"{enum.__name__}: undescribed {missing}, unknown {sorted(unknown)}")
    for value in definition.values:
        value.description = descriptions[value.name]


strawberry.enum(
    models.GrowthWindowKey,
    description="A window over which growth is measured, from three months to five years.",
)
describe_values(
    models.GrowthWindowKey,
    {
        "THREE_MONTHS": "The last three months (label 3mo).",
        "SIX_MONTHS": "The last six months (label 6mo).",
        "ONE_YEAR": "The last year (label 1y).",
        "TWO_YEARS": "The last two years (label 2y).",
        "FIVE_YEARS": "The last five years (label 5y).",
    },
)
strawberry.enum(
    models.GrowthMethod,
    description="How a growth figure was obtained: given by a source, or computed from the "
    "trend's series.",
)
describe_values(
    models.GrowthMethod,
    {
        "REPORTED": "Given by a source as is (a seed file, an import, a mutation); a reported "
        "figure wins over a computed one for its window.",
        "MONTHLY_MEAN_RATIO": "Computed from the trend's series: the mean of the window's last "
        "month against the mean of its first month, as a percent change.",
    },
)
strawberry.enum(
    models.TrendStatus,
    description="Where a trend stands in its life cycle.",
)
describe_values(
    models.TrendStatus,
    {
        "EXPLODING": "At least doubled in a year (1y >= +100%) and still climbing (3mo >= +10%).",
        "REGULAR": "Any other trend with at least one growth window.",
        "PEAKED": "Rose over the long run (5y, else 2y, >= +50%) and is now falling back "
        "(3mo <= -10%).",
        "DECLINING": "Shrinking over the year (1y <= -20%) with no recovery under way (3mo <= 0%).",
    },
)
strawberry.enum(
    StatusSource,
    description="Where a status comes from: DERIVED from growth by the documented rules, or "
    "EDITORIAL, set by a writer for a trend without growth.",
)
describe_values(
    StatusSource,
    {
        "DERIVED": "Derived from the trend's growth by the documented rules.",
        "EDITORIAL": "Set by a writer, for a trend without growth.",
    },
)
strawberry.enum(
    DomainTrendOrderField,
    description=(
        "What to order trends by. Each field has its own default direction (see its value); "
        "`TrendOrder.direction` overrides it."
    ),
)
describe_values(
    DomainTrendOrderField,
    {
        "GROWTH": "Growth percent over `TrendOrder.window`; descending (fastest first) by "
        "default. Trends without a figure for the window sort lowest.",
        "NAME": "Name, case- and accent-insensitive; ascending (A to Z) by default.",
        "UPDATED_AT": "Time of the last change; descending (newest first) by default.",
        "STATUS": "Momentum: EXPLODING, REGULAR, PEAKED, DECLINING; descending (EXPLODING "
        "first) by default. No status sorts lowest.",
        "VOLUME": "The trend's `volume`, the latest count of its preferred COUNT signal; "
        "descending (largest first) by default. Trends without one sort lowest.",
        "FORECAST_GROWTH": "The primary signal's forecast growth over the horizon; "
        "descending (fastest first) by default. Trends without one sort lowest.",
    },
)

DEFAULT_DESCENDING = {
    DomainTrendOrderField.GROWTH: True,
    DomainTrendOrderField.NAME: False,
    DomainTrendOrderField.UPDATED_AT: True,
    DomainTrendOrderField.STATUS: True,
    DomainTrendOrderField.VOLUME: True,
    DomainTrendOrderField.FORECAST_GROWTH: True,
}
"""Each order field's default direction, as its description says."""


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Ascending: smallest, earliest or A first.")
    DESC = strawberry.enum_value("DESC", description="Descending: largest, latest or Z first.")
