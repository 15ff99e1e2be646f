"""``python -m bench.inprocess``: API CPU per request with no HTTP server and no load
generator, for quick before/after comparisons of a code change.

Seeds N synthetic trends into a fresh embedded database (or ``TRENDGRAPH_BENCH_MONGODB_URI``),
then sends S1 and S2 (the queries of ``python -m bench``) straight into the ASGI app, for
trendgraph and for the naive baseline, one request at a time, and prints this process's
CPU milliseconds per request (the database runs in its own process and is not counted).
``--profile`` adds a cProfile listing of trendgraph's S2.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp, Message

from app.asgi import create_app
from app.database import Database
from app.embedded import EmbeddedMongo
from app.settings import Settings
from bench.__main__ import DATABASE, LEADERBOARD, TREND_PAGE, pick_inputs


async def _post(app: ASGIApp, body: bytes) -> bytes:
    """One POST /graphql through the ASGI app; the response body."""
    incoming: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    chunks: list[bytes] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
        "headers": [(b"content-type", b"application/json"), (b"host", b"bench"),
                    (b"accept", b"application/graphql-response+json")],
    }  # fmt: skip
    await app(scope, receive, send)
    return b"".join(chunks)


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


async def _measure(uri: str, requests: int, profile: bool) -> None:
    slug, _ = pick_inputs(uri)
    bodies = {
        "S1": orjson.dumps({"query": TREND_PAGE, "variables": {"slug": slug}}),
        "S2": orjson.dumps({"query": LEADERBOARD}),
    }
    database = Database.connect(uri, DATABASE)
    try:
        for variant, naive in (("trendgraph", False), ("naive", True)):
            settings = Settings(
                database=DATABASE, naive=naive, rate_limit_enabled=False,
                log_level="WARNING", max_query_cost=100_000,
            )  # fmt: skip
            async with LifespanManager(create_app(settings, database=database)) as manager:
                for scenario, body in bodies.items():
                    for _ in range(10):  # warm-up: caches, pools
                        answer = orjson.loads(await _post(manager.app, body))
                        assert "errors" not in answer, answer
                    started = _cpu_seconds()
                    for _ in range(requests):
                        await _post(manager.app, body)
                    cpu_ms = (_cpu_seconds() - started) * 1000 / requests
                    print(f"{scenario} {variant:10s} {cpu_ms:7.2f} ms CPU/request")
                    if profile and scenario == "S2" and not naive:
                        profiler = cProfile.Profile()
                        profiler.enable()
                        for _ in range(requests):
                            await _post(manager.app, body)
                        profiler.disable()
                        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    finally:
        await database.close()


def main(
    trends: Annotated[int, typer.Option(min=10, help="Synthetic trends to seed.")] = 500,
    requests: Annotated[int, typer.Option(min=1, help="Measured requests per row.")] = 200,
    profile: Annotated[bool, typer.Option(help="cProfile trendgraph's S2.")] = False,
) -> None:
    """Print S1 and S2 API CPU per request, in-process, for trendgraph and naive."""
    folder = Path(tempfile.mkdtemp(prefix="trendgraph-inprocess-"))
    external = os.environ.get("TRENDGRAPH_BENCH_MONGODB_URI")
    embedded = None if external else EmbeddedMongo(folder / "data")
    uri = external or embedded.start()  # type: ignore[union-attr]
    try:
        subprocess.run(
            [sys.executable, "-m", "seeds.synthetic", "--count", str(trends), "--seed", "7"],
            env={**os.environ, "TRENDGRAPH_MONGODB_URI": uri, "TRENDGRAPH_DATABASE": DATABASE},
            check=True,
            capture_output=True,
        )
        asyncio.run(_measure(uri, requests, profile))
    finally:
        if embedded is not None:
            embedded.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
