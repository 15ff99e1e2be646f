"""``python -m bench.inprocess``: API CPU per request with no HTTP server and no load
generator, for quick before/after comparisons of a code change.

Seeds N synthetic trends into a fresh embedded database (or ``TRENDGRAPH_BENCH_MONGODB_URI``),
then sends S1, S2 and S5 (the queries of ``python -m bench``) straight into the ASGI apps of
trendgraph, the naive baseline and the floor (``bench/floor.py``), one request at a time on
uvloop, and prints this process's CPU milliseconds per request: the lowest and the median
of ``--rounds`` rounds, and each variant's ratio to the floor (the database runs in its own
process and is not counted). ``--profile`` adds a cProfile listing of trendgraph's S2.
"""

from __future__ import annotations

import contextlib
import cProfile
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
import uvloop
from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp, Message

from app.settings import Settings
from app.storage.database import Database
from app.storage.embedded import EmbeddedMongo
from app.web.asgi import create_app
from bench import sparklines
from bench.__main__ import DATABASE, LEADERBOARD, SEARCH, TREND_PAGE, pick_inputs
from bench.floor import app as floor_app
from bench.naive import naive_app


async def _request(app: ASGIApp, method: str, path: str, query: bytes, body: bytes) -> bytes:
    """One HTTP request through the ASGI app; the response body."""
    incoming: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    chunks: list[bytes] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query,
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
        "headers": [(b"content-type", b"application/json"), (b"host", b"bench"),
                    (b"accept", b"application/graphql-response+json")],
    }  # fmt: skip
    await app(scope, receive, send)
    return b"".join(chunks)


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


Send = Callable[[ASGIApp], Awaitable[bytes]]


def _graphql(body: bytes) -> Send:
    return lambda app: _request(app, "POST", "/graphql", b"", body)


def _floor(path: str, query: bytes = b"") -> Send:
    return lambda app: _request(app, "GET", path, query, b"")


async def _rounds(app: ASGIApp, send: Send, requests: int, rounds: int) -> tuple[float, float]:
    """The lowest and the median CPU ms per request over ``rounds`` rounds."""
    for _ in range(20):  # warm-up: caches, pools
        answer = orjson.loads(await send(app))
        assert "errors" not in answer, answer
    figures = []
    for _ in range(rounds):
        started = _cpu_seconds()
        for _ in range(requests):
            await send(app)
        figures.append((_cpu_seconds() - started) * 1000 / requests)
    return min(figures), statistics.median(figures)


def scenario_sends(uri: str) -> dict[str, dict[str, Send]]:
    """How each variant is sent S1, S2 and S3 (the queries of ``python -m bench``)."""
    slug, words = pick_inputs(uri)
    s1 = orjson.dumps({"query": TREND_PAGE, "variables": {"slug": slug}})
    s2 = orjson.dumps({"query": LEADERBOARD})
    s3 = orjson.dumps({"query": SEARCH, "variables": {"q": words}})
    api = {"S1": _graphql(s1), "S2": _graphql(s2), "S3": _graphql(s3)}
    s5 = orjson.dumps(sparklines.GRAPHQL)
    return {
        "floor": {
            "S1": _floor("/s1", f"slug={slug}".encode()),
            "S2": _floor("/s2"),
            "S3": _floor("/s3", f"q={words.replace(' ', '+')}".encode()),
            "S5": _floor(sparklines.FLOOR_PATH),
        },
        "trendgraph": {**api, "S5": _graphql(s5)},
        "naive": {**api, "S5": _graphql(s5)},
    }


def variant_app(variant: str, uri: str, database: Database) -> ASGIApp:
    """The ASGI app of ``variant``, configured as ``python -m bench`` serves it."""
    if variant == "floor":
        os.environ["TRENDGRAPH_MONGODB_URI"] = uri  # the floor's lifespan reads them
        os.environ["TRENDGRAPH_DATABASE"] = DATABASE
        return floor_app
    # No forecast catch-up, as ``python -m bench`` serves it: the seeded trends have no
    # forecasts, and fitting them in the background would be measured with the requests.
    settings = Settings(
        database=DATABASE, rate_limit_enabled=False, log_level="WARNING", max_query_cost=100_000,
        forecast_catch_up=False,
    )  # fmt: skip
    if variant == "naive":
        return naive_app(settings, database=database)
    return create_app(settings, database=database)


@contextlib.contextmanager
def seeded_database(trends: int) -> Iterator[str]:
    """The URI of a database holding ``trends`` synthetic trends: a fresh embedded server
    in a temporary folder, or ``TRENDGRAPH_BENCH_MONGODB_URI`` (its ``bench`` database)."""
    folder = Path(tempfile.mkdtemp(prefix="trendgraph-bench-"))
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
        yield uri
    finally:
        if embedded is not None:
            embedded.stop()
        shutil.rmtree(folder, ignore_errors=True)


async def _measure(uri: str, requests: int, rounds: int, profile: bool) -> None:
    floors: dict[str, float] = {}
    database = Database.connect(uri, DATABASE)
    try:
        for variant, scenarios in scenario_sends(uri).items():
            async with LifespanManager(variant_app(variant, uri, database)) as manager:
                for scenario, send in scenarios.items():
                    lowest, median = await _rounds(manager.app, send, requests, rounds)
                    floors.setdefault(scenario, lowest)
                    ratio = lowest / floors[scenario]
                    print(
                        f"{scenario} {variant:10s} {lowest:7.2f} ms CPU/request (median "
                        f"{median:.2f}), {ratio:.2f}x the floor's lowest"
                    )
                    if profile and scenario == "S2" and variant == "trendgraph":
                        profiler = cProfile.Profile()
                        profiler.enable()
                        for _ in range(requests):
                            await send(manager.app)
                        profiler.disable()
                        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    finally:
        await database.close()


def main(
    trends: Annotated[int, typer.Option(min=10, help="Synthetic trends to seed.")] = 500,
    requests: Annotated[int, typer.Option(min=1, help="Measured requests per round.")] = 200,
    rounds: Annotated[int, typer.Option(min=1, help="Rounds per row (lowest and median).")] = 3,
    profile: Annotated[bool, typer.Option(help="cProfile trendgraph's S2.")] = False,
) -> None:
    """Print S1 and S2 CPU per request, in-process, for floor, trendgraph and naive."""
    with seeded_database(trends) as uri:
        uvloop.run(_measure(uri, requests, rounds, profile))


if __name__ == "__main__":
    typer.run(main)
