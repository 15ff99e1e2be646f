"""Finding 1: the embedded database dies under a running API; it is reaped and restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from pathlib import Path

import httpx
import pytest

from app.settings import Settings
from app.web.asgi import create_app
from tests.conftest import asgi_client
from tests.processes import child_pids

QUERY = {"query": '{ trend(slug: "asyncio") { name } }'}


def arguments(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except FileNotFoundError:
        return []


def embedded_server_pid(data_dir: Path) -> int:
    """The pid of the SecantusDB child serving ``data_dir``."""
    for pid in child_pids(os.getpid()):
        if str(data_dir) in arguments(pid):
            return pid
    pytest.fail(f"no embedded server child serving {data_dir}")


def is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] == "Z"


async def poll(client: httpx.AsyncClient, path: str, status: int, attempts: int = 150) -> None:
    for _ in range(attempts):
        if (await client.get(path)).status_code == status:
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"{path} never answered {status}")


async def served_again(client: httpx.AsyncClient, attempts: int = 150) -> httpx.Response:
    """The first successful answer to QUERY (the driver notices the server on a heartbeat)."""
    for _ in range(attempts):
        answer = await client.post("/graphql", json=QUERY)
        if answer.status_code == 200:
            return answer
        assert answer.status_code == 503, answer.text
        await asyncio.sleep(0.1)
    pytest.fail("the API did not answer again")


async def restarts_counted(client: httpx.AsyncClient, expected: float) -> None:
    """Poll /metrics until the restart counter shows ``expected`` (the supervisor counts a
    restart once its own ping succeeds, which may be after the API's driver got through)."""
    for _ in range(600):
        if restarts_metric((await client.get("/metrics")).text) == expected:
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"the restart counter never showed {expected}")


def restarts_metric(text: str) -> float:
    for line in text.splitlines():
        if line.startswith("trendgraph_embedded_database_restarts_total"):
            return float(line.split()[-1])
    pytest.fail("no restart counter in /metrics")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
async def test_a_killed_embedded_server_is_reaped_restarted_and_counted(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    settings = Settings(database="supervised", data_dir=data_dir, mongodb_uri=None)
    async with asgi_client(create_app(settings, seed_if_empty=True)) as client:
        first = embedded_server_pid(data_dir)
        os.kill(first, signal.SIGKILL)

        answer = await served_again(client)
        second = embedded_server_pid(data_dir)
        assert second != first
        assert not is_zombie(first)  # reaped, not left behind
        assert answer.json() == {"data": {"trend": {"name": "Asyncio"}}, **_cost(answer)}
        await restarts_counted(client, 1.0)
        assert (await client.get("/healthz")).status_code == 200

        # It cannot come back (something else holds its port): /healthz fails, so whatever
        # runs the process restarts it; once the port is free again it recovers by itself.
        command = arguments(second)
        port = int(command[command.index("--port") + 1])
        os.kill(second, signal.SIGKILL)
        with socket.socket() as squatter:
            await asyncio.sleep(0.05)  # the killed server's socket is gone at once
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            squatter.bind(("127.0.0.1", port))
            squatter.listen()
            await poll(client, "/healthz", 503)
            assert (await client.get("/readyz")).status_code == 503
        await served_again(client)
        # Healthy again once the supervisor's own ping succeeds (maybe after the driver's).
        await poll(client, "/healthz", 200)
        await restarts_counted(client, 2.0)


def _cost(response: httpx.Response) -> dict[str, object]:
    return {"extensions": response.json()["extensions"]}
