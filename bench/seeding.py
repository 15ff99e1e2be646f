"""S4: seeding through the API (``python -m seeds --via-api``) against a raw ``insert_many``.

Both write the same synthetic trends into empty databases; the figure is documents per
second, wall clock, from the client's side.
"""

from __future__ import annotations

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

from app.auth import hash_key
from app.embedded import free_port
from app.repositories.trend_writes import new_trend_document
from bench.harness import Server
from seeds.loader import DATA_DIR, parse_seed_file
from seeds.synthetic.generator import generate

API_KEY = "bench-seeding-key"
END = date(2026, 11, 22)


@dataclass
class SeedingResult:
    documents: int
    api_seconds: float
    raw_seconds: float

    @property
    def api_rate(self) -> float:
        return self.documents / self.api_seconds

    @property
    def raw_rate(self) -> float:
        return self.documents / self.raw_seconds


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
        client.drop_database("bench_s4")
        client.drop_database("bench_s4_raw")
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
        with Server("app.asgi:create_app", port, env, workers=workers):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "seeds", "--via-api", f"http://127.0.0.1:{port}/graphql",
                 "--api-key", API_KEY, "--batch-size", "200", "--concurrency", str(concurrency),
                 str(seed_file)],
                env=run_env, check=True, capture_output=True,
            )  # fmt: skip
            api_seconds = time.perf_counter() - started
        stored = client["bench_s4"]["trends"].count_documents({})
        assert stored == count, f"seeding stored {stored} of {count} trends"

        moment = datetime.now(UTC)
        ids = {spec.slug: ObjectId() for spec in trends}
        documents = [
            new_trend_document(spec, ids[spec.slug], [ids[s] for s in spec.related], moment)
            for spec in trends
        ]
        started = time.perf_counter()
        client["bench_s4_raw"]["trends"].insert_many(documents)
        raw_seconds = time.perf_counter() - started
        return SeedingResult(count, api_seconds, raw_seconds)
    finally:
        client.drop_database("bench_s4")
        client.drop_database("bench_s4_raw")
        client.close()
