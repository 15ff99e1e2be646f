"""API keys: writes need ``Authorization: Bearer <key>``; reads are public.

Only SHA-256 hashes of keys are configured (``TRENDGRAPH_API_KEY_HASHES``), so the
configuration holds no secret. A presented key is hashed and compared with every configured
hash in constant time. Keys are never logged; a principal is named by a short prefix of its
key's hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

UNAUTHENTICATED = "UNAUTHENTICATED"
"""``extensions.code`` of the GraphQL error a write without a valid key gets."""

KEY_ID_LENGTH = 12


def hash_key(key: str) -> str:
    """The SHA-256 hex digest of ``key``: what ``TRENDGRAPH_API_KEY_HASHES`` lists."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_api_key() -> tuple[str, str]:
    """A new random key (256 bits, URL-safe) and its hash."""
    key = secrets.token_urlsafe(32)
    return key, hash_key(key)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is writing: the key, named by the first characters of its hash."""

    key_id: str


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if it is one."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


class ApiKeys:
    """The configured keys (as hashes); answers who, if anyone, a request authenticates as."""

    def __init__(self, hashes: Iterable[str]) -> None:
        self._hashes = tuple(value.lower() for value in hashes)

    def authenticate(self, authorization: str | None) -> Principal | None:
        """The principal an ``Authorization`` header proves, or ``None``."""
        token = bearer_token(authorization)
        if token is None:
            return None
        digest = hash_key(token).encode("ascii")
        matched: str | None = None
        # Compare against every hash without stopping early, so timing reveals nothing.
        for configured in self._hashes:
            if hmac.compare_digest(digest, configured.encode("ascii")):
                matched = configured
        return Principal(key_id=matched[:KEY_ID_LENGTH]) if matched else None
