"""The root schema, composed from the per-domain query and mutation classes."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from app.settings import Settings
from schema.alert_rules import AlertRuleMutation, AlertRuleQuery, AlertSubscription
from schema.documents import DocumentLimits
from schema.execution import FastExecutor, executor_supported
from schema.extensions import ErrorPolicy, is_unexpected
from schema.guards import OPERATION_GUARDS
from schema.mutations import CategoryMutation, TrendMutation
from schema.queries import CategoryQuery, NodeQuery, TrendQuery
from schema.search import TrendSearchQuery
from schema.series_mutations import SeriesMutation
from schema.subscriptions import TrendSubscription
from schema.watchlists import WatchlistMutation, WatchlistQuery

logger = logging.getLogger("trendgraph.errors")


@strawberry.type(description="Reads: trends, categories and any object by global ID. Public.")
class Query(NodeQuery, TrendQuery, TrendSearchQuery, CategoryQuery, WatchlistQuery, AlertRuleQuery):
    pass


# What merge_types does, plus the description the SDL needs.
@strawberry.type(
    description="Writes: trends and categories, one at a time or in bulk, with an API key "
    "(`Authorization: Bearer <key>`) holding the `write` scope; watchlists and alert rules "
    "with a key holding the `alerts` scope."
)
class Mutation(
    TrendMutation, CategoryMutation, SeriesMutation, WatchlistMutation, AlertRuleMutation
):
    pass


@strawberry.type(description="Live updates over WebSocket (graphql-transport-ws at /graphql).")
class Subscription(TrendSubscription, AlertSubscription):
    pass


class TrendgraphSchema(strawberry.Schema):
    """Logs only unexpected errors (with traceback and request id); client mistakes are
    answered, not logged as server errors."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context = execution_context.context if execution_context else None
        request_id = getattr(context, "request_id", None)
        for error in errors:
            if is_unexpected(error):
                logger.error(
                    "unexpected error in request %s at %s: %s",
                    request_id,
                    ".".join(map(str, error.path or [])) or "-",
                    error.message,
                    exc_info=error.original_error,
                )


def build_schema(
    settings: Settings, *, compiled_execution: bool | None = None, shared_caches: bool = True
) -> strawberry.Schema:
    """The schema with the limits and policies of ``settings``.

    ``compiled_execution`` overrides ``settings.compiled_execution`` (trendgraph's executor,
    :mod:`schema.execution`, or graphql-core's as shipped); ``shared_caches=False`` parses
    and validates every document anew. Both exist for baselines composed elsewhere (the
    benchmark's); the service uses the settings.
    """
    # The limiters make a new rule class per instance: build them once, so every request
    # adds the same rules and the validation cache (keyed by the rules) can hit.
    limit_rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    extensions: list[Any] = [
        ErrorPolicy,
        # Refuse oversized documents while parsing; cache parses and validations in bounded
        # LRU caches shared across requests (unless shared_caches is off).
        lambda: DocumentLimits(
            max_tokens=settings.max_tokens, rules=limit_rules, cached=shared_caches
        ),
        *OPERATION_GUARDS,
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    if compiled_execution is None:
        compiled_execution = settings.compiled_execution
    if compiled_execution and not executor_supported():
        logging.getLogger("trendgraph.execution").warning(
            "graphql-core or strawberry is not a version the compiled executor was tested "
            "with (schema.execution.TESTED_VERSIONS): serving with graphql-core's executor"
        )
        compiled_execution = False
    return TrendgraphSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not settings.field_suggestions),
        # Plain fields and whole selections completed by the fenced executor
        # (docs/executor.md), or graphql-core's executor as shipped.
        execution_context_class=FastExecutor if compiled_execution else None,
    )


# The schema with default settings: the exported SDL and tests use it.
schema = build_schema(Settings.model_construct())
