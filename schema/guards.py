"""The operation guards: one schema extension per concern, each recording a typed decision.

Before execution, in this order: the cost of the operation against its maximum
(:class:`CostGuard`), the database's availability (:class:`AvailabilityGuard`), the client's
rate-limit bucket (:class:`RateLimitGuard`), and the shared response cache
(:class:`ResponseCacheGuard`). A guard that refuses sets the result, and the guards after it
let it stand. None of them speaks HTTP: the decisions go on the context
(:meth:`schema.context.Context.decide`) and the GraphQL view maps them to a status and
headers.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

from graphql import GraphQLError
from pymongo.errors import ConnectionFailure
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from schema.context import Context
from schema.cost import remembered_query_cost
from schema.decisions import (
    CacheDecision,
    CostDecision,
    DatabaseUnavailable,
    OperationDecision,
    RateDecision,
)

DATABASE_RETRY_AFTER_SECONDS = 2
"""What ``Retry-After`` tells clients during an outage: the driver notices a returning
server within a second (its heartbeat), the embedded server restarts within about as long."""

_Decision = TypeVar("_Decision", bound=OperationDecision)


def coded_error(message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def database_unavailable() -> GraphQLError:
    return coded_error("The database is unavailable; try again shortly.", "DATABASE_UNAVAILABLE")


def unavailable_decision() -> DatabaseUnavailable:
    return DatabaseUnavailable(retry_after_seconds=DATABASE_RETRY_AFTER_SECONDS)


def decision_of(context: Context, kind: type[_Decision]) -> _Decision | None:
    """The latest decision of ``kind`` recorded for this request."""
    for decision in reversed(context.decisions):
        if isinstance(decision, kind):
            return decision
    return None


def _guarded(execution: ExecutionContext) -> Context | None:
    """The context when this operation is for the guards to judge (nothing refused it yet)."""
    context = execution.context
    if not isinstance(context, Context) or execution.graphql_document is None:
        return None
    if execution.result is not None:  # an earlier guard refused it
        return None
    return context


def _refuse(execution: ExecutionContext, error: GraphQLError) -> None:
    execution.result = ExecutionResult(data=None, errors=[error])


class CostGuard(SchemaExtension):
    """Refuses operations costing more than ``max_query_cost``; reports the cost in
    ``extensions.cost`` (Shopify's shape), with the rate-limit bucket when there is one."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        context = _guarded(execution)
        if context is None:
            yield
            return
        settings = context.settings
        assert execution.graphql_document is not None
        cost_of = functools.partial(
            remembered_query_cost,
            execution.schema._schema,
            execution.graphql_document,
            operation_name=execution.operation_name,
            variables=execution.variables,
            default_page_size=settings.default_page_size,
            max_page_size=settings.max_page_size,
        )
        cost = cost_of()
        # The limits are sized for reads. An API-key holder's bulk write is bounded by
        # MAX_BATCH items instead (the mutation refuses more with a user error): they see it
        # as one item, so a seeding batch of 500 fits, while what it selects still counts.
        limited = cost
        if context.principal is not None and execution.operation_type is OperationType.MUTATION:
            limited = cost_of(count_bulk_items=False)
        decision = CostDecision(cost=cost, limited_cost=limited, maximum=settings.max_query_cost)
        context.query_cost = cost
        context.decide(decision)
        if not decision.allowed:
            _refuse(
                execution,
                coded_error(
                    f"Query cost {limited} exceeds the maximum of {decision.maximum}; "
                    "ask for fewer items (first/last) or fewer nested lists.",
                    "MAX_COST_EXCEEDED",
                    cost=limited,
                    maximumCost=decision.maximum,
                ),
            )
        yield

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if not isinstance(context, Context):
            return {}
        cost = decision_of(context, CostDecision)
        if cost is None:
            return {}
        report: dict[str, Any] = {
            "requestedQueryCost": cost.cost,
            "maximumAvailable": cost.maximum,
        }
        bucket = decision_of(context, RateDecision)
        if bucket is not None:
            report["throttleStatus"] = {
                "maximumAvailable": bucket.limit,
                "currentlyAvailable": bucket.remaining,
                "restoreRate": bucket.restore_rate,
            }
        return {"cost": report}


class AvailabilityGuard(SchemaExtension):
    """Refuses at once, with no command attempted, while the driver sees no usable server."""

    def on_execute(self) -> Iterator[None]:
        context = _guarded(self.execution_context)
        if context is not None and not context.database.available:
            context.database.wake_driver()
            context.decide(unavailable_decision())
            _refuse(self.execution_context, database_unavailable())
        yield


class RateLimitGuard(SchemaExtension):
    """Takes the operation's cost from the client's token bucket; refuses when it is short."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = _guarded(execution)
        cost = decision_of(context, CostDecision) if context is not None else None
        if context is None or context.rate_limiter is None or cost is None:
            yield
            return
        try:
            decision = await context.rate_limiter.consume(context.client_key, cost.limited_cost)
        except ConnectionFailure:  # the shared buckets live in the database
            context.decide(unavailable_decision())
            _refuse(execution, database_unavailable())
            yield
            return
        context.decide(decision)
        if not decision.allowed:
            _refuse(execution, rate_limited(cost.limited_cost, decision))
        yield


def rate_limited(cost: int, decision: RateDecision) -> GraphQLError:
    return coded_error(
        f"Rate limited: this query costs {cost} points and {decision.remaining} are "
        f"available; retry in {decision.retry_after_seconds}s.",
        "RATE_LIMITED",
        retryAfterSeconds=decision.retry_after_seconds,
    )


class ResponseCacheGuard(SchemaExtension):
    """Answers shareable anonymous queries from the process's response cache, stores what
    they compute, and empties it after this process's own mutations."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        context = _guarded(execution)
        cache = context.response_cache if context is not None else None
        if context is None or cache is None:
            yield
            return
        if execution.operation_type is OperationType.MUTATION:
            yield
            cache.invalidate()  # this process's own writes show at once
            return
        if not _shareable(execution, context):
            yield
            return
        key = cache.key(execution.query or "", execution.operation_name, execution.variables)
        cached = cache.get(key)
        context.decide(CacheDecision(hit=cached is not None))
        if cached is not None:
            execution.result = ExecutionResult(data=cached, errors=None)
            yield
            return
        generation = cache.generation
        yield
        result = execution.result
        if result is not None and not result.errors and result.data is not None:
            cache.put(key, result.data, generation)


def _shareable(execution: ExecutionContext, context: Context) -> bool:
    """An anonymous query sent as GET or as a persisted query: one answer fits every client."""
    request = context.request
    if context.principal is not None or request is None or request.scope["type"] != "http":
        return False
    if execution.operation_type is not OperationType.QUERY:
        return False
    persisted = "persistedQuery" in (execution.operation_extensions or {})
    return request.scope.get("method") == "GET" or persisted


OPERATION_GUARDS = (CostGuard, AvailabilityGuard, RateLimitGuard, ResponseCacheGuard)
"""In the order they run."""
