"""``python -m bench.alerts``: the cost of alert rules while trends are seeded.

A. **Evaluation rate.** The evaluator (``app/alerts/evaluator.py``) runs in this process on
   the change stream while another thread seeds ``--trends`` synthetic trends with
   ``insert_many`` (batches of 200). Figures: trend writes evaluated per second, rule
   evaluations per second, alerts stored, and the evaluator's CPU per write (this
   process's event-loop thread). Baseline in the same run: the same seeding with no rules.

B. **Extra API CPU per write.** The API (one uvicorn worker) seeds the same trends through
   ``python -m seeds --via-api`` with ``TRENDGRAPH_ALERTS_ENABLED=false`` (the baseline) and
   ``true``, ``--rules`` rules stored in both runs; the API's CPU time from the first write
   until its evaluator has recorded every trend and its deliverer has tried every alert
   once, per write. Webhooks point at a closed local port: each alert costs one refused
   connection attempt (and its bookkeeping).

Both use a fresh database on the embedded server (or ``TRENDGRAPH_BENCH_MONGODB_URI``).
Wall-clock figures are noisy on a shared machine; CPU per write is the steadier figure.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from bson import ObjectId
from pymongo import MongoClient

from app.alerts.evaluator import AlertEvaluator, running
from app.domain.keys import hash_key
from app.domain.models import TrendSpec
from app.storage.database import Database
from app.storage.embedded import EmbeddedMongo, free_port
from app.storage.repositories.trend_content import new_trend_document
from bench.harness import Server, cpu_seconds
from seeds.loader import DATA_DIR, parse_seed_file
from seeds.synthetic.generator import generate

END = date(2026, 11, 22)
API_KEY = "bench-alerts-key"
WEBHOOK = "http://127.0.0.1:9/hook"  # the discard port: nothing listens, refused at once
DATABASE = "bench_alerts"
app = typer.Typer(add_completion=False)


def rule_documents(
    specs: list[TrendSpec], count: int, seed: int = 5
) -> tuple[list[Any], list[Any]]:
    """``count`` rules of every kind and target, and the watchlists some of them target."""
    rng = random.Random(seed)
    categories = sorted({spec.category for spec in specs if spec.category})
    slugs = [spec.slug for spec in specs]
    watchlists = [
        {"_id": ObjectId(), "owner": f"owner-{index % 10}", "name": f"w{index}",
         "slugs": rng.sample(slugs, 50), "createdAt": datetime.now(UTC),
         "updatedAt": datetime.now(UTC)}
        for index in range(max(1, count // 50))
    ]  # fmt: skip
    rules = []
    for index in range(count):
        # Mostly what analysts follow (a trend, a watchlist); some category-wide rules, which
        # fire for many trends; 1 % NEW_TREND_IN_CATEGORY, which fires for every new trend
        # of its category (all of them, while seeding).
        share = index % 100
        if share < 40:
            target = {"slug": rng.choice(slugs)}
            condition = {"kind": "GROWTH_ABOVE", "window": "ONE_YEAR",
                         "threshold": rng.uniform(0, 200)}  # fmt: skip
        elif share < 70:
            target = {"watchlistId": str(rng.choice(watchlists)["_id"])}
            condition = {"kind": "GROWTH_ABOVE", "window": "ONE_YEAR",
                         "threshold": rng.uniform(0, 100)}  # fmt: skip
        elif share < 84:
            target = {"slug": rng.choice(slugs)}
            condition = {"kind": "STATUS_BECOMES",
                         "status": rng.choice(["EXPLODING", "PEAKED", "DECLINING"])}  # fmt: skip
        elif share < 94:
            target = {"category": rng.choice(categories)}
            condition = {"kind": "GROWTH_BELOW", "window": "THREE_MONTHS",
                         "threshold": rng.uniform(-50, -20)}  # fmt: skip
        elif share < 99:
            target = {"category": rng.choice(categories)}
            condition = {"kind": "STATUS_BECOMES",
                         "status": rng.choice(["EXPLODING", "PEAKED", "DECLINING"])}  # fmt: skip
        else:
            target = {"category": rng.choice(categories)}
            condition = {"kind": "NEW_TREND_IN_CATEGORY"}
        rules.append(
            {"_id": ObjectId(), "owner": f"owner-{index % 10}", "name": f"rule {index}",
             "target": target, "condition": condition,
             "delivery": {"webhookUrl": WEBHOOK, "secret": "bench-secret-0123456789"},
             "createdAt": datetime.now(UTC)}
        )  # fmt: skip
    return rules, watchlists


def trend_specs(count: int) -> list[TrendSpec]:
    taxonomy = parse_seed_file(DATA_DIR / "taxonomy.json").categories
    return [synthetic.spec for synthetic in generate(count, 11, END, taxonomy)]


def prepare(uri: str, specs: list[TrendSpec], rules: int) -> None:
    """A fresh database with the API's indexes, the taxonomy and ``rules`` rules."""
    client: MongoClient[dict[str, Any]] = MongoClient(uri)
    try:
        client.drop_database(DATABASE)
    finally:
        client.close()

    async def indexes() -> None:
        database = Database.connect(uri, DATABASE)
        try:
            await database.ensure_indexes()
            rule_list, watchlists = rule_documents(specs, rules)
            if rules:
                await database.watchlists.insert_many(watchlists)
                await database.alert_rules.insert_many(rule_list)
        finally:
            await database.close()

    asyncio.run(indexes())
    subprocess.run(
        [sys.executable, "-m", "seeds", str(DATA_DIR / "taxonomy.json")],
        env={**os.environ, "TRENDGRAPH_MONGODB_URI": uri, "TRENDGRAPH_DATABASE": DATABASE,
             "TRENDGRAPH_LOG_LEVEL": "WARNING"},
        check=True, capture_output=True,
    )  # fmt: skip


