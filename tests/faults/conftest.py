"""One database server of its own for the fault suite's served APIs (see ``own_database``).

Fixtures and tests that wait on processes run the waiting in threads: the session's event
loop must keep running, or the driver's monitor of the shared test database (an asyncio
task) stalls, times out on resuming, and the next tests find the database "unavailable".
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from app.storage.embedded import EmbeddedMongo


@pytest.fixture(scope="session")
async def faults_database_uri(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """Stopping an API process makes the embedded server pause while it drops that
    process's change streams: the session's shared server must not, under other tests."""
    server = EmbeddedMongo(tmp_path_factory.mktemp("faults-db") / "data")
    await asyncio.to_thread(server.start)
    yield server.uri
    await asyncio.to_thread(server.stop)
