"""Test data built through the same repository the seeds use."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.models import CategorySpec, GrowthWindow, GrowthWindowKey, TrendSpec, TrendStatus
from app.storage.database import Database
from app.storage.repositories.category_writes import CategoryWriter
from app.storage.repositories.trend_writes import TrendWriter
from app.storage.repositories.writes import UpsertReport

CATEGORIES = [
    CategorySpec(slug="tech", name="Tech"),
    CategorySpec(slug="food", name="Food", parent=None),
    CategorySpec(slug="ai", name="AI", parent="tech"),
]
STATUSES = [TrendStatus.EXPLODING, TrendStatus.REGULAR, TrendStatus.PEAKED]


async def upsert_categories(database: Database, specs: Sequence[CategorySpec]) -> UpsertReport:
    """What the one category upsert (:meth:`CategoryWriter.upsert`) did, by slug."""
    return UpsertReport.of(await CategoryWriter(database).upsert(specs))


async def upsert_trends(database: Database, specs: Sequence[TrendSpec]) -> UpsertReport:
    """What the one trend upsert (:meth:`TrendWriter.upsert`) did, by slug."""
    return UpsertReport.of(await TrendWriter(database).upsert(specs))


def trend_spec(index: int, *, related: list[str] | None = None) -> TrendSpec:
    """Trend ``t-NN``: growth values repeat every 4 trends (ties), some windows missing."""
    growth = [GrowthWindow(window=GrowthWindowKey.THREE_MONTHS, percent=float(index % 4 * 10))]
    if index % 3:
        growth.append(GrowthWindow(window=GrowthWindowKey.ONE_YEAR, percent=float(index)))
    return TrendSpec(
        slug=f"t-{index:02d}",
        name=f"Trend {index:02d}",
        category=["tech", "food", "ai"][index % 3],
        tags=["even" if index % 2 == 0 else "odd", *(["five"] if index % 5 == 0 else [])],
        status=STATUSES[index % 3],
        growth=growth,
        related=related or [],
    )


async def make_trends(database: Database, count: int, *, related_per_trend: int = 0) -> None:
    """Categories plus ``count`` trends, each linked to the next ``related_per_trend`` ones."""
    await upsert_categories(database, CATEGORIES)
    specs = [
        trend_spec(
            index,
            related=[
                f"t-{(index + step) % count:02d}"
                for step in range(1, related_per_trend + 1)
                if (index + step) % count != index
            ],
        )
        for index in range(count)
    ]
    await upsert_trends(database, specs)
