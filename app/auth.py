"""Write access: an API key sent as ``Authorization: Bearer <key>``.

The service stores no keys, only their SHA-256 hex digests (``TRENDGRAPH_API_KEY_HASHES``,
comma-separated); a request may write when the digest of its key equals one of them,
compared in constant time. With no hashes configured, nobody may write.
"""

from __future__ import annotations

import hashlib
import hmac

from graphql import GraphQLError

from app.context import Info

BEARER = "bearer "


class WriteAccessDeniedError(GraphQLError):
    """The request carries no valid API key; ``extensions.code`` is ``UNAUTHENTICATED``."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "UNAUTHENTICATED"})


def key_hash(api_key: str) -> str:
    """The SHA-256 hex digest of ``api_key``, as ``TRENDGRAPH_API_KEY_HASHES`` lists them."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def require_writer(info: Info) -> None:
    """Raise :class:`WriteAccessDeniedError` unless the request may write."""
    request = info.context.request
    header = request.headers.get("authorization", "") if request is not None else ""
    if not header.lower().startswith(BEARER) or not header[len(BEARER) :].strip():
        raise WriteAccessDeniedError(
            "this operation writes: send an API key as 'Authorization: Bearer <key>'"
        )
    digest = key_hash(header[len(BEARER) :].strip())
    allowed = info.context.settings.api_key_hashes
    # Compare against every hash, so the time taken does not tell which one was close.
    matches = [hmac.compare_digest(digest, allowed_hash) for allowed_hash in allowed]
    if not any(matches):
        raise WriteAccessDeniedError("the API key is not valid for writing")
