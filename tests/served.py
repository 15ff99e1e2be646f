"""The API served for real: ``python -m app serve`` in a child process on a free loopback port.

For what only a real server can show: the graphql-http audit (Node's fetch over TCP),
subscriptions across two processes, GraphiQL in a browser.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from app.storage.embedded import free_port


class ServedAPI:
    """One API process on the test database; use as a context manager."""

    def __init__(
        self,
        mongodb_uri: str,
        database: str,
        log_path: Path,
        *,
        extra_env: dict[str, str] | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.startup_timeout = startup_timeout
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TRENDGRAPH_")},
            # The one setting the suite is run both ways with (docs/executor.md).
            **{k: v for k, v in os.environ.items() if k.upper() == "TRENDGRAPH_COMPILED_EXECUTION"},
            "TRENDGRAPH_MONGODB_URI": mongodb_uri,
            "TRENDGRAPH_DATABASE": database,
            "TRENDGRAPH_LOG_LEVEL": "WARNING",
            # Tests that want the alert evaluator and deliverer turn them on; others share
            # the test database and must not have their trends evaluated.
            "TRENDGRAPH_ALERTS_ENABLED": "false",
            # Nor fit forecasts for every series other tests left in the shared database.
            "TRENDGRAPH_FORECAST_CATCH_UP": "false",
            **(extra_env or {}),
        }
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def start(self) -> None:
        command = [sys.executable, "-m", "app", "serve", "--no-seed", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"the API exited with code {self._process.returncode}: "
                    + self.log_path.read_text(errors="replace")[-2000:]
                )
            try:
                if httpx.get(self.url.replace("/graphql", "/readyz"), timeout=1).is_success:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the API did not become ready; see {self.log_path}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        """SIGKILL: the process dies at once, without shutdown (``kill -9``)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> ServedAPI:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
