"""``python -m seeds --via-api``: seeding a served instance, re-running it, failures, retries."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from app.domain.keys import hash_key
from app.storage.database import Database
from app.storage.embedded import free_port
from seeds.via_api import ApiSeeder, SeedApiError
from tests.conftest import TEST_DATABASE

API_KEY = "seeding-key-for-tests"


@dataclass(frozen=True)
class Served:
    url: str
    env: dict[str, str]


@pytest.fixture(scope="module")
def served(mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The API served by uvicorn in a child process, on the test database."""
    port = free_port()
    env = {
        **os.environ,
        "TRENDGRAPH_MONGODB_URI": mongodb_uri,
        "TRENDGRAPH_DATABASE": TEST_DATABASE,
        "TRENDGRAPH_API_KEY_HASHES": hash_key(API_KEY),
        "TRENDGRAPH_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1"]
    log_path = tmp_path_factory.mktemp("served") / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port), "--no-seed"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the served API never became ready"
            time.sleep(0.1)
        yield Served(url=f"{base}/graphql", env=env)
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


async def run_seeds(env: dict[str, str], *args: str) -> Run:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "seeds",
        *args,
        env={**env, "COLUMNS": "200"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return Run(process.returncode, stdout.decode(), stderr.decode())


async def snapshot(database: Database) -> list[list[dict[str, Any]]]:
    return [
        [document async for document in collection.find({}).sort("slug", 1)]
        for collection in (database.categories, database.trends)
    ]


async def test_seeding_via_the_api_then_running_again_changes_nothing(
    database: Database, served: Served
) -> None:
    first = await run_seeds(served.env, "--via-api", served.url, "--api-key", API_KEY)

    assert first.code == 0, first.stderr
    assert first.stdout.splitlines() == [
        "categories: 8 inserted, 0 updated, 0 unchanged, 0 failed",
        "trends: 1 inserted, 0 updated, 0 unchanged, 0 failed",
    ]
    stored = await snapshot(database)

    again = await run_seeds(served.env, "--via-api", served.url, "--api-key", API_KEY)

    assert again.code == 0, again.stderr
    assert again.stdout.splitlines() == [
        "categories: 0 inserted, 0 updated, 8 unchanged, 0 failed",
        "trends: 0 inserted, 0 updated, 1 unchanged, 0 failed",
        "Nothing changed: the database already holds these seeds.",
    ]
    assert await snapshot(database) == stored  # updatedAt and version included
    async with httpx.AsyncClient() as client:
        response = await client.post(
            served.url, json={"query": '{ trend(slug: "asyncio") { growth { label percent } } }'}
        )
    assert response.json()["data"]["trend"]["growth"] == [
        {"label": "3mo", "percent": 20.0},
        {"label": "1y", "percent": 21.0},
        {"label": "5y", "percent": 51.0},
    ]


async def test_direct_mode_prints_the_same_counts(database: Database, served: Served) -> None:
    first = await run_seeds(served.env)
    via_api = await run_seeds(served.env, "--via-api", served.url, "--api-key", API_KEY)

    assert first.code == 0, first.stderr
    assert first.stdout.splitlines() == [
        "categories: 8 inserted, 0 updated, 0 unchanged, 0 failed",
        "trends: 1 inserted, 0 updated, 0 unchanged, 0 failed",
    ]
    assert via_api.stdout.splitlines()[:2] == [
        "categories: 0 inserted, 0 updated, 8 unchanged, 0 failed",
        "trends: 0 inserted, 0 updated, 1 unchanged, 0 failed",
    ]


def mode_arguments(mode: str, served: Served) -> list[str]:
    """The arguments that pick a seeding mode: straight into the database, or the API."""
    return [] if mode == "direct" else ["--via-api", served.url, "--api-key", API_KEY]


MODES = ["direct", "via-api"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("trends", "message"),
    [
        (
            [{"slug": "fine", "name": "Fine"}, {"slug": "Bad Slug", "name": "Bad"}],
            "trends[1] (slug 'Bad Slug') field slug: String should match pattern",
        ),
        (
            [{"slug": "fine", "name": "Fine"}, {"slug": "no-name"}],
            "trends[1] (slug 'no-name') field name: Field required",
        ),
        (
            [{"slug": "fine", "name": "Fine"}, {"slug": "u", "name": "U", "related": ["never"]}],
            "trends[1] (slug 'u') field related: unknown trend 'never'",
        ),
    ],
)
async def test_both_modes_stop_at_a_bad_file_and_write_nothing(
    database: Database,
    served: Served,
    tmp_path: Path,
    mode: str,
    trends: list[dict[str, Any]],
    message: str,
) -> None:
    good = tmp_path / "good.json"
    good.write_bytes(orjson.dumps({"trends": [{"slug": "first-file", "name": "First"}]}))
    bad = tmp_path / "bad.json"
    bad.write_bytes(orjson.dumps({"trends": trends}))

    run = await run_seeds(served.env, *mode_arguments(mode, served), str(good), str(bad))

    assert run.code == 1
    assert f"seed load failed: {bad}: {message}" in run.stderr
    assert await database.trends.count_documents({}) == 0  # not even the good file


@pytest.mark.parametrize("mode", MODES)
async def test_both_modes_refuse_a_reference_to_a_later_file(
    database: Database, served: Served, tmp_path: Path, mode: str
) -> None:
    """Files are written in order, so a trend may name trends of its own or earlier files
    (or stored ones), never of a later file: one rule, checked before anything is sent."""
    first = tmp_path / "first.json"
    first.write_bytes(
        orjson.dumps({"trends": [{"slug": "early", "name": "E", "related": ["late"]}]})
    )
    second = tmp_path / "second.json"
    second.write_bytes(orjson.dumps({"trends": [{"slug": "late", "name": "L"}]}))

    run = await run_seeds(served.env, *mode_arguments(mode, served), str(first), str(second))

    assert run.code == 1
    assert (
        f"seed load failed: {first}: trends[0] (slug 'early') field related: unknown trend 'late'"
    ) in " ".join(run.stderr.split())
    assert await database.trends.count_documents({}) == 0

    # In the other order it loads, in both modes.
    run = await run_seeds(served.env, *mode_arguments(mode, served), str(second), str(first))
    assert run.code == 0, run.stderr
    assert await database.trends.count_documents({}) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_both_modes_report_a_slug_repeated_across_files(
    database: Database, served: Served, tmp_path: Path, mode: str
) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_bytes(orjson.dumps({"trends": [{"slug": "twice", "name": "First"}]}))
    second.write_bytes(
        orjson.dumps({"trends": [{"slug": "other", "name": "O"}, {"slug": "twice", "name": "2"}]})
    )

    run = await run_seeds(served.env, *mode_arguments(mode, served), str(first), str(second))

    assert run.code == 0, run.stderr
    assert (
        f"trends slug 'twice' is in {first} (trends[0]) and again in {second} (trends[1]): "
        "the later file's item wins"
    ) in " ".join(run.stderr.split())
    stored = await database.trends.find_one({"slug": "twice"})
    assert stored is not None and stored["name"] == "2"


@pytest.mark.parametrize("mode", MODES)
async def test_both_modes_say_which_fields_a_partial_replacement_cleared(
    database: Database, served: Served, tmp_path: Path, mode: str
) -> None:
    full = tmp_path / "full.json"
    full.write_bytes(
        orjson.dumps(
            {
                "trends": [
                    {
                        "slug": "partial",
                        "name": "Partial",
                        "description": "About it.",
                        "tags": ["kept", "dropped"],
                        "growth": [
                            {"window": "THREE_MONTHS", "percent": 5},
                            {"window": "ONE_YEAR", "percent": 9},
                        ],
                    }
                ]
            }
        )
    )
    partial = tmp_path / "partial.json"
    partial.write_bytes(
        orjson.dumps(
            {
                "trends": [
                    {
                        "slug": "partial",
                        "name": "Partial",
                        "tags": ["kept"],
                        "growth": [{"window": "ONE_YEAR", "percent": 9}],
                    }
                ]
            }
        )
    )
    assert (await run_seeds(served.env, *mode_arguments(mode, served), str(full))).code == 0

    run = await run_seeds(served.env, *mode_arguments(mode, served), str(partial))

    assert run.code == 0, run.stderr
    assert "trends: 0 inserted, 1 updated, 0 unchanged, 0 failed" in run.stdout
    assert "cleared: trend 'partial': description, growth.3mo (left out of the file" in (
        " ".join(run.stderr.split())
    )
    again = await run_seeds(served.env, *mode_arguments(mode, served), str(partial))
    assert "cleared:" not in again.stderr  # nothing left to clear


async def test_a_wrong_key_stops_the_run(database: Database, served: Served) -> None:
    run = await run_seeds(served.env, "--via-api", served.url, "--api-key", "wrong")
    assert run.code == 1
    assert "refused the key" in run.stderr
    assert await database.trends.count_documents({}) == 0


async def test_a_missing_key_is_a_usage_error(served: Served) -> None:
    run = await run_seeds(served.env, "--via-api", served.url)
    assert run.code == 2
    assert "--api-key" in run.stderr


class FlakyTransport(httpx.AsyncBaseTransport):
    """Fails the first requests the way networks and proxies do, then passes them on."""

    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.failures:
            failure = self.failures.pop(0)
            if failure == "connect":
                raise httpx.ConnectError("connection refused", request=request)
            if failure == "read":
                raise httpx.ReadTimeout("timed out", request=request)
            return httpx.Response(int(failure), request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_transient_network_errors_are_retried(database: Database, served: Served) -> None:
    transport = FlakyTransport(["connect", "503", "read", "502"])
    seeder = ApiSeeder(served.url, API_KEY, backoff_seconds=0.001, transport=transport)

    report = await seeder.seed([Path("seeds/data/taxonomy.json"), Path("seeds/data/asyncio.json")])

    assert seeder.retries == 4
    assert (len(report.categories.inserted), len(report.trends.inserted)) == (8, 1)
    assert not report.failed
    assert await database.trends.count_documents({}) == 1


async def test_gives_up_after_the_last_attempt(served: Served) -> None:
    transport = FlakyTransport(["connect"] * 3)
    seeder = ApiSeeder(
        served.url, API_KEY, backoff_seconds=0.001, max_attempts=3, transport=transport
    )
    with pytest.raises(SeedApiError, match="gave up after 3 attempts"):
        await seeder.seed([Path("seeds/data/taxonomy.json")])


@pytest.mark.parametrize("concurrency", ["0", "17", "two"])
async def test_bad_concurrency_is_a_usage_error(served: Served, concurrency: str) -> None:
    run = await run_seeds(
        served.env, "--via-api", served.url, "--api-key", API_KEY, "--concurrency", concurrency
    )
    assert run.code == 2
    assert "--concurrency" in run.stderr


async def test_a_batch_over_the_body_limit_is_halved_not_sent_item_by_item(
    database: Database, served: Served, tmp_path: Path
) -> None:
    """A body the server refuses as too large (413) comes back without data: the batch is
    halved until it fits, so a few calls more, not one per item."""
    calls: list[int] = []

    class Counting(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.AsyncHTTPTransport()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            size = len(request.content)
            calls.append(size)
            if size > 4_000:  # stand in for a server with a small TRENDGRAPH_MAX_BODY_BYTES
                return httpx.Response(
                    413,
                    json={"errors": [{"message": "too large"}]},
                    request=request,
                )
            return await self.inner.handle_async_request(request)

        async def aclose(self) -> None:
            await self.inner.aclose()

    items = [
        {"slug": f"bulk-{index:02d}", "name": f"Bulk {index}", "description": "x" * 150}
        for index in range(16)
    ]
    seed_file = tmp_path / "bulk.json"
    seed_file.write_bytes(orjson.dumps({"trends": items}))
    seeder = ApiSeeder(served.url, API_KEY, batch_size=16, concurrency=1, transport=Counting())
    report = await seeder.seed([seed_file])
    assert len(report.trends.inserted) == 16
    assert await database.trends.count_documents({}) == 16
    assert len(calls) < 16


async def test_concurrent_batches_hold_back_items_pointing_at_a_batch_in_flight(
    database: Database, served: Served, tmp_path: Path
) -> None:
    """With two batches in flight, an item whose related trend is being written by the
    other batch waits for a later batch instead of failing and costing a second round."""
    sent: list[list[str]] = []

    class Recording(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.AsyncHTTPTransport()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            lines = orjson.loads(request.content)["variables"].get("jsonLines", "")
            sent.append([orjson.loads(line)["slug"] for line in lines.splitlines()])
            return await self.inner.handle_async_request(request)

        async def aclose(self) -> None:
            await self.inner.aclose()

    # Each trend points at the one before it, so every batch depends on the previous one.
    items = [
        {"slug": f"chain-{index:02d}", "name": f"Chain {index}"}
        | ({"related": [f"chain-{index - 1:02d}"]} if index else {})
        for index in range(12)
    ]
    seed_file = tmp_path / "chain.json"
    seed_file.write_bytes(orjson.dumps({"trends": items}))
    seeder = ApiSeeder(served.url, API_KEY, batch_size=3, concurrency=2, transport=Recording())

    report = await seeder.seed([seed_file])

    assert len(report.trends.inserted) == 12 and not report.failed
    assert sorted(slug for batch in sent for slug in batch) == [item["slug"] for item in items]
    assert await database.trends.count_documents({}) == 12
