"""Fixtures for the fault suite: the API served as a process, raw sockets to it."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

from tests.served import ServedAPI


def raw_connection(api: ServedAPI) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", api.port), timeout=15)
    return connection


def read_until_closed(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (``socket.timeout`` if
    it never does within the connection's timeout)."""
    received = b""
    while chunk := connection.recv(65_536):
        received += chunk
    return received


def log_text(api: ServedAPI) -> str:
    return Path(api.log_path).read_text(errors="replace")


@contextlib.asynccontextmanager
async def serving(api: ServedAPI) -> AsyncIterator[ServedAPI]:
    """``api`` started and stopped in threads (the event loop keeps running meanwhile)."""
    await asyncio.to_thread(api.start)
    try:
        yield api
    finally:
        await asyncio.to_thread(api.stop)
