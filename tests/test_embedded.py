"""The embedded SecantusDB server: start, ping, stop, restart, and no orphans."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pymongo import MongoClient
from pymongo.errors import ServerSelectionTimeoutError

from app.storage import embedded
from app.storage.embedded import EmbeddedMongo, EmbeddedServerError
from tests.processes import process_alive, wait_until_gone

# A timeout, not a measurement: the server is killed when its owner dies.
GONE_WITHIN = 15.0

Document = dict[str, object]


def client_for(uri: str) -> MongoClient[Document]:
    return MongoClient(uri, serverSelectionTimeoutMS=2_000)


def test_start_ping_stop_and_data_survive_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stray config in the working directory is ignored (SecantusDB would pick it up).
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secantusd.toml").write_text("[server]\nauth = true\n", encoding="utf-8")
    data_dir = tmp_path / "data"
    server = EmbeddedMongo(data_dir)
    uri = server.start()
    pid = server.pid
    try:
        assert pid is not None
        assert uri == f"mongodb://127.0.0.1:{server.port}/?directConnection=true"
        with client_for(uri) as client:
            assert client.admin.command("ping")["ok"] == 1
            client.trendgraph_test.kept.insert_one({"_id": "asyncio", "percent": 51})
        # One server owns a data folder: a second one on it fails, saying why.
        with pytest.raises(EmbeddedServerError, match="exited with code") as second:
            EmbeddedMongo(data_dir).start()
        assert str(server.log_path) in str(second.value)
    finally:
        server.stop()
    assert server.pid is None
    assert not process_alive(pid)
    server.stop()  # stopping twice is harmless
    stopped: MongoClient[Document] = MongoClient(uri, serverSelectionTimeoutMS=200)
    with stopped, pytest.raises(ServerSelectionTimeoutError):
        stopped.admin.command("ping")

    with EmbeddedMongo(data_dir) as restarted, client_for(restarted.uri) as client:
        assert client.trendgraph_test.kept.find_one({"_id": "asyncio"}) == {
            "_id": "asyncio",
            "percent": 51,
        }


def test_server_outlives_its_starting_thread_and_keeps_writes_through_kill_9(
    tmp_path: Path,
) -> None:
    """Two guarantees sharing one server start (each start costs seconds).

    Linux's parent-death signal follows the forking thread, and ``asyncio.to_thread``
    workers end; and ``--sync-on-commit`` keeps acknowledged writes when the server dies
    by ``kill -9`` (without it, some were lost: see docs/architecture.md).
    """
    data_dir = tmp_path / "data"
    server = EmbeddedMongo(data_dir)
    starter = threading.Thread(target=server.start)
    starter.start()
    starter.join()
    try:
        assert server.pid is not None
        assert not wait_until_gone(server.pid, timeout=3.0), "stopped with its thread"
        with client_for(server.uri) as client:
            for number in range(50):
                client.trendgraph_test.acknowledged.insert_one({"_id": number})
        os.kill(server.pid, signal.SIGKILL)
    finally:
        server.stop()

    with EmbeddedMongo(data_dir) as restarted, client_for(restarted.uri) as client:
        assert client.trendgraph_test.acknowledged.count_documents({}) == 50


OWNER_SCRIPT = """
import sys, time
from app.storage.embedded import EmbeddedMongo

server = EmbeddedMongo(sys.argv[1])
server.start()
sys.stdout.write(f"{server.pid}\\n")
sys.stdout.flush()
time.sleep(600)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="relies on Linux's parent-death signal")
def test_server_stops_when_its_owner_is_killed(tmp_path: Path, repo_root: Path) -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER_SCRIPT, str(tmp_path / "data")],
        cwd=repo_root,
        stdout=subprocess.PIPE,
        text=True,
    )
    server_pid: int | None = None
    try:
        assert owner.stdout is not None
        line = owner.stdout.readline()
        assert line.strip().isdigit(), f"owner printed {line!r}, exit code {owner.poll()}"
        server_pid = int(line)
        assert process_alive(server_pid)
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        assert wait_until_gone(server_pid, GONE_WITHIN), "SecantusDB outlived its owner"
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()
        if owner.stdout is not None:
            owner.stdout.close()
        if server_pid is not None and process_alive(server_pid):
            os.kill(server_pid, signal.SIGKILL)  # do not leave it behind if the test failed


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        server = EmbeddedMongo(tmp_path / "data", port=port)
        taken = f"port {port} on 127.0.0.1 is already in use"
        with pytest.raises(EmbeddedServerError, match=taken):
            server.start()
    assert server.pid is None


def test_a_data_folder_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("")
    with pytest.raises(EmbeddedServerError, match="cannot create the data folder"):
        EmbeddedMongo(not_a_folder).start()


def test_a_missing_server_package_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed without the ``embedded`` extra (as the production image is)."""
    monkeypatch.setattr(embedded, "SERVER_MODULE", "trendgraph_no_such_server")
    with pytest.raises(EmbeddedServerError, match=r"pip install 'trendgraph\[embedded\]'"):
        EmbeddedMongo(tmp_path / "data").start()
    assert not (tmp_path / "data").exists()


def test_a_server_that_never_answers_is_stopped(tmp_path: Path) -> None:
    server = EmbeddedMongo(tmp_path / "data", startup_timeout=0.01)
    with pytest.raises(EmbeddedServerError, match="did not answer ping"):
        server.start()
    assert server.pid is None
