"""The demo dataset: the shipped seeds (the Asyncio trend, the taxonomy) plus a few hundred
synthetic trends with five years of weekly series.

Serving loads it into an empty database, so a fresh clone answers every README example with
real-looking results; ``python -m app reset-demo`` empties the database and loads it again.
Synthetic trends say so in their description and in their analyses' provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.storage.database import Database
from seeds.loader import default_seed_files, load_seed_files, parse_seed_file, taxonomy_file
from seeds.synthetic.generator import generate
from seeds.synthetic.loader import load_synthetic

DEMO_SYNTHETIC_COUNT = 300
DEMO_SYNTHETIC_SEED = 1
"""The demo's synthetic trends: the same names and shapes on every machine."""
DEMO_COLLECTIONS = ("trends", "trend_series", "categories")
"""What a reset empties; persisted queries (an allow-list someone registered) are kept."""


def last_sunday(today: date | None = None) -> date:
    """The end of every demo series: the last Sunday (UTC), so the data looks current."""
    today = today or datetime.now(UTC).date()
    return today - timedelta(days=(today.weekday() + 1) % 7)


@dataclass(frozen=True, slots=True)
class DemoReport:
    seeded_trends: int
    synthetic_trends: int
    categories: int

    def describe(self) -> str:
        return (
            f"{self.seeded_trends} seeded trend(s), {self.synthetic_trends} synthetic trends "
            f"with five years of weekly series, {self.categories} categories"
        )


async def load_demo(
    database: Database, *, count: int = DEMO_SYNTHETIC_COUNT, end: date | None = None
) -> DemoReport:
    """Load the shipped seeds, then ``count`` synthetic trends, into ``database``.

    Meant for a database without trends: synthetic slugs already in use refuse the load
    (:class:`seeds.synthetic.loader.SlugTakenError`) before the synthetic part is written.
    """
    report = await load_seed_files(database, default_seed_files())
    taxonomy = parse_seed_file(taxonomy_file()).categories
    trends = generate(count, DEMO_SYNTHETIC_SEED, end or last_sunday(), taxonomy)
    await load_synthetic(database, trends)
    seeded = len(report.trends.inserted) + len(report.trends.updated) + len(report.trends.unchanged)
    return DemoReport(seeded, len(trends), await database.categories.count_documents({}))


async def reset_demo(
    database: Database, *, count: int = DEMO_SYNTHETIC_COUNT, end: date | None = None
) -> DemoReport:
    """Empty the trends, their series and the categories, then load the demo dataset."""
    for name in DEMO_COLLECTIONS:
        await database.db[name].delete_many({})
    return await load_demo(database, count=count, end=end)
