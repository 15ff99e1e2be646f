"""Processes, load and measurements for the benchmark: servers, wrk, CPU, RSS, DB counters."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from pymongo import MongoClient

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        found += [int(child) for child in children]
    return found


def process_tree(pid: int) -> list[int]:
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        if Path(f"/proc/{current}").exists():
            pids.append(current)
            queue += _children(current)
    return pids


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / CLOCK_TICKS


def rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
        except FileNotFoundError:
            continue
    return total / (1024 * 1024)


class Server:
    """A uvicorn server in its own process group, measured by its whole process tree."""

    def __init__(self, target: str, port: int, env: dict[str, str], *, workers: int) -> None:
        self.port = port
        self.command = [
            sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), "--loop", "uvloop",
            "--http", "httptools", "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        if target.endswith("create_app"):
            self.command.append("--factory")
        self.env = {**os.environ, **env}
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - lives as long as the server
            prefix="bench-server-", suffix=".log", delete=False
        )
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited; see {self.log.name}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code < 500:
                    # workers come up one by one: wait until the tree stops growing
                    time.sleep(1.5)
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server did not start; see {self.log.name}")

    def pids(self) -> list[int]:
        assert self.process is not None
        return process_tree(self.process.pid)

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(
    url: str, *, seconds: int, connections: int, threads: int = 2, body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> LoadResult:  # fmt: skip
    """Drive ``url`` with wrk (POSTing ``body`` when given) and parse its report."""
    script_lines = ['wrk.headers["Accept"] = "application/json"']
    for name, value in (headers or {}).items():
        script_lines.append(f'wrk.headers["{name}"] = "{value}"')
    if body is not None:
        script_lines += [
            'wrk.method = "POST"',
            'wrk.headers["Content-Type"] = "application/json"',
            "wrk.body = " + _lua_string(body),
        ]
    script_lines.append(
        "done = function(summary, latency, requests) "
        'io.write(string.format("NON2XX %d\\n", summary.errors.status)) end'
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(script_lines) + "\n")
    command = [
        # A generous timeout: a slow baseline's cut-off requests would still cost server
        # CPU but not count as requests, inflating its CPU per request.
        "wrk", "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
        "--timeout", "30s", "-s", script.name, url,
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    duration = re.search(r"requests in ([0-9.]+\w+),", output).group(1)  # type: ignore[union-attr]
    p50 = re.search(r"50%\s+([0-9.]+\w+)", output).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([0-9.]+\w+)", output).group(1)  # type: ignore[union-attr]
    non2xx = int(re.search(r"NON2XX (\d+)", output).group(1))  # type: ignore[union-attr]
    socket_errors = re.search(r"Socket errors: (.*)", output)
    errors = non2xx + (
        sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1))) if socket_errors else 0
    )
    return LoadResult(requests, _ms(duration) / 1000, _ms(p50), _ms(p99), errors)


def _lua_string(body: bytes) -> str:
    return '"' + body.decode().replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def data_commands(uri: str) -> int:
    """Reads and writes the database has served so far (monitoring commands left out)."""
    client: MongoClient[dict[str, object]] = MongoClient(uri)
    try:
        counters = client.admin.command("serverStatus")["opcounters"]
    finally:
        client.close()
    return sum(int(counters[name]) for name in ("query", "getmore", "insert", "update", "delete"))
