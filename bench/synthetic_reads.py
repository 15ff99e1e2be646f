"""Time typical reads against a database loaded by ``python -m seeds.synthetic``.

    TRENDGRAPH_DATA_DIR=... .venv/bin/python bench/synthetic_reads.py

Prints, per query, the median wall time of 5 runs and the database commands it issued.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from app.settings import get_settings
from app.storage.command_stats import count_commands
from app.storage.database import open_database
from schema.context import Context
from schema.root import schema

QUERIES = {
    "page of 50 + related(5)": """{ trends(first: 50) { edges { node {
        slug related(first: 5) { slug } } } } }""",
    "page of 50 + series": """{ trends(first: 50) { edges { node { series { value } } } } }""",
    "page of 50 by STATUS": """{ trends(first: 50, orderBy: {field: STATUS}) {
        edges { node { slug status } } } }""",
    "searchTrends 'generative'": """{ searchTrends(query: "generative") { slug } }""",
    "searchTrends 'real time analytics'": """{ searchTrends(query: "real time analytics") {
        slug } }""",
    "searchTrends 'e' (broad prefix)": """{ searchTrends(query: "e") { slug } }""",
}


async def main() -> None:
    settings = get_settings()
    async with open_database(settings) as database:
        print(f"trends: {await database.trends.estimated_document_count()}")
        for label, query in QUERIES.items():
            timings = []
            for _ in range(5):
                context = Context.create(database, settings)
                with count_commands(context.command_stats) as stats:
                    started = time.perf_counter()
                    result = await schema.execute(query, context_value=context)
                    timings.append(time.perf_counter() - started)
                assert result.errors is None, result.errors
            median_ms = statistics.median(timings) * 1000
            print(f"{label:40s} {median_ms:8.1f} ms  {dict(stats.by_name)}")


if __name__ == "__main__":
    asyncio.run(main())
