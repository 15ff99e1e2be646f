"""S4: seeding through the API (``python -m seeds --via-api``) against a raw ``insert_many``.

Both write the same synthetic trends into empty databases; the figure is documents per
second, wall clock, from the client's side. The baseline inserts into a collection with
the API's indexes (``Database.ensure_indexes``): maintaining them is most of what the
database does, and the API cannot skip it. A raw insert into a collection without indexes
is printed for reference.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
from bson import ObjectId
from pymongo import MongoClient

from app.domain.keys import hash_key
from app.storage.database import Database
from app.storage.embedded import free_port
from app.storage.repositories.trend_content import new_trend_document
from bench.harness import Server, cpu_seconds
from seeds.loader import DATA_DIR, parse_seed_file
from seeds.synthetic.generator import generate

API_KEY = "bench-seeding-key"
END = date(2026, 11, 22)


@dataclass
class SeedingResult:
    documents: int
    api_seconds: float
    api_cpu_seconds: float
    """CPU time of the API's server processes while seeding."""
    raw_seconds: float
    """``insert_many`` into a collection with the API's indexes: the baseline."""
    bare_seconds: float
    """``insert_many`` into a collection without indexes, for reference."""

    @property
    def api_rate(self) -> float:
        return self.documents / self.api_seconds

    @property
    def raw_rate(self) -> float:
        return self.documents / self.raw_seconds

    @property
    def bare_rate(self) -> float:
        return self.documents / self.bare_seconds

    @property
    def api_cpu_ms_per_document(self) -> float:
        return self.api_cpu_seconds * 1000 / self.documents


async def _create_indexes(uri: str, database: str) -> None:
    target = Database.connect(uri, database)
    try:
        await target.ensure_indexes()
    finally:
        await target.close()


def run_seeding(
    uri: str, count: int, folder: Path, workers: int, *, concurrency: int = 1
) -> SeedingResult:
    taxonomy = parse_seed_file(DATA_DIR / "taxonomy.json").categories
    trends = [synthetic.spec for synthetic in generate(count, 11, END, taxonomy)]
    seed_file = folder / "s4-trends.json"
    seed_file.write_bytes(
        orjson.dumps({"trends": [spec.model_dump(by_alias=True, mode="json") for spec in trends]})
    )
    client: MongoClient[dict[str, object]] = MongoClient(uri)
    try:
        for database in ("bench_s4", "bench_s4_raw", "bench_s4_bare"):
            client.drop_database(database)
        env = {
            "TRENDGRAPH_MONGODB_URI": uri,
            "TRENDGRAPH_DATABASE": "bench_s4",
            "TRENDGRAPH_API_KEY_HASHES": hash_key(API_KEY),
            "TRENDGRAPH_RATE_LIMIT_ENABLED": "false",
            "TRENDGRAPH_LOG_LEVEL": "WARNING",
        }
        run_env = {**os.environ, **env}
        subprocess.run(
            [sys.executable, "-m", "seeds", str(DATA_DIR / "taxonomy.json")],
            env=run_env, check=True, capture_output=True,
        )  # fmt: skip
        port = free_port()
        with Server("app.web.asgi:create_app", port, env, workers=workers) as server:
            pids = server.pids()
            cpu_before = cpu_seconds(pids)
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "seeds", "--via-api", f"http://127.0.0.1:{port}/graphql",
                 "--api-key", API_KEY, "--batch-size", "200", "--concurrency", str(concurrency),
                 str(seed_file)],
                env=run_env, check=True, capture_output=True,
            )  # fmt: skip
            api_seconds = time.perf_counter() - started
            api_cpu = cpu_seconds(pids) - cpu_before
        stored = client["bench_s4"]["trends"].count_documents({})
        assert stored == count, f"seeding stored {stored} of {count} trends"

        moment = datetime.now(UTC)
        ids = {spec.slug: ObjectId() for spec in trends}
        asyncio.run(_create_indexes(uri, "bench_s4_raw"))
        documents = [
            new_trend_document(spec, ids[spec.slug], [ids[s] for s in spec.related], moment)
            for spec in trends
        ]
        seconds = {}
        for database in ("bench_s4_raw", "bench_s4_bare"):
            started = time.perf_counter()
            client[database]["trends"].insert_many(documents)
            seconds[database] = time.perf_counter() - started
        return SeedingResult(
            count, api_seconds, api_cpu, seconds["bench_s4_raw"], seconds["bench_s4_bare"]
        )
    finally:
        for database in ("bench_s4", "bench_s4_raw", "bench_s4_bare"):
            client.drop_database(database)
        client.close()
