"""``searchTrends``: find trends by name, alias, tag or description."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.domain import models, search
from app.storage.repositories.stored import StoredDocumentError
from schema.context import Info
from schema.errors import BadUserInputError
from schema.reads import trend_fields
from schema.trend import Trend

MAX_RESULTS = 50


@strawberry.type
class TrendSearchQuery:
    @strawberry.field(
        description="Trends matching every word of `query` (as a word or the start of one), "
        "ignoring case, accents and word order. Ranked: exact name, exact alias, name words, "
        "alias words, tags, description, then matches spread over several of these; by name "
        "within a rank. A query without letters or digits finds nothing.",
        graphql_type=list[Trend],
    )
    async def search_trends(
        self,
        info: Info,
        query: Annotated[
            str,
            strawberry.argument(
                description=f"Words to look for, at most {search.MAX_QUERY_LENGTH} characters."
            ),
        ],
        first: Annotated[
            int | None,
            strawberry.argument(description=f"How many trends, 1 to {MAX_RESULTS}; 10 by default."),
        ] = 10,
    ) -> list[Trend | StoredDocumentError]:
        limit = 10 if first is None else first
        if not 1 <= limit <= MAX_RESULTS:
            raise BadUserInputError(
                f"first must be between 1 and {MAX_RESULTS}, got {limit}", argument="first"
            )
        if len(query) > search.MAX_QUERY_LENGTH:
            raise BadUserInputError(
                f"query is longer than {search.MAX_QUERY_LENGTH} characters", argument="query"
            )
        parsed = search.SearchQuery.parse(query)
        candidates = await info.context.search.candidates(parsed, trend_fields(info))
        # A trend whose document cannot be read ranks by the text it stores and answers
        # with its error, which graphql-core raises at ["searchTrends", i].
        return [
            Trend.from_model(trend) if isinstance(trend, models.Trend) else trend.error
            for trend in search.rank(parsed, candidates, limit)
        ]
