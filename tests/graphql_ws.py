"""A small graphql-transport-ws client over ``websockets``, for tests against a served API."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

PROTOCOL = Subprotocol("graphql-transport-ws")
TIMEOUT = 20.0
"""A guard against hanging forever, not a measurement: events normally come in milliseconds."""


class GraphQLWebSocket:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    @classmethod
    @contextlib.asynccontextmanager
    async def open(
        cls, url: str, *, origin: str | None = None, init: bool = True
    ) -> AsyncIterator[GraphQLWebSocket]:
        async with connect(
            url, subprotocols=[PROTOCOL], origin=Origin(origin) if origin else None
        ) as connection:
            client = cls(connection)
            if init:
                await client.send({"type": "connection_init", "payload": {}})
                assert (await client.receive())["type"] == "connection_ack"
            yield client

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        """The next message other than ping (answered with pong)."""
        while True:
            message: dict[str, Any] = json.loads(
                await asyncio.wait_for(self.connection.recv(), TIMEOUT)
            )
            if message["type"] != "ping":
                return message
            await self.send({"type": "pong"})

    async def subscribe(
        self, operation_id: str, query: str, variables: dict[str, Any] | None = None
    ) -> None:
        await self.send(
            {
                "id": operation_id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )

    async def next_event(self, operation_id: str | None = None) -> dict[str, Any]:
        """The next ``next`` message's payload (for ``operation_id`` if given)."""
        while True:
            message = await self.receive()
            if operation_id is not None and message.get("id") != operation_id:
                continue
            assert message["type"] == "next", message
            payload: dict[str, Any] = message["payload"]
            return payload

    async def closed(self) -> tuple[int | None, str | None]:
        """Wait for the server to close; its close code and reason."""
        with contextlib.suppress(Exception):
            while True:
                await asyncio.wait_for(self.connection.recv(), TIMEOUT)
        return self.connection.close_code, self.connection.close_reason
