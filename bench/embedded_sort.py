"""``python -m bench.embedded_sort``: why a sorted page costs the same at any page size on the
embedded server, reproduced against SecantusDB alone (no API, no GraphQL).

For each collection size it seeds that many synthetic trends into a fresh embedded server
(``python -m seeds.synthetic``, which also creates the API's indexes), then times the
leaderboard's read (``find({}).sort(growth.THREE_MONTHS.percent -1, _id -1).limit(n)``)
with the list projection, at several page sizes: as the API sent it before, with a
``hint`` naming the index, without the index, and bounded by a range on the indexed sort
value (``{percent: {$gte: t}}``, ``t`` the value of the page's last trend), which is what
:mod:`app.storage.repositories.sort_bounds` sends. ``explain`` shows each plan.

What it shows (see docs/reads.md): the server reads every document the plan's first
stage yields before it applies the limit. With an empty filter, the sort walks the whole
index (or scans the collection) and decodes every trend, so the cost follows the
collection size, whatever the page size, index or hint; a range on the indexed value
narrows the walk to the trends in range, so the cost follows the page size instead.
Wall-clock figures: the median of ``--repeat`` runs, on a machine others share.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from pymongo import MongoClient
from pymongo.collection import Collection

from app.storage.database import Database
from app.storage.embedded import EmbeddedMongo
from app.storage.repositories import TrendFilter, TrendOrder, TrendOrderField, TrendRepository
from app.storage.repositories.trends import WITHOUT_ANALYSES

DATABASE = "bench_sort"
PATH = "growth.THREE_MONTHS.percent"
INDEX = f"{PATH}_-1__id_-1"
SORT = [(PATH, -1), ("_id", -1)]

Document = dict[str, Any]


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm the server's caches
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _plan(trends: Collection[Document], query: Document, hint: str | None = None) -> str:
    cursor = trends.find(query, WITHOUT_ANALYSES).sort(SORT).limit(51)
    if hint:
        cursor = cursor.hint(hint)
    winning = cursor.explain().get("queryPlanner", {}).get("winningPlan", {})
    stages = []
    while winning:
        stages.append(winning.get("stage", "?"))
        winning = winning.get("inputStage", {})
    return ">".join(stages)


def _measure(uri: str, count: int, limits: list[int], repeat: int) -> None:
    client: MongoClient[Document] = MongoClient(uri)
    trends = client[DATABASE].trends

    def page(query: Document, limit: int, hint: str | None = None) -> Callable[[], object]:
        def run() -> list[Document]:
            cursor = trends.find(query, WITHOUT_ANALYSES).sort(SORT).limit(limit)
            return list(cursor.hint(hint) if hint else cursor)

        return run

    def bound(limit: int) -> Document:
        last = list(trends.find({}, {PATH: 1}).sort(SORT).limit(limit))[-1]
        return {PATH: {"$gte": last["growth"]["THREE_MONTHS"]["percent"]}}

    rows = []
    for limit in limits:
        rows.append(("index, no hint", limit, _median_ms(page({}, limit), repeat)))
        rows.append(("index, hint", limit, _median_ms(page({}, limit, INDEX), repeat)))
        rows.append(("range on sort value", limit, _median_ms(page(bound(limit), limit), repeat)))
    slug = trends.find_one({}, {"slug": 1})["slug"]  # type: ignore[index]
    lookup = _median_ms(lambda: trends.find_one({"slug": slug}), repeat)
    plans = {
        "no hint": _plan(trends, {}),
        "hint": _plan(trends, {}, INDEX),
        "range": _plan(trends, bound(51)),
    }
    for bounds in (False, True):
        label = f"API page read, bounds {'on' if bounds else 'off'}"
        rows.append((label, 51, asyncio.run(_api_page_ms(uri, bounds, repeat))))
    trends.drop_index(INDEX)
    for limit in limits:
        rows.append(("no index", limit, _median_ms(page({}, limit), repeat)))
    plans["no index"] = _plan(trends, {})
    client.close()
    print(f"\n{count:,} trends (a lookup by slug: {lookup:.1f} ms); plans: {plans}")
    for label, limit, ms in rows:
        print(f"  {label:22s} limit {limit:4d}: {ms:8.1f} ms")


async def _api_page_ms(uri: str, sort_bounds: bool, repeat: int) -> float:
    """The leaderboard's read as the API makes it (``TrendRepository.page``, first 50)."""
    database = Database.connect(uri, DATABASE, sort_bounds=sort_bounds)
    repository = TrendRepository(database)
    order = TrendOrder(TrendOrderField.GROWTH, descending=True)
    try:
        timings = []
        for _ in range(repeat + 1):  # the first read learns the bound
            started = time.perf_counter()
            await repository.page(TrendFilter(), order, first=50, with_analyses=False)
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings[1:])
    finally:
        await database.close()


def main(
    counts: Annotated[
        list[int] | None, typer.Option("--count", help="Trends (repeatable).")
    ] = None,
    limit: Annotated[list[int] | None, typer.Option(help="Page sizes (repeatable).")] = None,
    repeat: Annotated[int, typer.Option(min=1, help="Timed runs per row (median).")] = 5,
) -> None:
    """Time the leaderboard's sorted page read on the embedded server, several ways."""
    for count in counts or [500, 2_000, 10_000]:
        folder = Path(tempfile.mkdtemp(prefix="trendgraph-sort-"))
        server = EmbeddedMongo(folder / "data")
        uri = server.start()
        try:
            subprocess.run(
                [sys.executable, "-m", "seeds.synthetic", "--count", str(count), "--seed", "7"],
                env={**os.environ, "TRENDGRAPH_MONGODB_URI": uri, "TRENDGRAPH_DATABASE": DATABASE},
                check=True,
                capture_output=True,
            )
            _measure(uri, count, limit or [1, 10, 51, 101], repeat)
        finally:
            server.stop()
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
