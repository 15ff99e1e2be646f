"""Supervising the embedded server: starting it again when it dies, and saying when it cannot.

:class:`app.storage.embedded.EmbeddedMongo` owns the server process and reaps it when it
exits; started supervised (as ``serve`` runs it), it hands the restart to its
:class:`Supervisor`, which starts it again on the same port and data folder with
exponential backoff between failed attempts. Every restart is logged and reported to the
``on_restart`` callbacks (the API counts them in ``/metrics``). After
:attr:`Supervisor.max_failed_restarts` failed attempts in a row the server reports itself
unhealthy (``/healthz`` fails, so whatever runs the process restarts it) and keeps trying.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable
from typing import Protocol

logger = logging.getLogger(__name__)


class RestartFailed(Exception):
    """One attempt to start the server again failed (the message says why)."""


class Restartable(Protocol):
    """What the supervisor needs of the server it restarts."""

    def stopped_within(self, seconds: float) -> bool:
        """Wait up to ``seconds``; whether the server is being stopped (no more restarts)."""
        ...

    def relaunch(self) -> subprocess.Popen[bytes] | None:
        """Start the server again and wait until it answers; ``None`` when it is being
        stopped. Raises :class:`RestartFailed` (the failed process cleaned up)."""
        ...


class Supervisor:
    """The restart policy of one server, and what it has done so far."""

    def __init__(
        self,
        server: Restartable,
        *,
        first_backoff_seconds: float,
        max_backoff_seconds: float,
        max_failed_restarts: int,
    ) -> None:
        self._server = server
        self.first_backoff_seconds = first_backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.max_failed_restarts = max_failed_restarts
        self.restarts = 0
        """Times the server died and was started again."""
        self.failed_restarts = 0
        """Failed attempts since the server last ran."""
        self._restart_callbacks: list[Callable[[], None]] = []

    @property
    def healthy(self) -> bool:
        """False once :attr:`max_failed_restarts` restarts in a row have failed."""
        return self.failed_restarts < self.max_failed_restarts

    def on_restart(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (from the supervising thread) after every restart."""
        self._restart_callbacks.append(callback)

    def restart(self) -> subprocess.Popen[bytes] | None:
        """Start the server again, with backoff, until it answers or it is being stopped
        (then ``None``)."""
        delay = self.first_backoff_seconds
        while not self._server.stopped_within(delay):
            delay = min(delay * 2, self.max_backoff_seconds)
            try:
                process = self._server.relaunch()
            except RestartFailed as error:
                self.failed_restarts += 1
                logger.error(
                    "embedded SecantusDB restart failed (%d in a row%s): %s",
                    self.failed_restarts,
                    "" if self.healthy else "; reporting unhealthy",
                    error,
                )
                continue
            if process is None:
                return None
            self.failed_restarts = 0
            self.restarts += 1
            logger.warning(
                "embedded SecantusDB restarted (pid %s; %d restarts so far)",
                process.pid,
                self.restarts,
            )
            for callback in self._restart_callbacks:
                callback()
            return process
        return None
