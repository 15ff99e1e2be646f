"""Counting the database commands issued on behalf of one request (or any block of code).

A PyMongo command listener, installed on every client :class:`app.storage.database.Database`
opens, counts into the :class:`CommandStats` bound to the current context: the tests and
benchmarks assert round trips with it, and each GraphQL request reports its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from pymongo import monitoring


@dataclass
class CommandStats:
    """Database commands issued on behalf of one request."""

    commands: int = 0
    by_name: dict[str, int] = field(default_factory=dict)

    def record(self, command_name: str) -> None:
        self.commands += 1
        self.by_name[command_name] = self.by_name.get(command_name, 0) + 1


_current_stats: ContextVar[CommandStats | None] = ContextVar(
    "trendgraph_command_stats", default=None
)


@contextlib.contextmanager
def count_commands(stats: CommandStats | None = None) -> Iterator[CommandStats]:
    """Count the database commands issued inside this block (and tasks it starts)."""
    stats = stats or CommandStats()
    token = _current_stats.set(stats)
    try:
        yield stats
    finally:
        _current_stats.reset(token)


def bind_command_stats(stats: CommandStats) -> None:
    """Count commands of the current context (one request) into ``stats`` from now on."""
    _current_stats.set(stats)


class CommandCounter(monitoring.CommandListener):
    """PyMongo command monitoring; the driver calls it in the task that issues the command."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        stats = _current_stats.get()
        if stats is not None:
            stats.record(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass
