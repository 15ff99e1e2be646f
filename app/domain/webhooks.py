"""Webhooks: which targets are allowed (SSRF), and how deliveries are signed.

Each delivery is a JSON POST carrying ``X-Trendgraph-Timestamp: <unix seconds>`` and
``X-Trendgraph-Signature: sha256=<hex>``, the HMAC-SHA256 with the rule's secret of
``"<timestamp>.<raw body>"``. Receivers recompute it over the raw bytes they got, compare in
constant time, and refuse timestamps older than :data:`REPLAY_WINDOW_SECONDS` (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from urllib.parse import urlsplit

TIMESTAMP_HEADER = "X-Trendgraph-Timestamp"
SIGNATURE_HEADER = "X-Trendgraph-Signature"
ALERT_ID_HEADER = "X-Trendgraph-Alert-Id"
REPLAY_WINDOW_SECONDS = 300
"""How old a delivery's timestamp may be before receivers should refuse it (5 minutes)."""

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Trendgraph-Signature`` value of ``body`` sent at ``timestamp``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, now: float) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


def is_public(address: IpAddress) -> bool:
    """Routable on the internet: not private, loopback, link-local (cloud metadata at
    169.254.169.254), multicast, reserved, unspecified or shared (CGNAT) space."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return address.is_global and not address.is_multicast


LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def check_webhook_url(url: str, *, allow_private: bool) -> str:
    """``url`` if it may receive webhooks, else ``ValueError`` saying why.

    Checks the form (http or https, a host, no credentials, no fragment) and, unless
    ``allow_private``, that a literal IP or a local name does not point inside the network.
    Host names are resolved and checked again at each delivery.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValueError(f"not a URL: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("must be an http or https URL")
    host = parts.hostname
    if not host:
        raise ValueError("must name a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not carry credentials (sign with the secret instead)")
    if parts.fragment:
        raise ValueError("must not have a fragment")
    if port == 0:
        raise ValueError("port 0 is not a port")
    if allow_private:
        return url
    if host.rstrip(".").lower() in LOCAL_NAMES or host.rstrip(".").lower().endswith(".localhost"):
        raise ValueError(f"{host} is a local name; webhooks to it are refused (SSRF)")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return url  # a name: resolved and checked when delivering
    if not is_public(address):
        raise ValueError(f"{address} is not a public address; webhooks to it are refused (SSRF)")
    return url