@dataclass
class EvaluationResult:
    rules: int
    writes: int
    seconds: float
    cpu_seconds: float
    rule_evaluations: int
    alerts: int


def measure_evaluation(uri: str, specs: list[TrendSpec], rules: int) -> EvaluationResult:
    prepare(uri, specs, rules)
    moment = datetime.now(UTC)
    documents = [new_trend_document(spec, ObjectId(), [], moment) for spec in specs]

    def seed() -> None:
        client: MongoClient[dict[str, Any]] = MongoClient(uri)
        try:
            for start in range(0, len(documents), 200):
                client[DATABASE]["trends"].insert_many(documents[start : start + 200])
        finally:
            client.close()

    async def run() -> EvaluationResult:
        database = Database.connect(uri, DATABASE)
        evaluator = AlertEvaluator(database)
        try:
            async with running(evaluator):
                await evaluator.ready.wait()
                cpu_before, started = time.thread_time(), time.perf_counter()
                seeder = threading.Thread(target=seed)
                seeder.start()
                while evaluator.stats.writes < len(documents):  # noqa: ASYNC110 - a counter
                    await asyncio.sleep(0.01)
                seconds = time.perf_counter() - started
                cpu = time.thread_time() - cpu_before
                seeder.join()
        finally:
            await database.close()
        stats = evaluator.stats
        return EvaluationResult(rules, stats.writes, seconds, cpu, stats.rule_evaluations,
                                stats.alerts)  # fmt: skip

    return asyncio.run(run())


@dataclass
class ApiResult:
    alerts_enabled: bool
    writes: int
    cpu_seconds: float
    seconds: float
    alerts: int
    attempts: int

    @property
    def cpu_ms_per_write(self) -> float:
        return self.cpu_seconds * 1000 / self.writes


