"""The APQ protocol over HTTP: which query a persisted-query request runs, or why it is refused.

The queries themselves live in :class:`app.storage.persisted_queries.PersistedQueryStore`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pymongo.asynchronous.collection import AsyncCollection

from app.storage.database import Document
from app.storage.persisted_queries import PersistedQueryStore, sha256_hex
from app.web.graphql_http import GraphQLHTTPError, GraphQLParams, bad_request

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
"""The code Apollo Client (and every APQ client) retries on."""


@dataclass(frozen=True, slots=True)
class Resolved:
    """The parameters to execute, and the hash to register once the query validates."""

    params: GraphQLParams
    register_hash: str | None = None


class PersistedQueries(PersistedQueryStore):
    """The store plus the protocol: resolves a request's query from its hash."""

    def needs_database(self, params: GraphQLParams) -> bool:
        """True when resolving ``params`` reads or writes the database: a persisted-query
        request whose hash this process has not seen (a lookup, a miss, a registration)."""
        sha256_hash = _requested_hash(params)
        return sha256_hash is not None and sha256_hash not in self._cache

    async def register(
        self,
        collection: AsyncCollection[Document],
        sha256_hash: str,
        query: str,
        *,
        permanent: bool = False,
    ) -> None:
        """Store ``query`` unless this process already knows it is stored (no write)."""
        if not permanent and self._cache.get(sha256_hash) == query:
            return
        await super().register(collection, sha256_hash, query, permanent=permanent)

    async def resolve(
        self, collection: AsyncCollection[Document], params: GraphQLParams
    ) -> Resolved:
        """Fill in the query of a persisted-query request, or refuse the request."""
        sha256_hash = _requested_hash(params)
        if sha256_hash is None:
            if self.only_registered:
                raise bad_request(
                    "This server runs only persisted queries: send "
                    "extensions.persistedQuery {version: 1, sha256Hash}",
                    code="PERSISTED_QUERY_REQUIRED",
                )
            return Resolved(params)
        if params.query is not None:
            if sha256_hex(params.query) != sha256_hash:
                raise bad_request(
                    "provided sha does not match query", code="PERSISTED_QUERY_HASH_MISMATCH"
                )
            if not self.only_registered:
                return Resolved(params, register_hash=sha256_hash)
        stored = await self.lookup(collection, sha256_hash)
        if stored is None:
            if params.query is not None:  # only-registered mode: no registration over HTTP
                raise bad_request(
                    "This server runs only persisted queries and this one is not registered",
                    code="PERSISTED_QUERY_NOT_REGISTERED",
                )
            raise PersistedQueryNotFound()
        return Resolved(replace(params, query=stored))


class PersistedQueryNotFound(GraphQLHTTPError):
    """The hash is unknown: the client should retry with the query to register it."""

    def __init__(self) -> None:
        # 200 like Apollo Server (clients read the error from the body to retry); the view
        # raises it to 400 under application/graphql-response+json, as for any request error.
        super().__init__(200, "PersistedQueryNotFound", code=NOT_FOUND)


def _requested_hash(params: GraphQLParams) -> str | None:
    """The ``sha256Hash`` of ``extensions.persistedQuery``, checked; ``None`` when absent."""
    persisted = (params.extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict):
        raise bad_request("extensions.persistedQuery must be an object")
    if persisted.get("version") != 1:
        raise bad_request(
            "Unsupported persisted query version (only version 1 is supported)",
            code="PERSISTED_QUERY_VERSION_NOT_SUPPORTED",
        )
    sha256_hash = persisted.get("sha256Hash")
    if not isinstance(sha256_hash, str) or not _SHA256_HEX.match(sha256_hash):
        raise bad_request("extensions.persistedQuery.sha256Hash must be 64 lowercase hex digits")
    return sha256_hash
