"""The embedded database: SecantusDB run as a child process on a free loopback port.

SecantusDB is GPL-2.0; trendgraph never imports it. It is started as
``python -m secantus`` and spoken to only over the MongoDB wire protocol, exactly
like a real ``mongod``.

This module holds the server process: its command line, spawning it so that it dies with
its owner, waiting for its ping, reaping and stopping it. Supervised (``supervise=True``, as
``serve`` runs it), a server that dies is started again by its
:class:`~app.storage.embedded_supervisor.Supervisor` (backoff, restart counts, health).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import importlib.util
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from app.storage.embedded_supervisor import RestartFailed, Supervisor

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1

WATCH_INTERVAL_SECONDS = 0.1
"""How often the owner thread looks whether the server still runs."""


SERVER_MODULE = "secantus"
"""The module of the ``secantusdb`` package (the ``embedded`` extra) that runs the server."""


class EmbeddedServerError(RuntimeError):
    """The embedded server could not be started."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent(parent_pid: int) -> None:  # pragma: no cover - runs in the child
    """Ask Linux to kill the server when the API process dies, even by ``kill -9``.

    Runs in the forked child before exec. Linux sends the signal when the *thread* that
    forked the child ends, so :meth:`EmbeddedMongo.start` forks from a thread that lives as
    long as the server. SIGKILL, not SIGTERM: an owner that died without stopping the
    server died abnormally anyway, ``--sync-on-commit`` keeps acknowledged writes through
    a kill, and a graceful stop under load could outlast whoever waits to reuse the data
    folder (SecantusDB locks it).
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGKILL)


def _check_port_free(host: str, port: int) -> None:
    """Raise :class:`EmbeddedServerError` unless a server could listen on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise EmbeddedServerError(
                    f"port {port} on {host} is already in use; "
                    "choose another port or stop what listens there"
                ) from error
            raise EmbeddedServerError(f"cannot listen on {host}:{port}: {error}") from error


