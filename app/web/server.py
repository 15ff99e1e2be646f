"""How uvicorn serves the app: forwarded headers, and deadlines for slow clients.

uvicorn trusts ``X-Forwarded-For`` from loopback by default, so a client reaching the
server directly could pick its rate-limit bucket by forging the header: here forwarded
headers are read only from ``TRENDGRAPH_TRUSTED_PROXIES`` (none by default).

uvicorn closes idle keep-alive connections but waits forever for a request's headers or
body, so a client sending a byte at a time holds a socket (and, at the descriptor limit,
locks everyone else out). :class:`DeadlineProtocol` closes a connection whose headers are
not complete ``TRENDGRAPH_HEADER_TIMEOUT_SECONDS`` after it opened (or after its previous
response), or whose body is not complete ``TRENDGRAPH_BODY_TIMEOUT_SECONDS`` after its
headers, with one log line each.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.settings import Settings

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 32\r\nconnection: close\r\n\r\nThe request was not sent in time"
)


class DeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with deadlines for a request's headers and its body."""

    header_timeout_seconds = 10.0
    body_timeout_seconds = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self, seconds: float, waiting_for: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expired, waiting_for, seconds)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self, waiting_for: str, seconds: float) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        peer = f"{self.client[0]}:{self.client[1]}" if self.client else "unknown client"
        logger.warning("closing %s: its %s did not arrive within %gs", peer, waiting_for, seconds)
        if waiting_for == "headers":  # no request is running: answer it ourselves
            self.transport.write(REQUEST_TIMEOUT_RESPONSE)
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout_seconds, "headers")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # a new request on a kept-alive connection
            self._arm(self.header_timeout_seconds, "headers")

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._arm(self.body_timeout_seconds, "body")

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def uvicorn_config(app: ASGIApp, settings: Settings, host: str, port: int) -> uvicorn.Config:
    """The uvicorn configuration ``serve`` runs ``app`` with."""
    protocol = type(
        "ConfiguredDeadlineProtocol",
        (DeadlineProtocol,),
        {
            "header_timeout_seconds": settings.header_timeout_seconds,
            "body_timeout_seconds": settings.body_timeout_seconds,
        },
    )
    trusted = list(settings.trusted_proxies)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=10,
        http=protocol,
        # Without trusted proxies, uvicorn must not read the headers at all (its default
        # trusts loopback, and anything could be forwarding from there).
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or [],
    )
