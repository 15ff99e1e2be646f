"""Schema extensions: limits and rate limits before execution, error policy and telemetry after.

They read their limits from the request's :class:`schema.context.Context`, so one schema
serves every configuration.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, parse
from graphql.error import GraphQLSyntaxError
from pymongo.errors import ConnectionFailure
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from app.observability import access_logger
from schema.context import Context
from schema.cost import query_cost

logger = logging.getLogger(__name__)

INTERNAL_ERROR_MESSAGE = "Internal server error"


def coded_error(message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def database_unavailable() -> GraphQLError:
    return coded_error("The database is unavailable; try again shortly.", "DATABASE_UNAVAILABLE")


def is_unexpected(error: GraphQLError) -> bool:
    """True for exceptions the code did not mean to raise (bugs): their text stays private."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | ConnectionFailure)


class OperationGuard(SchemaExtension):
    """Refuses, before execution, what must not run: no database, too costly, rate limited.

    Reports the cost in ``extensions.cost`` (Shopify's shape).
    """

    def __init__(self) -> None:
        super().__init__()
        self.cost: int | None = None

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        if not isinstance(context, Context) or execution.graphql_document is None:
            yield
            return
        settings = context.settings
        cost_of = functools.partial(
            query_cost,
            execution.schema._schema,
            execution.graphql_document,
            operation_name=execution.operation_name,
            variables=execution.variables,
            default_page_size=settings.default_page_size,
            max_page_size=settings.max_page_size,
        )
        self.cost = cost_of()
        context.query_cost = self.cost
        # The limits below are sized for reads. An API-key holder's bulk write is bounded by
        # MAX_BATCH items instead (the mutation refuses more with a user error): they see it
        # as one item, so a seeding batch of 500 fits, while what it selects still counts.
        limited = self.cost
        if context.principal is not None and execution.operation_type is OperationType.MUTATION:
            limited = cost_of(count_bulk_items=False)
        refusal: GraphQLError | None = None
        if limited > settings.max_query_cost:
            refusal = coded_error(
                f"Query cost {limited} exceeds the maximum of {settings.max_query_cost}; "
                "ask for fewer items (first/last) or fewer nested lists.",
                "MAX_COST_EXCEEDED",
                cost=limited,
                maximumCost=settings.max_query_cost,
            )
        elif not context.database.available:
            refusal = database_unavailable()
        elif context.rate_limiter is not None:
            decision = context.rate_limiter.consume(context.client_key, limited)
            context.rate_decision = decision
            if context.response is not None:
                headers = context.response.headers
                headers["RateLimit-Limit"] = str(decision.limit)
                headers["RateLimit-Remaining"] = str(decision.remaining)
                headers["RateLimit-Reset"] = str(decision.reset_seconds)
            if not decision.allowed:
                refusal = coded_error(
                    f"Rate limited: this query costs {limited} points and "
                    f"{decision.remaining} are available; retry in "
                    f"{decision.retry_after_seconds}s.",
                    "RATE_LIMITED",
                    retryAfterSeconds=decision.retry_after_seconds,
                )
                if context.response is not None:
                    context.response.status_code = 429
                    context.response.headers["Retry-After"] = str(decision.retry_after_seconds)
        if refusal is not None:
            execution.result = ExecutionResult(data=None, errors=[refusal])
            yield
            return
        cache = context.response_cache
        operation_type = execution.operation_type
        if operation_type is OperationType.MUTATION:
            yield
            if cache is not None:  # this process's own writes show at once
                cache.invalidate()
            return
        if cache is None or not _shareable(execution, context):
            yield
            return
        key = cache.key(execution.query or "", execution.operation_name, execution.variables)
        cached = cache.get(key)
        if context.response is not None:
            context.response.headers["X-Cache"] = "HIT" if cached is not None else "MISS"
        if cached is not None:
            execution.result = ExecutionResult(data=cached, errors=None)
            yield
            return
        generation = cache.generation
        yield
        result = execution.result
        if result is not None and not result.errors and result.data is not None:
            cache.put(key, result.data, generation)

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        context = self.execution_context.context
        cost: dict[str, Any] = {
            "requestedQueryCost": self.cost,
            "maximumAvailable": context.settings.max_query_cost,
        }
        decision = getattr(context, "rate_decision", None)
        if decision is not None:
            cost["throttleStatus"] = {
                "maximumAvailable": decision.limit,
                "currentlyAvailable": decision.remaining,
                "restoreRate": decision.restore_rate,
            }
        return {"cost": cost}


