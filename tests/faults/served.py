"""Fixtures for the fault suite: the API served as a process, raw sockets to it."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

from app.storage.embedded import EmbeddedMongo
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


@contextlib.contextmanager
def own_database(folder: Path) -> Iterator[str]:
    """A database server of its own for served APIs: stopping an API process makes the
    embedded server pause while it drops that process's change streams, which the
    session's shared server must not do under the other tests' feet."""
    with EmbeddedMongo(folder / "data") as server:
        yield server.uri
