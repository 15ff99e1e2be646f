"""``python -m bench``: load-test the API against its baselines and print one table.

Seeds N synthetic trends into a fresh database (the embedded server in a temporary folder,
or ``TRENDGRAPH_BENCH_MONGODB_URI``), then serves the same data three ways, each with
uvicorn (uvloop, httptools, one worker per core), and drives each scenario with wrk from
a separate process at a fixed concurrency:

- ``trendgraph``: the API as shipped;
- ``naive``: the same schema with DataLoaders, projections, caches and the compiled
  executor left out, composed in ``bench/naive.py``: one query per lookup;
- ``floor``: ``bench/floor.py``, the same reads with orjson and no GraphQL.

S4 seeds ``--seeding`` synthetic trends through the API and compares with a raw
``insert_many`` of the same documents (``bench/seeding.py``).

S5 is the sparkline leaderboard (``bench/sparklines.py``): S2 plus every signal's last 12
points and the trend's volume.

S1c and S2c repeat S1 and S2 as GET requests, which the API's response cache may answer
(the naive baseline has no cache; the floor performs its reads every time).

API CPU ms per request is the server processes' CPU time over the run divided by the
requests served: it does not depend on how fast the database is. DB KB per request is the
BSON size of the database's replies to one uncached request (``bench/wire_bytes.py``).

Each scenario is measured ``--rounds`` times (rounds interleaved, so a slow spell of a shared
machine spreads over all scenarios); the table shows the round of median CPU and, as
"noise", the spread of the rounds' req/s and CPU (max minus min, over the median): a
difference smaller than that between two runs is not a difference.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
import typer
from pymongo import MongoClient
from rich.console import Console
from rich.table import Table

from app.storage.embedded import EmbeddedMongo, free_port
from bench import sparklines
from bench.harness import LoadResult, Server, cpu_seconds, data_commands, rss_mib, wrk
from bench.seeding import run_seeding

console = Console(width=180)
DATABASE = "bench"
ANALYSES = """analyses {
  decomposition { trigger behaviorChange enabler constraintRemoved }
  pestle { political economic social technological legal environmental }
  jobsToBeDone { problem priorWorkaround keyOutcome }
  consumerTrendCanvas { basicNeed driversOfChange emergingConsumerNeeds
    newConsumerExpectations inspirationsSignals innovationsEmerging } }"""
TREND_PAGE = f"""query TrendPage($slug: String!) {{ trend(slug: $slug) {{
  name description growth {{ label percent }} {ANALYSES}
  category {{ name }} related(first: 5) {{ name growth {{ label percent }} }} }} }}"""
LEADERBOARD = """query Leaderboard { trends(first: 50,
  orderBy: {field: GROWTH, window: THREE_MONTHS, direction: DESC}) {
  edges { node { name category { name } growth { label percent } } } } }"""
SEARCH = """query Search($q: String!) { searchTrends(query: $q, first: 20) { name } }"""


@dataclass
class Scenario:
    key: str
    title: str
    graphql: dict[str, Any]
    floor_path: str
    cached: bool = False
    """Sent as GET, so the API's response cache may answer (the floor does its reads)."""

    def api_request(self, base: str) -> dict[str, Any]:
        if not self.cached:
            return {"url": base + "/graphql", "body": orjson.dumps(self.graphql)}
        params = {"query": self.graphql["query"]}
        if "variables" in self.graphql:
            params["variables"] = orjson.dumps(self.graphql["variables"]).decode()
        return {"url": base + "/graphql?" + urlencode(params)}


@dataclass
class Measurement:
    load: LoadResult
    cpu_ms_per_request: float
    commands_per_request: float
    rss_mib: float
    rps_noise: float = 0.0
    """(max - min) / median of req/s over the rounds."""
    cpu_noise: float = 0.0
    """(max - min) / median of CPU ms per request over the rounds."""


def _spread(values: list[float]) -> float:
    middle = statistics.median(values)
    return (max(values) - min(values)) / middle if middle else 0.0


