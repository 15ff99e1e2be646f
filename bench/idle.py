"""``python -m bench.idle``: an idle API's CPU per second, and how soon it serves again after
the database returns, for several heartbeat and change-stream settings.

For each combination of ``--heartbeat-ms`` and ``--max-await-ms`` (the settings
``TRENDGRAPH_MONGODB_HEARTBEAT_MS`` and ``TRENDGRAPH_CHANGE_STREAM_MAX_AWAIT_MS``) it serves
the API with uvicorn (one worker) on the embedded server, leaves it idle for ``--seconds``
and prints the CPU milliseconds per second of the API process (and of the database's), then
stops the database, waits until the API answers ``DATABASE_UNAVAILABLE``, starts the
database again on the same port and data, and prints the time from the database answering
``ping`` to the API answering a query again. CPU time is read from /proc: on a machine
others share it moves less than wall-clock figures, but it still moves.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from app.storage.embedded import EmbeddedMongo, free_port
from bench.harness import Server, cpu_seconds, process_tree

QUERY = {"query": "{ categories { slug } }"}


def _answer(url: str) -> dict[str, Any] | None:
    try:
        answer: dict[str, Any] = httpx.post(url, json=QUERY, timeout=10).json()
    except httpx.HTTPError:
        return None
    return answer


def _idle_cpu(pids: list[int], seconds: float) -> float:
    before = cpu_seconds(pids)
    time.sleep(seconds)
    return (cpu_seconds(pids) - before) * 1000 / seconds


def _recovery_seconds(database: EmbeddedMongo, url: str, timeout: float = 30) -> float:
    database.stop()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # until the API knows the database is gone
        answer = _answer(url)
        if answer and answer.get("errors"):
            break
        time.sleep(0.1)
    time.sleep(2)
    database.start()  # returns once the database answers ping
    back = time.monotonic()
    while time.monotonic() < back + timeout:
        answer = _answer(url)
        if answer and not answer.get("errors"):
            return time.monotonic() - back
        time.sleep(0.02)
    return float("inf")


def main(
    heartbeat_ms: Annotated[
        list[int] | None, typer.Option(help="Heartbeats to try (repeatable).")
    ] = None,
    max_await_ms: Annotated[
        list[int] | None, typer.Option(help="Change-stream maxAwaitTimeMS to try (repeatable).")
    ] = None,
    seconds: Annotated[float, typer.Option(min=1, help="Idle seconds measured per row.")] = 20,
    response_cache: Annotated[
        bool, typer.Option(help="Keep the response cache (it follows a change stream).")
    ] = True,
) -> None:
    """Print idle CPU per second and recovery time for each combination of settings."""
    folder = Path(tempfile.mkdtemp(prefix="trendgraph-idle-"))
    database = EmbeddedMongo(folder / "data")
    uri = database.start()
    try:
        for heartbeat, max_await in itertools.product(
            heartbeat_ms or [1_000, 10_000], max_await_ms or [1_000, 10_000]
        ):
            env = {
                "TRENDGRAPH_MONGODB_URI": uri,
                "TRENDGRAPH_DATABASE": "idle",
                "TRENDGRAPH_LOG_LEVEL": "WARNING",
                "TRENDGRAPH_MONGODB_HEARTBEAT_MS": str(heartbeat),
                "TRENDGRAPH_CHANGE_STREAM_MAX_AWAIT_MS": str(max_await),
                "TRENDGRAPH_MONGODB_TIMEOUT_MS": "2000",
            }
            if not response_cache:
                env["TRENDGRAPH_RESPONSE_CACHE_ENTRIES"] = "0"
            port = free_port()
            url = f"http://127.0.0.1:{port}/graphql"
            with Server("app.web.asgi:create_app", port, env, workers=1) as server:
                assert _answer(url) is not None
                time.sleep(3)  # settle: the change stream opens, connections warm up
                pid = database.pid
                assert pid is not None
                api_cpu = _idle_cpu(server.pids(), seconds)
                database_cpu = _idle_cpu(process_tree(pid), seconds)
                recovery = _recovery_seconds(database, url)
            print(
                f"heartbeat {heartbeat:6d} ms, change-stream await {max_await:6d} ms, "
                f"response cache {'on' if response_cache else 'off'}: idle API "
                f"{api_cpu:5.2f} ms CPU/s (database {database_cpu:5.2f} ms/s, measured "
                f"after); serving again {recovery:.2f} s after the database returned"
            )
    finally:
        database.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
