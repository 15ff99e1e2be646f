"""Storage migrations that run themselves when the database is opened (idempotent).

``series_to_signals``: before signals, ``trend_series`` held one document per trend, its
``_id`` the trend's ``_id``, with a free-text ``source`` and no region or unit. Each such
document becomes the trend's ``search-interest`` signal in ``WORLD``, unit ``INDEX`` (what
every series was: the API's default source, a relative index), keeping its ``_id``, points
and version, with its derived fields computed; the former source text is kept as
``legacySource``, and the trend lists the signal in ``signalKeys``. Each document is rewritten
by one conditional ``replace_one`` (only while it still lacks ``trendId``), so a migration
interrupted half-way, or run by two processes at once, finishes cleanly on the next start.
It runs before the indexes are built: the unique signal index would refuse several
documents that all lack ``trendId``.
"""

from __future__ import annotations

import logging
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from app.domain.regions import WORLD
from app.domain.series import DEFAULT_SOURCE, SeriesPoint
from app.domain.signals import SignalKey, SignalUnit
from app.storage.repositories.series import series_document
from app.storage.repositories.signal_trends import signal_key_text

logger = logging.getLogger(__name__)

LEGACY_SERIES = {"trendId": {"$exists": False}}
MIGRATED_KEY = signal_key_text(SignalKey(DEFAULT_SOURCE, WORLD))


async def series_to_signals(
    trend_series: AsyncCollection[dict[str, Any]], trends: AsyncCollection[dict[str, Any]]
) -> int:
    """Rewrite every legacy series document as a signal; how many were rewritten."""
    migrated = 0
    async for legacy in trend_series.find(LEGACY_SERIES):
        points = [
            SeriesPoint(point["date"].date(), point["value"]) for point in legacy.get("points", [])
        ]
        document = series_document(
            DEFAULT_SOURCE,
            points,
            int(legacy.get("version", 1)),
            region=WORLD,
            unit=SignalUnit.INDEX,
        )
        document["trendId"] = legacy["_id"]
        document["primary"] = True  # the trend's only signal
        document["legacySource"] = legacy.get("source")
        result = await trend_series.replace_one({"_id": legacy["_id"], **LEGACY_SERIES}, document)
        # The trend's list of signals (for filters): not a change of the trend's content.
        await trends.update_one(
            {"_id": legacy["_id"]},
            {"$addToSet": {"signalKeys": MIGRATED_KEY}, "$set": {"growthSource": MIGRATED_KEY}},
        )
        migrated += result.modified_count
    if migrated:
        logger.info("migrated %d series to %s/INDEX signals", migrated, MIGRATED_KEY)
    return migrated
