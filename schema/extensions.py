"""Schema extensions: the error policy and telemetry after execution.

The guards that run before execution (cost, availability, rate limit, response cache) are in
:mod:`schema.guards`. All read their limits from the request's
:class:`schema.context.Context`, so one schema serves every configuration.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from graphql.error import GraphQLSyntaxError
from pymongo.errors import ConnectionFailure
from strawberry.extensions import SchemaExtension

from app.observability import access_logger
from schema.context import Context
from schema.guards import coded_error, database_unavailable, unavailable_decision

logger = logging.getLogger(__name__)

INTERNAL_ERROR_MESSAGE = "Internal server error"


def is_unexpected(error: GraphQLError) -> bool:
    """True for exceptions the code did not mean to raise (bugs): their text stays private."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | ConnectionFailure)


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
            if isinstance(context, Context):  # the transport answers 503 + Retry-After
                context.decide(unavailable_decision())
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
