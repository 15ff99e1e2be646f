"""Sending one webhook: resolve and check the target (SSRF), POST the signed body to the
address that was checked, read a bounded answer.

The host name is resolved once, every address it resolves to must be public (unless
``TRENDGRAPH_WEBHOOK_ALLOW_PRIVATE``), and the connection goes to that checked address (the
``Host`` header and the TLS server name stay the original host), so a DNS answer that
changes between the check and the connection (rebinding) cannot redirect it inside the
network. Redirects are never followed; a 3xx answer is a failed attempt.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from app.domain.webhooks import (
    ALERT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    IpAddress,
    check_webhook_url,
    is_public,
    sign,
)

MAX_RESPONSE_BYTES = 4_096
"""How much of a receiver's answer is read (and kept as the attempt's error excerpt)."""
USER_AGENT = "trendgraph-webhooks/1"

Resolver = Callable[[str, int], Awaitable[list[IpAddress]]]


async def resolve(host: str, port: int) -> list[IpAddress]:
    """Every address ``host`` resolves to (a literal IP resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


class RefusedTargetError(Exception):
    """The webhook's target is not allowed (SSRF); nothing was sent."""


@dataclass(frozen=True, slots=True)
class WebhookAnswer:
    status_code: int
    excerpt: str


@dataclass(frozen=True, slots=True)
class WebhookSender:
    client: httpx.AsyncClient
    allow_private: bool
    timeout_seconds: float
    resolver: Resolver = resolve

    async def send(
        self, url: str, secret: str, alert_id: str, body: bytes, timestamp: int
    ) -> WebhookAnswer:
        """POSTs ``body``; raises :class:`RefusedTargetError` or an ``httpx`` error."""
        try:
            check_webhook_url(url, allow_private=self.allow_private)
        except ValueError as error:
            raise RefusedTargetError(str(error)) from None
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = await self.resolver(host, port)
        except OSError as error:
            raise httpx.ConnectError(f"cannot resolve {host}: {error}") from None
        if not addresses:
            raise httpx.ConnectError(f"{host} resolves to no address")
        if not self.allow_private:
            private = [str(address) for address in addresses if not is_public(address)]
            if private:
                raise RefusedTargetError(
                    f"{host} resolves to {', '.join(private)}: not a public address (SSRF)"
                )
        address = addresses[0]
        shown = f"[{address}]" if address.version == 6 else str(address)
        netloc = f"{shown}:{parts.port}" if parts.port else shown
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        headers = {
            "Host": parts.netloc.rpartition("@")[2],
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret, timestamp, body),
            ALERT_ID_HEADER: alert_id,
        }
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        async with asyncio.timeout(self.timeout_seconds):
            request = self.client.build_request(
                "POST", pinned, content=body, headers=headers, extensions=extensions
            )
            response = await self.client.send(request, stream=True, follow_redirects=False)
            try:
                excerpt = b""
                async for chunk in response.aiter_raw():
                    excerpt += chunk
                    if len(excerpt) >= MAX_RESPONSE_BYTES:
                        break
            finally:
                await response.aclose()
        return WebhookAnswer(
            response.status_code, excerpt[:MAX_RESPONSE_BYTES].decode("utf-8", "replace")
        )


def webhook_client(timeout_seconds: float) -> httpx.AsyncClient:
    """The deliverer's client: no redirects, no proxies or settings from the environment."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(timeout_seconds),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
    )
