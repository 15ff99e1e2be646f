"""The Relay connection over trends."""

from __future__ import annotations

import strawberry
from strawberry import relay

from app import repositories
from app.context import Info
from schema.trend import Trend


@strawberry.type(description="A page of trends (Relay cursor connection).")
class TrendConnection(relay.Connection[Trend]):
    trend_filter: strawberry.Private[repositories.TrendFilter]

    @strawberry.field(
        description="How many trends match the filter across all pages. Costs a count query: "
        "select it only where it is shown."
    )
    async def total_count(self, info: Info) -> int:
        return await info.context.trends.count(self.trend_filter)
