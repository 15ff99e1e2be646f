"""``python -m bench.bulk_updates``: importTrends of changed trends against new trends.

Sends ``--trends`` trends through ``importTrends`` (one batch, an API key, in process over
ASGI, the embedded database or ``TRENDGRAPH_BENCH_MONGODB_URI``) as new trends, then the same
slugs again with changed content, for ``--rounds`` rounds on fresh slugs. Prints each
kind's rate (trends per second, median of the rounds), database commands per batch, and the
changed-trends rate as a share of the new-trends rate (the target is 70% or more). Wall
times on a shared machine are noisy; the command counts are not.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

import httpx
import orjson
import typer
from asgi_lifespan import LifespanManager

from app.domain.keys import hash_key
from app.settings import Settings
from app.storage.embedded import EmbeddedMongo
from app.web.asgi import create_app

DATABASE = "trendgraph_bench_bulk"
KEY = "bench-bulk-updates-key"
IMPORT = (
    "mutation($lines: String!) { importTrends(jsonLines: $lines) "
    "{ results { outcome } userErrors { message } } }"
)
_COMMANDS_SUM = re.compile(r"^trendgraph_database_commands_per_request_sum (\S+)$", re.M)


def trend_lines(prefix: str, count: int, revision: int) -> str:
    """``count`` trends as JSON Lines; ``revision`` changes every one's content."""
    return "\n".join(
        orjson.dumps(
            {
                "slug": f"{prefix}-{number}",
                "name": f"Bench trend {prefix} {number}",
                "description": f"Revision {revision} of a trend the benchmark writes.",
                "tags": ["bench", f"revision-{revision}"],
                "growth": [
                    {"window": "THREE_MONTHS", "percent": 5.0 + revision},
                    {"window": "ONE_YEAR", "percent": 20.0 + number % 50},
                ],
            }
        ).decode()
        for number in range(count)
    )


async def _commands(client: httpx.AsyncClient) -> float:
    found = _COMMANDS_SUM.search((await client.get("/metrics")).text)
    return float(found.group(1)) if found else 0.0


async def _import(client: httpx.AsyncClient, lines: str, outcome: str, count: int) -> float:
    """Seconds for one importTrends call; checks every item got ``outcome``."""
    started = time.perf_counter()
    response = await client.post("/graphql", json={"query": IMPORT, "variables": {"lines": lines}})
    seconds = time.perf_counter() - started
    payload = response.json()["data"]["importTrends"]
    outcomes = [result["outcome"] for result in payload["results"]]
    if payload["userErrors"] or outcomes != [outcome] * count:
        raise RuntimeError(f"expected {count} {outcome}, got {payload}")
    return seconds


@contextlib.asynccontextmanager
async def _client(uri: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database=DATABASE,
        mongodb_uri=uri,
        api_key_hashes=hash_key(KEY),
        rate_limit_enabled=False,
        log_level="WARNING",
    )
    app = create_app(settings)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app),
            base_url="http://bench",
            headers={"authorization": f"Bearer {KEY}"},
            timeout=600,
        ) as client,
    ):
        yield client


async def _run(uri: str, trends: int, rounds: int) -> None:
    new_seconds: list[float] = []
    changed_seconds: list[float] = []
    commands: dict[str, list[float]] = {"new": [], "changed": []}
    async with _client(uri) as client:
        for round_number in range(rounds):
            prefix = f"r{round_number}-{os.getpid()}"
            before = await _commands(client)
            new_seconds.append(
                await _import(client, trend_lines(prefix, trends, 0), "INSERTED", trends)
            )
            middle = await _commands(client)
            changed_seconds.append(
                await _import(client, trend_lines(prefix, trends, 1), "UPDATED", trends)
            )
            commands["new"].append(middle - before)
            commands["changed"].append(await _commands(client) - middle)
    new_rate = trends / statistics.median(new_seconds)
    changed_rate = trends / statistics.median(changed_seconds)
    typer.echo(f"importTrends of {trends} trends, median of {rounds} rounds:")
    typer.echo(
        f"  new trends:     {new_rate:9.1f} trends/s   "
        f"{statistics.median(commands['new']):.0f} database commands per batch"
    )
    typer.echo(
        f"  changed trends: {changed_rate:9.1f} trends/s   "
        f"{statistics.median(commands['changed']):.0f} database commands per batch"
    )
    typer.echo(f"  changed / new:  {changed_rate / new_rate:9.0%}   (target: 70% or more)")


def main(
    trends: Annotated[int, typer.Option(min=1, max=500, help="Trends per batch.")] = 100,
    rounds: Annotated[int, typer.Option(min=1, help="Rounds (fresh slugs each).")] = 3,
) -> None:
    """Compare importTrends rates for changed and new trends."""
    uri = os.environ.get("TRENDGRAPH_BENCH_MONGODB_URI")
    if uri:
        asyncio.run(_run(uri, trends, rounds))
        return
    with (
        tempfile.TemporaryDirectory(prefix="trendgraph-bulk-") as folder,
        EmbeddedMongo(Path(folder) / "data") as server,
    ):
        asyncio.run(_run(server.uri, trends, rounds))


if __name__ == "__main__":
    typer.run(main)