def measure_api(uri: str, specs: list[TrendSpec], rules: int, *, alerts: bool) -> ApiResult:
    prepare(uri, specs, rules)
    folder = Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    seed_file = folder / "trends.json"
    seed_file.write_bytes(
        orjson.dumps({"trends": [spec.model_dump(by_alias=True, mode="json") for spec in specs]})
    )
    env = {
        "TRENDGRAPH_MONGODB_URI": uri,
        "TRENDGRAPH_DATABASE": DATABASE,
        "TRENDGRAPH_API_KEY_HASHES": hash_key(API_KEY),
        "TRENDGRAPH_RATE_LIMIT_ENABLED": "false",
        "TRENDGRAPH_LOG_LEVEL": "WARNING",
        "TRENDGRAPH_ALERTS_ENABLED": "true" if alerts else "false",
        "TRENDGRAPH_WEBHOOK_ALLOW_PRIVATE": "true",
    }
    port = free_port()
    client: MongoClient[dict[str, Any]] = MongoClient(uri)
    try:
        with Server("app.web.asgi:create_app", port, env, workers=1) as server:
            if alerts:  # the evaluator's first run records the (empty) baseline
                while not client[DATABASE]["alert_state"].find_one({"_id": "baseline:trends"}):
                    time.sleep(0.05)
            pids = server.pids()
            cpu_before, started = cpu_seconds(pids), time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "seeds", "--via-api", f"http://127.0.0.1:{port}/graphql",
                 "--api-key", API_KEY, "--batch-size", "200", str(seed_file)],
                env={**os.environ, **env}, check=True, capture_output=True,
            )  # fmt: skip
            if alerts:  # until the evaluator has seen every write, and each alert was tried
                snapshots = client[DATABASE]["alert_state"]
                while snapshots.count_documents({"type": "trend"}) < len(specs):
                    time.sleep(0.1)
                outbox = client[DATABASE]["alert_outbox"]
                while outbox.count_documents({"attempts": 0}, limit=1):
                    time.sleep(0.1)
            seconds = time.perf_counter() - started
            cpu = cpu_seconds(pids) - cpu_before
        stored = client[DATABASE]["alert_outbox"].count_documents({})
        attempts = client[DATABASE]["alert_deliveries"].count_documents({})
    finally:
        client.close()
    return ApiResult(alerts, len(specs), cpu, seconds, stored, attempts)


@app.command()
def main(
    trends: Annotated[int, typer.Option(min=100, max=100_000, help="Trends to seed.")] = 10_000,
    rules: Annotated[int, typer.Option(min=1, max=100_000, help="Alert rules stored.")] = 1_000,
) -> None:
    """Alerts evaluated per second while seeding, and the extra API CPU per write."""
    external = os.environ.get("TRENDGRAPH_BENCH_MONGODB_URI")
    folder = Path(tempfile.mkdtemp(prefix="bench-alerts-db-"))
    embedded = None if external else EmbeddedMongo(folder / "data")
    uri = external or embedded.start()  # type: ignore[union-attr]
    try:
        specs = trend_specs(trends)
        print(f"A. evaluation while seeding {trends:,} trends (insert_many, batches of 200)")
        print(f"{'rules':>7} {'writes/s':>10} {'rule evals/s':>13} {'alerts':>8} "
              f"{'CPU ms/write':>13} {'writes/CPU s':>13}")  # fmt: skip
        for count in (0, rules):
            result = measure_evaluation(uri, specs, count)
            print(
                f"{count:>7,} {result.writes / result.seconds:>10,.0f} "
                f"{result.rule_evaluations / result.seconds:>13,.0f} {result.alerts:>8,} "
                f"{result.cpu_seconds * 1000 / result.writes:>13.3f} "
                f"{result.writes / result.cpu_seconds:>13,.0f}"
            )
        print(f"\nB. API CPU per write, seeding {trends:,} trends via the API, {rules:,} rules")
        off = measure_api(uri, specs, rules, alerts=False)
        on = measure_api(uri, specs, rules, alerts=True)
        for result in (off, on):
            label = "alerts on" if result.alerts_enabled else "alerts off (baseline)"
            print(f"{label:<22} {result.cpu_ms_per_write:.3f} ms CPU/write "
                  f"({result.seconds:.1f} s wall; {result.alerts:,} alerts, "
                  f"{result.attempts:,} webhook attempts)")  # fmt: skip
        extra = on.cpu_ms_per_write - off.cpu_ms_per_write
        print(f"extra API CPU per write: {extra:+.3f} ms ({extra / off.cpu_ms_per_write:+.0%})")
    finally:
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    app()
