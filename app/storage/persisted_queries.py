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
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.collection import AsyncCollection

from app.storage.database import Document


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


class PersistedQueryStore:
    """Stores persisted queries by hash; hits are cached in-process.

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
