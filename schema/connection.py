"""The Relay connection over trends."""

from __future__ import annotations

import strawberry
from strawberry import relay

from app.storage import repositories
from app.storage.repositories.trends import TrendPage
from schema.context import Info
from schema.plans import direct
from schema.trend import Trend


@direct
def _encoded_cursor(self: TrendEdge) -> str:
    return self.page.cursor(self.index)


@strawberry.type(description="An edge in a connection.")
class TrendEdge:
    """relay.Edge's fields, with the cursor encoded only when it is selected."""

    cursor: str = strawberry.field(
        resolver=_encoded_cursor, description="A cursor for use in pagination"
    )
    node: Trend = strawberry.field(description="The item at the end of the edge")
    page: strawberry.Private[TrendPage]
    index: strawberry.Private[int]


@strawberry.type(description="A page of trends (Relay cursor connection).")
class TrendConnection(relay.Connection[Trend]):
    # Edges encode their cursor when it is selected, not for every trend of every page.
    edges: list[TrendEdge] = strawberry.field(  # type: ignore[assignment]
        description="Contains the nodes in this connection"
    )
    trend_filter: strawberry.Private[repositories.TrendFilter]

    @strawberry.field(
        description="How many trends match the filter across all pages. Costs a count query: "
        "select it only where it is shown."
    )
    async def total_count(self, info: Info) -> int:
        return await info.context.trends.count(self.trend_filter)
