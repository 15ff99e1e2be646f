"""The indexes reads rely on, and the storage migrations that run before they are built.

:meth:`app.storage.database.Database.ensure_indexes` runs :func:`ensure_indexes` whenever the
database is opened (every command and the server), so both must be idempotent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pymongo import ASCENDING, DESCENDING, IndexModel

from app.domain.models import GrowthWindowKey
from app.storage.migrations import series_to_signals

if TYPE_CHECKING:
    from app.storage.database import Database


async def ensure_indexes(database: Database) -> None:
    """Run the storage migrations, then create the indexes reads rely on; idempotent."""
    await series_to_signals(database.trend_series, database.trends)
    growth_indexes = [
        IndexModel([(f"growth.{key.value}.percent", DESCENDING), ("_id", DESCENDING)])
        for key in GrowthWindowKey
    ]
    rising_indexes = [  # Category.rising
        IndexModel(
            [
                ("category", ASCENDING),
                (f"growth.{key.value}.percent", DESCENDING),
                ("_id", DESCENDING),
            ]
        )
        for key in GrowthWindowKey
    ]
    await database.trends.create_indexes(
        [
            IndexModel([("slug", ASCENDING)], unique=True),
            IndexModel([("aliasSlugs", ASCENDING)]),
            IndexModel([("category", ASCENDING)]),
            IndexModel([("tags", ASCENDING)]),
            IndexModel([("status", ASCENDING)]),
            IndexModel([("statusRank", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("searchCanons", ASCENDING)]),  # exact name/alias search
            IndexModel([("searchTerms", ASCENDING)]),  # prefix search, one word each
            IndexModel([("nameKey", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("updatedAt", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("signalKeys", ASCENDING)]),  # filters by source and region
            IndexModel([("volume", DESCENDING), ("_id", DESCENDING)]),
            *growth_indexes,
            IndexModel([("forecast.outlook", ASCENDING)]),
            IndexModel([("forecast.growthPercent", DESCENDING), ("_id", DESCENDING)]),
            *rising_indexes,
        ]
    )
    await database.categories.create_indexes([IndexModel([("slug", ASCENDING)], unique=True)])
    # Lists ordered by one signal's growth or volume (signal_pages.py).
    signal_order_indexes = [
        IndexModel(
            [
                ("source", ASCENDING),
                ("region", ASCENDING),
                (f"growth.{key.value}.percent", DESCENDING),
                ("_id", DESCENDING),
            ]
        )
        for key in GrowthWindowKey
    ]
    signal_order_indexes.append(
        IndexModel(
            [
                ("source", ASCENDING),
                ("region", ASCENDING),
                ("unit", ASCENDING),
                ("latest.value", DESCENDING),
                ("_id", DESCENDING),
            ]
        )
    )
    await database.trend_series.create_indexes(
        [
            IndexModel(
                [("trendId", ASCENDING), ("source", ASCENDING), ("region", ASCENDING)],
                unique=True,
            ),
            IndexModel([("source", ASCENDING), ("region", ASCENDING), ("trendId", ASCENDING)]),
            IndexModel([("primary", ASCENDING)]),  # co-movement candidates
            *signal_order_indexes,
        ]
    )
    # APQ registrations carry expiresAt; allow-listed queries have none and stay.
    await database.persisted_queries.create_indexes(
        [IndexModel([("expiresAt", ASCENDING)], expireAfterSeconds=0)]
    )
    # Shared rate-limit buckets go once they would be full again.
    await database.rate_limits.create_indexes(
        [IndexModel([("expiresAt", ASCENDING)], expireAfterSeconds=0)]
    )
    await database.watchlists.create_indexes(
        [IndexModel([("owner", ASCENDING), ("_id", ASCENDING)])]
    )
    await database.alert_rules.create_indexes(
        [
            IndexModel([("owner", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("target.watchlistId", ASCENDING)]),
        ]
    )
    await database.alert_outbox.create_indexes(
        [
            IndexModel([("status", ASCENDING), ("nextAttemptAt", ASCENDING)]),
            IndexModel([("ruleId", ASCENDING), ("createdAt", DESCENDING)]),
        ]
    )
    await database.alert_deliveries.create_indexes(
        [IndexModel([("ruleId", ASCENDING), ("attemptedAt", DESCENDING)])]
    )
