"""What the operation guards decided about a request, as typed values.

The guards (``schema.guards``) and the permission classes record their decisions on the
request's context; none of them knows about HTTP. The GraphQL view turns the decisions into
a status code and headers (``app.web.http_decisions``), and a WebSocket simply ignores them.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.storage.ratelimit import RateDecision


@dataclass(frozen=True, slots=True)
class CostDecision:
    """The operation's cost against the per-request maximum."""

    cost: int
    """What the operation asks for (reported in ``extensions.cost``)."""
    limited_cost: int
    """What counts against the limits (a key holder's bulk write counts as one item)."""
    maximum: int

    @property
    def allowed(self) -> bool:
        return self.limited_cost <= self.maximum


@dataclass(frozen=True, slots=True)
class DatabaseUnavailable:
    """The database cannot be reached: try again after ``retry_after_seconds``."""

    retry_after_seconds: int


@dataclass(frozen=True, slots=True)
class CacheDecision:
    """Whether an anonymous query was answered from the response cache."""

    hit: bool


@dataclass(frozen=True, slots=True)
class Unauthenticated:
    """A field needed an API key the request did not carry."""

    realm: str = "trendgraph"


@dataclass(frozen=True, slots=True)
class Forbidden:
    """The request's API key lacks the scope a field needs."""

    scope: str


OperationDecision = (
    CostDecision | DatabaseUnavailable | RateDecision | CacheDecision | Unauthenticated | Forbidden
)
"""Every kind of decision a guard records; ``RateDecision`` comes from the rate limiter."""

__all__ = [
    "CacheDecision",
    "CostDecision",
    "DatabaseUnavailable",
    "Forbidden",
    "OperationDecision",
    "RateDecision",
    "Unauthenticated",
]