class EmbeddedMongo:
    """A SecantusDB server owned by this process; use as a context manager."""

    def __init__(
        self,
        data_dir: Path | str,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        startup_timeout: float = 30.0,
        supervise: bool = False,
        first_backoff_seconds: float = 0.1,
        max_backoff_seconds: float = 5.0,
        max_failed_restarts: int = 5,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port or free_port(host)
        self.startup_timeout = startup_timeout
        self.supervise = supervise
        self.supervisor = Supervisor(
            self,
            first_backoff_seconds=first_backoff_seconds,
            max_backoff_seconds=max_backoff_seconds,
            max_failed_restarts=max_failed_restarts,
        )
        """Restarts the server when it dies, if ``supervise``; counts restarts."""
        self._process: subprocess.Popen[bytes] | None = None
        self._release_owner: Callable[[], None] | None = None
        self._stopping = threading.Event()
        self._ready = threading.Event()  # supervision starts once the first start succeeded
        self._lock = threading.Lock()
        self._log_offset = 0

    @property
    def healthy(self) -> bool:
        """False once the supervisor's restarts have failed too often in a row."""
        return self.supervisor.healthy

    def on_restart(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (from the supervising thread) after every restart."""
        self.supervisor.on_restart(callback)

    @property
    def uri(self) -> str:
        return f"mongodb://{self.host}:{self.port}/?directConnection=true"

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    @property
    def config_path(self) -> Path:
        """An empty config file: without one, SecantusDB would read ./secantusd.toml,
        ~/.secantus/secantusd.toml or /etc/secantus/secantusd.toml (say, one turning on auth)."""
        return self.data_dir.parent / f"{self.data_dir.name}.secantusd.toml"

    def start(self) -> str:
        """Start the server and return its URI once it answers ``ping``.

        Raises :class:`EmbeddedServerError` when the data folder cannot be created, the
        port is taken, or the server exits or stays silent during start-up.
        """
        if self._process is not None:
            raise EmbeddedServerError(f"already started (pid {self._process.pid})")
        if importlib.util.find_spec(SERVER_MODULE) is None:
            raise EmbeddedServerError(
                "the embedded database is not installed: pip install 'trendgraph[embedded]' "
                "(scripts/bootstrap does), or set TRENDGRAPH_MONGODB_URI to a MongoDB server"
            )
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise EmbeddedServerError(
                f"cannot create the data folder {self.data_dir}: {error.strerror or error}"
            ) from error
        # Checked first: otherwise a server already on the port would answer our pings.
        _check_port_free(self.host, self.port)
        self.config_path.write_text(
            "# Empty on purpose: trendgraph passes every setting as a flag.\n", encoding="utf-8"
        )
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self._stopping.clear()
        self._ready.clear()
        self._process = self._spawn(self.command())
        try:
            self._wait_until_ready(self._process)
        except BaseException:
            self.stop()
            raise
        self._ready.set()
        logger.info(
            "embedded SecantusDB (pid %s) at %s, data in %s",
            self._process.pid,
            self.uri,
            self.data_dir.resolve(),
        )
        return self.uri

    def command(self) -> list[str]:
        """The server's command line."""
        return [
            sys.executable,
            "-m",
            SERVER_MODULE,
            "--config",
            str(self.config_path),
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--storage-path",
            str(self.data_dir),
            # Without it, acknowledged writes were lost on kill -9 (see docs/architecture.md).
            "--sync-on-commit",
            "--log-level",
            "WARNING",
        ]

    def _spawn(self, command: list[str]) -> subprocess.Popen[bytes]:
        """Fork the server from an owner thread that lives until :meth:`stop`.

        The parent-death signal follows the forking thread, so forking from the caller's
        thread would stop the server when, say, an ``asyncio.to_thread`` worker ends.
        """
        spawned: queue.Queue[subprocess.Popen[bytes] | BaseException] = queue.Queue()
        released = threading.Event()

        def own() -> None:
            try:
                process = self._popen(command)
            except BaseException as error:
                spawned.put(error)
                return
            spawned.put(process)
            self._watch(process, released)

        owner = threading.Thread(target=own, name="embedded-secantus-owner", daemon=True)
        owner.start()
        outcome = spawned.get()
        if isinstance(outcome, BaseException):
            raise EmbeddedServerError(f"cannot start SecantusDB: {outcome}") from outcome

        def release_owner() -> None:
            released.set()
            owner.join()

        self._release_owner = release_owner
        return outcome

    def _popen(self, command: list[str]) -> subprocess.Popen[bytes]:
        with self.log_path.open("ab") as log_file:
            return subprocess.Popen(
                command,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Own session: a Ctrl-C on the terminal reaches the API, which then
                # stops the server in order instead of both dying at once.
                start_new_session=True,
                preexec_fn=functools.partial(_die_with_parent, os.getpid()),
            )

    def _watch(self, process: subprocess.Popen[bytes], released: threading.Event) -> None:
        """Runs in the owner thread until :meth:`stop`: reaps the server when it exits
        (``poll`` collects its status, so no zombie stays) and, supervised, restarts it."""
        while not released.is_set():
            if process.poll() is None or self._stopping.is_set():
                released.wait(WATCH_INTERVAL_SECONDS)
                continue
            if not (self.supervise and self._ready.is_set()):
                logger.error(
                    "embedded SecantusDB (pid %s) exited with code %s",
                    process.pid,
                    process.returncode,
                )
                released.wait()
                return
            logger.error(
                "embedded SecantusDB (pid %s) exited with code %s; restarting it",
                process.pid,
                process.returncode,
            )
            restarted = self.supervisor.restart()
            if restarted is None:  # stopping
                return
            process = restarted

    def stopped_within(self, seconds: float) -> bool:
        """Wait up to ``seconds``; whether :meth:`stop` was called (for the supervisor)."""
        return self._stopping.wait(seconds)

    def relaunch(self) -> subprocess.Popen[bytes] | None:
        """Start the server again on its port and data folder and wait until it answers
        (for the supervisor); ``None`` when :meth:`stop` was called. Raises
        :class:`~app.storage.embedded_supervisor.RestartFailed`, the failed process gone."""
        try:
            _check_port_free(self.host, self.port)
            with self._lock:
                if self._stopping.is_set():
                    return None
                process = self._process = self._popen(self.command())
            self._wait_until_ready(process)
        except (EmbeddedServerError, OSError) as error:
            with self._lock:
                failed, self._process = self._process, None
            if failed is not None and failed.poll() is None:
                failed.kill()
                failed.wait()
            raise RestartFailed(str(error)) from error
        return process

    def _log_tail(self, lines: int = 2) -> str:
        """The last messages this run wrote to the server log (traceback frames skipped)."""
        try:
            with self.log_path.open("rb") as log_file:
                log_file.seek(self._log_offset)
                written = log_file.read().decode("utf-8", "replace")
        except OSError:
            return ""
        messages = [
            line.strip()
            for line in written.splitlines()
            if line.strip() and not line[0].isspace() and not line.startswith("Traceback")
        ]
        return " | ".join(messages[-lines:])

    def _wait_until_ready(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline and not self._stopping.is_set():
            if process.poll() is not None:
                tail = self._log_tail()
                raise EmbeddedServerError(
                    f"embedded SecantusDB exited with code {process.returncode}"
                    + (f": {tail}" if tail else "")
                    + f"; see {self.log_path}"
                )
            # Generous per attempt: on a loaded machine a first connection can take a second,
            # and a server that answers slowly is still up; never past the deadline.
            wait_ms = max(1, min(1_000, int((deadline - time.monotonic()) * 1_000)))
            client: MongoClient[dict[str, object]] = MongoClient(
                self.uri, serverSelectionTimeoutMS=wait_ms, connectTimeoutMS=wait_ms
            )
            try:
                client.admin.command("ping")
                return
            except PyMongoError:
                time.sleep(0.1)
            finally:
                client.close()
        raise EmbeddedServerError(
            f"embedded SecantusDB did not answer ping within {self.startup_timeout:.0f}s; "
            f"see {self.log_path}"
        )

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the server and wait for it; SIGKILL if it will not stop."""
        self._stopping.set()  # before the server exits: the supervisor must not restart it
        with self._lock:
            process, self._process = self._process, None
        release_owner, self._release_owner = self._release_owner, None
        try:
            self._stop(process, timeout)
        finally:
            if release_owner is not None:
                release_owner()

    def _stop(self, process: subprocess.Popen[bytes] | None, timeout: float) -> None:
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            logger.warning("embedded SecantusDB did not stop in %.0fs; killing it", timeout)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        logger.info("embedded SecantusDB stopped")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def __enter__(self) -> EmbeddedMongo:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