def _shareable(execution: Any, context: Context) -> bool:
    """An anonymous query sent as GET or as a persisted query: one answer fits every client."""
    request = context.request
    if context.principal is not None or request is None or request.scope["type"] != "http":
        return False
    if execution.operation_type is not OperationType.QUERY:
        return False
    persisted = "persistedQuery" in (execution.operation_extensions or {})
    return request.scope.get("method") == "GET" or persisted


class ErrorPolicy(SchemaExtension):
    """Every error carries ``extensions.code``; unexpected ones are masked with a request id.

    Also writes the request's access log line and metrics.
    """

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        execution = self.execution_context
        result = execution.result
        context = execution.context
        if result is not None and result.errors:
            result.errors = [self._public(error, context) for error in result.errors]
        if isinstance(context, Context):
            operation = execution.operation_name
            errors = list(getattr(result, "errors", None) or [])
            has_data = bool(getattr(result, "data", None))
            self._record(context, operation, errors, has_data, time.perf_counter() - started)

    @staticmethod
    def _public(error: GraphQLError, context: Any) -> GraphQLError:
        request_id = getattr(context, "request_id", None)
        if isinstance(error.original_error, ConnectionFailure):
            public = database_unavailable()
        elif is_unexpected(error):
            public = coded_error(
                f"{INTERNAL_ERROR_MESSAGE} (request id {request_id})",
                "INTERNAL_SERVER_ERROR",
                requestId=request_id,
            )
        else:
            extensions = dict(error.extensions or {})
            if "code" not in extensions:
                if isinstance(error, GraphQLSyntaxError) or (
                    error.message.startswith("Syntax Error")
                ):
                    extensions["code"] = "GRAPHQL_PARSE_FAILED"
                elif error.path is None:
                    extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
                else:
                    extensions["code"] = "BAD_USER_INPUT"
            return GraphQLError(
                error.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                original_error=error.original_error,
                extensions=extensions,
            )
        return GraphQLError(
            public.message,
            nodes=error.nodes,
            path=error.path,
            extensions=public.extensions,
        )

    @staticmethod
    def _record(
        context: Context,
        operation: str | None,
        errors: list[GraphQLError],
        has_data: bool,
        seconds: float,
    ) -> None:
        codes = [str((error.extensions or {}).get("code", "UNKNOWN")) for error in errors]
        if not errors:
            status = "ok"
        elif has_data:
            status = "partial"
        else:
            status = "error"
        metrics = context.metrics
        if metrics is not None:
            label = metrics.operation_label(operation)
            metrics.requests.labels(label, status).inc()
            metrics.latency.labels(label).observe(seconds)
            metrics.database_commands.observe(context.command_stats.commands)
            if context.query_cost is not None:
                metrics.query_cost.observe(context.query_cost)
            for code in codes:
                metrics.errors.labels(code).inc()
        access_logger.info(
            "graphql %s %s",
            operation or "anonymous",
            status,
            extra={
                "request_id": context.request_id,
                "operation": operation,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "cost": context.query_cost,
                "database_commands": context.command_stats.commands,
                "error_codes": codes,
            },
        )


@functools.lru_cache(maxsize=256)
def _cached_parse(query: str, max_tokens: int | None) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


class ParseCache(SchemaExtension):
    """Caches parsed documents (bounded LRU shared by all requests).

    Unlike strawberry's ``ParserCache``, a document that fails to parse is left for
    strawberry to parse again and report, so the error passes through every extension's
    ``on_operation`` like any other (``ParserCache`` raising from ``on_parse`` skips them).
    """

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        if execution.query is not None and execution.graphql_document is None:
            with contextlib.suppress(GraphQLError):
                execution.graphql_document = _cached_parse(
                    execution.query, execution.parse_options.get("max_tokens")
                )
        yield
