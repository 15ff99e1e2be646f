"""Automatic persisted queries (Apollo's APQ protocol), stored in MongoDB.

A client sends ``extensions.persistedQuery = {version: 1, sha256Hash}`` without the query;
on a miss it gets ``PersistedQueryNotFound`` (``extensions.code`` PERSISTED_QUERY_NOT_FOUND)
and retries with the query, which registers it once the hash checks out and the document
validates. Queries live in the ``persisted_queries`` collection (``_id`` is the hash), so
every API instance sees every registration. With ``TRENDGRAPH_PERSISTED_QUERIES_ONLY``
only queries already stored run (register them with ``python -m app persist-queries``).

Anyone may register a query over HTTP, so those registrations expire
(``TRENDGRAPH_PERSISTED_QUERY_TTL_SECONDS``, a TTL index on ``expiresAt``): the collection
stays bounded by the registration rate times the TTL, and a client whose query expired gets
PERSISTED_QUERY_NOT_FOUND and registers it again, as the protocol expects. Queries
registered by ``persist-queries`` (the allow-list) never expire.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.collection import AsyncCollection

from app.database import Document
from app.graphql_http import GraphQLHTTPError, GraphQLParams, bad_request

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
"""The code Apollo Client (and every APQ client) retries on."""


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Resolved:
    """The parameters to execute, and the hash to register once the query validates."""

    params: GraphQLParams
    register_hash: str | None = None


class PersistedQueries:
    """Looks up and registers persisted queries; hits are cached in-process.

    The cache is safe to share across requests: a hash names one query text forever.
    """

    def __init__(
        self, *, only_registered: bool, ttl_seconds: int = 0, cache_size: int = 1_000
    ) -> None:
        self.only_registered = only_registered
        self.ttl_seconds = ttl_seconds
        """How long a registration over HTTP is kept; 0: forever."""
        self._cache: OrderedDict[str, str] = OrderedDict()
        self._cache_size = cache_size

    async def lookup(self, collection: AsyncCollection[Document], sha256_hash: str) -> str | None:
        if (query := self._cache.get(sha256_hash)) is not None:
            self._cache.move_to_end(sha256_hash)
            return query
        document = await collection.find_one({"_id": sha256_hash}, {"query": 1})
        if document is None:
            return None
        query = str(document["query"])
        self._remember(sha256_hash, query)
        return query

    async def register(
        self,
        collection: AsyncCollection[Document],
        sha256_hash: str,
        query: str,
        *,
        permanent: bool = False,
    ) -> None:
        """Store ``query`` under its hash; idempotent, safe under concurrent registration.

        ``permanent`` (the allow-list) keeps it forever, even if it was registered over
        HTTP before; otherwise a new registration expires after :attr:`ttl_seconds`.
        """
        moment = datetime.now(UTC)
        update: Document = {"$setOnInsert": {"query": query, "createdAt": moment}}
        if permanent:
            update["$unset"] = {"expiresAt": ""}
        elif self.ttl_seconds:
            update["$setOnInsert"]["expiresAt"] = moment + timedelta(seconds=self.ttl_seconds)
        await collection.update_one({"_id": sha256_hash}, update, upsert=True)
        self._remember(sha256_hash, query)

    def _remember(self, sha256_hash: str, query: str) -> None:
        self._cache[sha256_hash] = query
        self._cache.move_to_end(sha256_hash)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

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