def summarize(rounds: list[Measurement]) -> Measurement:
    """The round of median CPU, with the spread of all rounds as its noise."""
    ordered = sorted(rounds, key=lambda measured: measured.cpu_ms_per_request)
    typical = ordered[(len(ordered) - 1) // 2]
    return dataclasses.replace(
        typical,
        rps_noise=_spread([measured.load.rps for measured in rounds]),
        cpu_noise=_spread([measured.cpu_ms_per_request for measured in rounds]),
    )


def pick_inputs(uri: str) -> tuple[str, str]:
    """A trend with explicit related trends, and a two-word query that finds something."""
    client: MongoClient[dict[str, Any]] = MongoClient(uri)
    try:
        trend = client[DATABASE].trends.find_one({"related.0": {"$exists": True}})
        assert trend is not None, "no trend with related trends in the bench data"
        words = trend["name"].split()
        query = " ".join(words[:2]) if len(words) > 1 else f"{words[0]} {trend['tags'][0]}"
        return trend["slug"], query
    finally:
        client.close()


def measure(
    server: Server, uri: str, url: str, seconds: int, connections: int, **request: Any
) -> Measurement:
    wrk(url, seconds=2, connections=connections, **request)  # warm-up: caches, pools, JIT-free
    pids = server.pids()
    cpu_before, commands_before = cpu_seconds(pids), data_commands(uri)
    load = wrk(url, seconds=seconds, connections=connections, **request)
    cpu = cpu_seconds(pids) - cpu_before
    commands = data_commands(uri) - commands_before
    return Measurement(
        load=load,
        cpu_ms_per_request=cpu * 1000 / max(load.requests, 1),
        commands_per_request=commands / max(load.requests, 1),
        rss_mib=rss_mib(pids),
    )


def main(
    trends: Annotated[int, typer.Option(min=10, help="Synthetic trends to seed.")] = 500,
    seconds: Annotated[int, typer.Option(min=1, help="Measured seconds per scenario.")] = 10,
    connections: Annotated[int, typer.Option(min=1, help="Concurrent connections.")] = 16,
    workers: Annotated[int, typer.Option(min=1, help="uvicorn workers.")] = os.cpu_count() or 2,
    seeding: Annotated[
        int, typer.Option(min=0, help="Trends for S4 (seeding through the API); 0 skips it.")
    ] = 10_000,
    seeding_concurrency: Annotated[
        int, typer.Option(min=1, max=8, help="S4 batches in flight at once.")
    ] = 2,
    rounds: Annotated[
        int, typer.Option(min=1, help="Measurements per scenario (median and noise).")
    ] = 3,
) -> None:
    """Run every scenario against trendgraph, naive and floor; print the table."""
    if shutil.which("wrk") is None:
        raise typer.BadParameter("wrk is not installed (Debian: apt-get install wrk)")
    folder = Path(tempfile.mkdtemp(prefix="trendgraph-bench-"))
    external = os.environ.get("TRENDGRAPH_BENCH_MONGODB_URI")
    embedded = None if external else EmbeddedMongo(folder / "data")
    uri = external or embedded.start()  # type: ignore[union-attr]
    database_name = "MongoDB at TRENDGRAPH_BENCH_MONGODB_URI" if external else "embedded SecantusDB"
    try:
        env = {"TRENDGRAPH_MONGODB_URI": uri, "TRENDGRAPH_DATABASE": DATABASE}
        MongoClient(uri).drop_database(DATABASE)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "seeds.synthetic", "--count", str(trends), "--seed", "7"],
            env={**os.environ, **env},
            check=True,
        )
        console.print(f"seeded {trends} trends in {time.perf_counter() - started:.1f}s")
        slug, words = pick_inputs(uri)
        scenarios = [
            Scenario("S1", "trend page", {"query": TREND_PAGE, "variables": {"slug": slug}},
                     f"/s1?slug={slug}"),
            Scenario("S2", "leaderboard", {"query": LEADERBOARD}, "/s2"),
            Scenario("S3", "search", {"query": SEARCH, "variables": {"q": words}},
                     f"/s3?q={words.replace(' ', '+')}"),
            Scenario("S1c", "trend page, cached GET",
                     {"query": TREND_PAGE, "variables": {"slug": slug}}, f"/s1?slug={slug}",
                     cached=True),
            Scenario("S2c", "leaderboard, cached GET", {"query": LEADERBOARD}, "/s2",
                     cached=True),
            Scenario(sparklines.KEY, sparklines.TITLE, sparklines.GRAPHQL, sparklines.FLOOR_PATH),
        ]  # fmt: skip
        from bench.wire_bytes import reply_bytes  # imports this module: not at the top

        wire = asyncio.run(reply_bytes(uri))
        server_env = {
            **env,
            "TRENDGRAPH_RATE_LIMIT_ENABLED": "false",
            "TRENDGRAPH_LOG_LEVEL": "WARNING",
            "TRENDGRAPH_MAX_QUERY_COST": "100000",
            # The seeded trends have no forecasts yet: catching up would fit them all in
            # the servers' background while they are measured (bench.forecast measures that).
            "TRENDGRAPH_FORECAST_CATCH_UP": "false",
        }
        variants = {
            "trendgraph": ("app.web.asgi:create_app", server_env),
            "naive": ("bench.naive:create_app", server_env),
            "floor": ("bench.floor:app", server_env),
        }
        measured: dict[tuple[str, str], list[Measurement]] = {}
        for variant, (target, variant_env) in variants.items():
            port = free_port()
            with Server(target, port, variant_env, workers=workers) as server:
                for round_number in range(1, rounds + 1):
                    for scenario in scenarios:
                        base = f"http://127.0.0.1:{port}"
                        if variant == "floor":
                            request: dict[str, Any] = {"url": base + scenario.floor_path}
                        else:
                            request = scenario.api_request(base)
                        measured.setdefault((variant, scenario.key), []).append(
                            measure(
                                server, uri, seconds=seconds, connections=connections, **request
                            )
                        )
                        console.print(f"  {variant} {scenario.key} round {round_number} done")
        results = {key: summarize(rounds_measured) for key, rounds_measured in measured.items()}
        print_table(
            results, wire, scenarios, trends, database_name, connections, workers, seconds, rounds
        )
        if seeding:
            s4 = run_seeding(uri, seeding, folder, workers, concurrency=seeding_concurrency)
            console.print(
                f"S4 seeding {s4.documents:,} trends on {database_name}: through the API "
                f"(python -m seeds --via-api, importTrends, batches of 200, "
                f"{seeding_concurrency} in flight) {s4.api_rate:,.0f} docs/s "
                f"({s4.api_seconds:.1f}s, API CPU {s4.api_cpu_ms_per_document:.2f} ms/doc); "
                f"raw insert_many with the same indexes {s4.raw_rate:,.0f} docs/s "
                f"({s4.raw_seconds:.1f}s); API/raw {s4.api_rate / s4.raw_rate:.0%}. "
                f"For reference, raw insert_many without indexes {s4.bare_rate:,.0f} docs/s "
                f"(API/that {s4.api_rate / s4.bare_rate:.0%})."
            )
    finally:
        if embedded is not None:
            embedded.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _ratio(value: float, baseline: float) -> str:
    """``value`` against ``baseline``; "-" when the baseline served nothing (a variant
    whose every request failed, say: its errors column says so)."""
    return f"{value / baseline:.2f}x" if baseline else "-"


