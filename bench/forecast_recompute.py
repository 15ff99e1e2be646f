"""The bulk recompute of ``python -m bench.forecast``: N trends, while reads are served."""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.settings import Settings
from app.storage.database import Database
from app.storage.embedded import EmbeddedMongo
from app.storage.forecast_worker import recompute_all
from app.storage.repositories.category_writes import CategoryWriter
from schema.context import Context
from schema.root import schema
from seeds.loader import DATA_DIR, parse_seed_file
from seeds.synthetic.generator import generate
from seeds.synthetic.loader import load_synthetic

TREND_PAGE = """query($slug: String!) { trend(slug: $slug) {
  name growth { label percent } category { name } related(first: 5) { name }
  forecast { outlook confidence points { date value lower80 upper80 } backtest { mase } }
  forecastUnavailable { reason } } }"""


@dataclass
class Reads:
    count: int = 0
    latencies: list[float] | None = None

    def median_ms(self) -> float:
        return statistics.median(self.latencies or [0.0]) * 1000


@dataclass
class RecomputeResult:
    signals: int
    """Signals recomputed (every signal of every trend)."""
    seconds: float
    processes: int
    reads_before: Reads
    reads_before_seconds: float
    reads_during: Reads
    forecasts: int
    unavailable: int
    worker_cpu_seconds: float
    trends: int = 0
    primaries: int = 0
    """Trends' primary signals (done first): the trends' own forecasts."""
    primaries_seconds: float = 0.0
    """When the last chunk holding a primary signal was stored."""
    """CPU time of the fitting processes (start-up and imports included)."""


async def _read_until(
    database: Database, slugs: list[str], stop: asyncio.Event, reads: Reads
) -> None:
    settings = Settings(database="bench")
    reads.latencies = []
    index = 0
    while not stop.is_set():
        context = Context.create(database, settings)
        started = time.perf_counter()
        result = await schema.execute(
            TREND_PAGE, variable_values={"slug": slugs[index % len(slugs)]}, context_value=context
        )
        reads.latencies.append(time.perf_counter() - started)
        assert result.errors is None, result.errors
        reads.count += 1
        index += 1
        await asyncio.sleep(0)


async def _run(uri: str, trends: int, processes: int) -> RecomputeResult:
    database = Database.connect(uri, "bench")
    await database.ensure_indexes()
    taxonomy = parse_seed_file(DATA_DIR / "taxonomy.json").categories
    await CategoryWriter(database).upsert(taxonomy)
    generated = generate(trends, 11, date(2026, 11, 29), taxonomy)
    await load_synthetic(database, generated)
    slugs = [trend.spec.slug for trend in generated[:500]]

    before, stop = Reads(), asyncio.Event()
    reader = asyncio.create_task(_read_until(database, slugs, stop, before))
    await asyncio.sleep(5.0)
    stop.set()
    await reader

    during, stop = Reads(), asyncio.Event()
    spawn = multiprocessing.get_context("spawn")
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with ProcessPoolExecutor(processes, mp_context=spawn) as pool:
        reader = asyncio.create_task(_read_until(database, slugs, stop, during))
        primaries = await database.trend_series.count_documents({"primary": True})
        primaries_seconds = 0.0
        started = time.perf_counter()

        def progress(count: int) -> None:
            nonlocal primaries_seconds
            if count >= primaries and not primaries_seconds:
                primaries_seconds = time.perf_counter() - started

        done = await recompute_all(database, pool, progress)
        seconds = time.perf_counter() - started
        stop.set()
        await reader
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's processes, reaped
    worker_cpu = (children.ru_utime + children.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    unavailable = await database.forecasts.count_documents({"unavailable": {"$exists": True}})
    await database.close()
    return RecomputeResult(
        done,
        seconds,
        processes,
        before,
        5.0,
        during,
        done - unavailable,
        unavailable,
        worker_cpu,
        trends,
        primaries,
        primaries_seconds,
    )


def run_recompute(trends: int, processes: int, folder: Path) -> RecomputeResult:
    with EmbeddedMongo(folder / "data") as server:
        return asyncio.run(_run(server.uri, trends, processes))
