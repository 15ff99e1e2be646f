"""``python -m app``: serve end to end on the embedded database, and bad input."""

from __future__ import annotations

import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import pymongo
import pytest

from app.storage.embedded import free_port
from tests.processes import (
    child_environment,
    child_pids,
    command_line,
    process_alive,
    wait_until_gone,
)

# Timeouts, not measurements: start-up includes the embedded server and seeding.
READY_WITHIN = 90.0
STOP_WITHIN = 30.0

ASYNCIO_GROWTH = '{ trend(slug: "asyncio") { name growth { label percent } } }'


def python_app(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "app", *arguments]


class Lines:
    """A child's text stream read by a thread, so waiting for a line can time out."""

    def __init__(self, stream: IO[str]) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} never appeared; output was:\n{''.join(self.seen)}")

    def close(self) -> None:
        # Bounded: a grandchild that outlived the child would hold the pipe open for ever.
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "something still holds the child's stderr open"


@dataclass
class Served:
    process: subprocess.Popen[str]
    port: int
    stderr: Lines


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """``python -m app serve`` in an empty folder, with no database configured."""
    port = free_port()
    with subprocess.Popen(
        python_app("serve", "--port", str(port)),
        cwd=tmp_path,
        # The checkout's own data folder is the default; tests never touch it.
        env=child_environment(TRENDGRAPH_DATA_DIR=str(tmp_path / "data" / "embedded")),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stderr is not None
        lines = Lines(process.stderr)
        try:
            lines.wait_for(f"GraphiQL: http://localhost:{port}/graphql", READY_WITHIN)
            yield Served(process, port, lines)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            lines.close()


def test_serve_answers_then_stops_with_its_database(served: Served, tmp_path: Path) -> None:
    process, port = served.process, served.port
    (database_pid,) = [pid for pid in child_pids(process.pid) if process_alive(pid)]
    assert "-m secantus" in command_line(database_pid)
    assert (tmp_path / "data" / "embedded").is_dir()
    assert f"embedded server, data in {tmp_path / 'data' / 'embedded'}" in "".join(
        served.stderr.seen
    )

    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        response = client.post("/graphql", json={"query": ASYNCIO_GROWTH})
        assert response.status_code == 200
        body = response.json()
        assert "errors" not in body
        assert body["data"] == {
            "trend": {
                "name": "Asyncio",
                "growth": [
                    {"label": "3mo", "percent": 20},
                    {"label": "1y", "percent": 21},
                    {"label": "5y", "percent": 51},
                ],
            }
        }
        # The demo dataset was loaded into the empty database: a first page is full.
        page = client.post(
            "/graphql", json={"query": "{ trends(first: 10) { edges { node { name } } } }"}
        ).json()
        assert len(page["data"]["trends"]["edges"]) == 10
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200

    process.send_signal(signal.SIGTERM)
    # uvicorn shuts down in order (lifespan included), then re-raises the signal.
    served.stderr.wait_for("Application shutdown complete", STOP_WITHIN)
    assert process.wait(STOP_WITHIN) in (0, -signal.SIGTERM)
    assert wait_until_gone(database_pid, STOP_WITHIN), "the embedded server outlived serve"


def run_app(tmp_path: Path, *arguments: str, **variables: str) -> subprocess.CompletedProcess[str]:
    data_dir = str(tmp_path / "data" / "embedded")
    return subprocess.run(
        python_app(*arguments),
        cwd=tmp_path,
        env=child_environment(**{"TRENDGRAPH_DATA_DIR": data_dir, **variables}),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help(tmp_path: Path) -> None:
    result = run_app(tmp_path, "--help")
    assert result.returncode == 0
    assert "serve" in result.stdout
    serve_help = run_app(tmp_path, "serve", "--help")
    assert serve_help.returncode == 0
    for option in ("--host", "--port", "--seed", "TRENDGRAPH_PORT"):
        assert option in serve_help.stdout


@pytest.mark.parametrize("port", ["70000", "0", "abc"])
def test_a_bad_port_flag_exits_2(tmp_path: Path, port: str) -> None:
    result = run_app(tmp_path, "serve", "--port", port)
    assert result.returncode == 2
    assert "--port" in result.stderr
    assert "Invalid value" in result.stderr
    assert not (tmp_path / "data").exists()  # nothing started


def test_a_port_in_use_exits_1_before_starting_anything(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        result = run_app(tmp_path, "serve", "--port", str(port))
    assert result.returncode == 1
    assert f"127.0.0.1:{port}: already in use" in result.stderr
    assert "GraphiQL" not in result.stderr
    assert not (tmp_path / "data").exists()  # no embedded server was started


def test_an_unknown_flag_exits_2(tmp_path: Path) -> None:
    result = run_app(tmp_path, "serve", "--prot", "8000")
    assert result.returncode == 2
    assert "--prot" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TRENDGRAPH_PORT", "abc"),
        ("TRENDGRAPH_PORT", "70000"),
        ("TRENDGRAPH_LOG_LEVEL", "LOUD"),
        ("TRENDGRAPH_DATABASE", "no spaces"),
    ],
)
def test_a_bad_environment_variable_exits_2_naming_it(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = run_app(tmp_path, "serve", **{variable: value})
    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: {variable}: ")
    assert repr(value) in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()


def test_reset_demo_says_where_it_writes_and_loads_the_demo_dataset(
    tmp_path: Path, mongodb_uri: str
) -> None:
    database = "trendgraph_reset_demo"
    variables = {"TRENDGRAPH_MONGODB_URI": mongodb_uri, "TRENDGRAPH_DATABASE": database}
    try:
        refused = run_app(tmp_path, "reset-demo", **variables)  # asks first; no answer: no
        assert refused.returncode == 1
        assert "Demo data reset" not in refused.stdout
        result = run_app(tmp_path, "reset-demo", "--yes", **variables)
        assert result.returncode == 0, result.stderr
        assert f"Using database '{database}' on MongoDB at " in result.stderr
        assert result.stdout.strip() == (
            "Demo data reset: 1 seeded trend(s), 300 synthetic trends with five years of "
            "weekly series, 8 categories."
        )
    finally:
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongodb_uri)
        with client:
            client.drop_database(database)
