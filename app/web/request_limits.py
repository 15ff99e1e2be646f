"""What bounds an HTTP GraphQL request before it executes, for :mod:`app.web.graphql_view`.

The rate-limit bucket a request draws on (its API key's, or its client address's; per
process or in the database, as ``TRENDGRAPH_RATE_LIMIT_STORE`` says) and charging it for
work done before execution (persisted-query lookups); the size limits on an anonymous
request's document and variables; and refusing with 503 while the database is away. The
buckets themselves are :mod:`app.storage.ratelimit`'s.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import orjson
from graphql import GraphQLError
from pymongo.errors import ConnectionFailure
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from app.settings import Settings
from app.storage.database import Database
from app.storage.ratelimit import Limiter, RateLimiter, SharedRateLimiter
from app.web.graphql_http import GraphQLHTTPError
from app.web.http_decisions import http_outcome
from schema.guards import DATABASE_RETRY_AFTER_SECONDS, rate_limited

PERSISTED_QUERY_LOOKUP_COST = 1
"""Points a persisted-query lookup that reaches the database takes (a ``find_one``)."""
PERSISTED_QUERY_REGISTRATION_COST = 10
"""Points a registration takes: a database write, kept for the TTL."""


class RequestLimiters:
    """The rate limiters of one view: one bucket per API key, one per client address."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # Per-process buckets, used when TRENDGRAPH_RATE_LIMIT_STORE is "process".
        self.anonymous_limiter = RateLimiter(
            settings.rate_limit_anonymous_capacity, settings.rate_limit_anonymous_restore_rate
        )
        self.key_limiter = RateLimiter(
            settings.rate_limit_key_capacity, settings.rate_limit_key_restore_rate
        )
        # Buckets in the database (TRENDGRAPH_RATE_LIMIT_STORE "database"), per database
        # the app serves (one, but tests open several).
        self._shared_limiters: dict[tuple[int, bool], SharedRateLimiter] = {}

    def limiter(self, database: Database, *, keyed: bool) -> Limiter | None:
        """The rate limiter for a request, or ``None`` when rate limiting is off."""
        settings = self.settings
        if not settings.rate_limit_enabled:
            return None
        if settings.rate_limit_store == "process":
            return self.key_limiter if keyed else self.anonymous_limiter
        shared = self._shared_limiters.get((id(database), keyed))
        if shared is None or shared.collection is not database.rate_limits:
            if keyed:
                capacity = settings.rate_limit_key_capacity
                rate = settings.rate_limit_key_restore_rate
            else:
                capacity = settings.rate_limit_anonymous_capacity
                rate = settings.rate_limit_anonymous_restore_rate
            shared = SharedRateLimiter(database.rate_limits, capacity, rate)
            self._shared_limiters[(id(database), keyed)] = shared
        return shared

    async def charge(
        self, request: Request, database: Database, key_id: str | None, cost: int
    ) -> None:
        """Take ``cost`` points from the bucket of the client (``key_id``: its valid API
        key's), or refuse the request (429)."""
        limiter = self.limiter(database, keyed=key_id is not None)
        if limiter is None:
            return
        async with database_errors_as_503(database):
            decision = await limiter.consume(client_key(request, key_id), cost)
        if not decision.allowed:
            error = rate_limited(cost, decision)
            raise GraphQLHTTPError(
                429,
                error.message,
                code="RATE_LIMITED",
                headers=http_outcome([decision]).headers,
            )


def client_key(request: Request | WebSocket, key_id: str | None) -> str:
    """Whose bucket a request draws on: its API key's, or its client address's."""
    if key_id is not None:
        return f"key:{key_id}"
    return f"ip:{peer(request)}"


def peer(request: Request | WebSocket) -> str:
    """The client's address, as the logs and the anonymous buckets name it."""
    return request.client.host if request.client else "unknown"


def oversized(data: GraphQLRequestData, settings: Settings) -> ExecutionResult | None:
    """The refusal of a document or variables over their size limit, if either is."""
    # One huge string literal is one token: max_tokens does not bound it.
    document_size = len((data.query or "").encode())
    if document_size > settings.max_document_bytes:
        return refusal(
            f"The GraphQL document takes {document_size} bytes; the limit is "
            f"{settings.max_document_bytes}.",
            "DOCUMENT_TOO_LARGE",
        )
    size = len(orjson.dumps(data.variables or {}))
    if size > settings.max_variables_bytes:
        return refusal(
            f"Variables take {size} bytes; the limit is {settings.max_variables_bytes}.",
            "VARIABLES_TOO_LARGE",
        )
    return None


def refusal(message: str, code: str) -> ExecutionResult:
    """An operation refused before (or instead of) executing, as its result."""
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])


@contextlib.asynccontextmanager
async def database_errors_as_503(database: Database) -> AsyncIterator[None]:
    """Refuse with 503 + Retry-After while the database is away, at once when the driver
    already knows it is."""
    unavailable = GraphQLHTTPError(
        503,
        "The database is unavailable; try again shortly.",
        code="DATABASE_UNAVAILABLE",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )
    if not database.available:
        database.wake_driver()
        raise unavailable
    try:
        yield
    except ConnectionFailure:
        raise unavailable from None
