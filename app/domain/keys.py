"""API keys and the principals they prove: writes need ``Authorization: Bearer <key>``.

Only SHA-256 hashes of keys are configured (``TRENDGRAPH_API_KEY_HASHES``), so the
configuration holds no secret. A presented key is hashed and compared with every configured
hash in constant time. Keys are never logged; a principal is identified by a short prefix of
its key's hash (its ``key_id``, which owns its watchlists and alert rules) and carries a name
and scopes.

An entry of ``TRENDGRAPH_API_KEY_HASHES`` is either a bare hash (the original form: the key
may ``read`` and ``write``, and is named by its key id) or ``<name>:<hash>:<scopes>`` with
scopes joined by ``+`` (``analyst:9f86...:read+alerts``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

UNAUTHENTICATED = "UNAUTHENTICATED"
"""``extensions.code`` of the GraphQL error a write without a valid key gets."""

FORBIDDEN = "FORBIDDEN"
"""``extensions.code`` of the error a valid key without the needed scope gets."""

KEY_ID_LENGTH = 12


class Scope(StrEnum):
    """What a key may do. Reads of trends are public; ``read`` is granted for completeness."""

    READ = "read"
    WRITE = "write"
    ALERTS = "alerts"
    """Own watchlists and alert rules (and see their deliveries)."""


LEGACY_SCOPES = frozenset({Scope.READ, Scope.WRITE})
"""The scopes of a bare-hash entry: what every key could do before scopes existed."""

KEY_NAME_PATTERN = r"[a-z0-9][a-z0-9_-]{0,39}"
_SCOPES_PATTERN = "(?:" + "|".join(scope.value for scope in Scope) + ")"
KEY_ENTRY_PATTERN = (
    rf"^(?:(?P<name>{KEY_NAME_PATTERN}):)?(?P<hash>[0-9a-f]{{64}})"
    rf"(?::(?P<scopes>{_SCOPES_PATTERN}(?:\+{_SCOPES_PATTERN})*))?$"
)
"""One entry of ``TRENDGRAPH_API_KEY_HASHES`` (lowercase): ``[name:]hash[:scope+scope]``."""


def hash_key(key: str) -> str:
    """The SHA-256 hex digest of ``key``: what ``TRENDGRAPH_API_KEY_HASHES`` lists."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_api_key() -> tuple[str, str]:
    """A new random key (256 bits, URL-safe) and its hash."""
    key = secrets.token_urlsafe(32)
    return key, hash_key(key)


def key_entry(key_hash: str, name: str | None = None, scopes: Iterable[Scope] = ()) -> str:
    """The ``TRENDGRAPH_API_KEY_HASHES`` entry for a key: the bare hash without a name and
    scopes, else ``name:hash:scopes``."""
    chosen = sorted(set(scopes), key=list(Scope).index)
    if name is None and not chosen:
        return key_hash
    entry = f"{name or key_hash[:KEY_ID_LENGTH]}:{key_hash}"
    return f"{entry}:{'+'.join(chosen)}" if chosen else entry


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key, identified by the first characters of its hash."""

    key_id: str
    name: str = ""
    scopes: frozenset[Scope] = LEGACY_SCOPES

    def may(self, scope: Scope) -> bool:
        return scope in self.scopes


@dataclass(frozen=True, slots=True)
class _ConfiguredKey:
    digest: bytes
    principal: Principal


def parse_key_entry(entry: str) -> tuple[str, Principal]:
    """The hash and principal of one configured entry; ``ValueError`` if it is malformed."""
    match = re.fullmatch(KEY_ENTRY_PATTERN, entry.strip().lower())
    if match is None:
        raise ValueError(
            f"{entry[:20]!r}... is not `<sha256 hex>` or `<name>:<sha256 hex>:<scope>+<scope>`"
        )
    key_hash = match["hash"]
    key_id = key_hash[:KEY_ID_LENGTH]
    scopes = (
        frozenset(Scope(scope) for scope in match["scopes"].split("+"))
        if match["scopes"]
        else LEGACY_SCOPES
    )
    return key_hash, Principal(key_id=key_id, name=match["name"] or key_id, scopes=scopes)


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

    def __init__(self, entries: Iterable[str]) -> None:
        keys = []
        for entry in entries:
            key_hash, principal = parse_key_entry(entry)
            keys.append(_ConfiguredKey(key_hash.encode("ascii"), principal))
        self._keys = tuple(keys)

    def authenticate(self, authorization: str | None) -> Principal | None:
        """The principal an ``Authorization`` header proves, or ``None``."""
        token = bearer_token(authorization)
        if token is None:
            return None
        digest = hash_key(token).encode("ascii")
        matched: Principal | None = None
        # Compare against every hash without stopping early, so timing reveals nothing.
        for configured in self._keys:
            if hmac.compare_digest(digest, configured.digest):
                matched = configured.principal
        return matched