def print_table(
    results: dict[tuple[str, str], Measurement],
    wire: dict[tuple[str, str], float],
    scenarios: list[Scenario],
    trends: int,
    database_name: str,
    connections: int,
    workers: int,
    seconds: int,
    rounds: int,
) -> None:
    table = Table(
        title=f"trendgraph bench: {trends} trends on {database_name}; "
        f"wrk -c{connections}, {seconds}s per run, median of {rounds} rounds; "
        f"uvicorn x{workers} workers; {os.cpu_count()} cores"
    )
    for column in (
        "scenario", "variant", "req/s", "noise", "p50 ms", "p99 ms", "API CPU ms/req", "noise",
        "DB cmds/req", "RSS MiB", "DB KB/req", "req/s vs naive", "req/s vs floor",
        "CPU vs naive", "CPU vs floor", "DB KB vs floor", "errors",
    ):  # fmt: skip
        table.add_column(
            column, justify="right" if column not in ("scenario", "variant") else "left"
        )
    for scenario in scenarios:
        naive, floor = results[("naive", scenario.key)], results[("floor", scenario.key)]
        for variant in ("trendgraph", "naive", "floor"):
            result = results[(variant, scenario.key)]
            # Bytes are counted on uncached requests (in process, before the timed runs).
            read = None if scenario.cached else wire.get((variant, scenario.key))
            floor_read = wire.get(("floor", scenario.key))
            table.add_row(
                f"{scenario.key} {scenario.title}",
                variant,
                f"{result.load.rps:,.0f}",
                f"±{result.rps_noise / 2:.0%}",
                f"{result.load.p50_ms:.1f}",
                f"{result.load.p99_ms:.1f}",
                f"{result.cpu_ms_per_request:.2f}",
                f"±{result.cpu_noise / 2:.0%}",
                f"{result.commands_per_request:.1f}",
                f"{result.rss_mib:.0f}",
                "-" if read is None else f"{read / 1000:.1f}",
                _ratio(result.load.rps, naive.load.rps),
                _ratio(result.load.rps, floor.load.rps),
                _ratio(result.cpu_ms_per_request, naive.cpu_ms_per_request),
                _ratio(result.cpu_ms_per_request, floor.cpu_ms_per_request),
                "-" if read is None or not floor_read else f"{read / floor_read:.2f}x",
                str(result.load.errors),
            )
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
