"""Strawberry's ASGI GraphQL view, wired to trendgraph's context, limits and JSON encoder."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from app.auth import ApiKeys
from app.context import Context
from app.database import Database, bind_command_stats
from app.observability import REQUEST_ID_HEADER, Metrics, request_id_from
from app.ratelimit import RateLimiter
from app.settings import Settings

logger = logging.getLogger(__name__)


class GraphQLView(GraphQL[Context, None]):
    """``/graphql``: POST and GET queries, GraphiQL for browsers."""

    def __init__(self, schema: Any, settings: Settings, *, metrics: Metrics | None) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None)
        self.settings = settings
        self.metrics = metrics
        self.anonymous_limiter = RateLimiter(
            settings.rate_limit_anonymous_capacity, settings.rate_limit_anonymous_restore_rate
        )
        self.key_limiter = RateLimiter(
            settings.rate_limit_key_capacity, settings.rate_limit_key_restore_rate
        )
        self.api_keys = ApiKeys(settings.api_key_hashes)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        database: Database = request.state.database
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        principal = self.api_keys.authenticate(request.headers.get("authorization"))
        # Valid keys draw on their own bucket; everyone else (wrong keys included) on their IP's.
        if principal is not None:
            client_key, limiter = f"key:{principal.key_id}", self.key_limiter
        else:
            client_key = f"ip:{request.client.host if request.client else 'unknown'}"
            limiter = self.anonymous_limiter
        http_response = response if isinstance(response, Response) else None
        if http_response is not None:
            http_response.headers[REQUEST_ID_HEADER] = request_id
        context = Context.create(
            database,
            self.settings,
            request=request,
            response=http_response,
            request_id=request_id,
            client_key=client_key,
            rate_limiter=limiter if self.settings.rate_limit_enabled else None,
            metrics=self.metrics,
            principal=principal,
        )
        # The rest of this request runs in this task (or tasks copied from it), so the
        # driver's command listener counts into this request's stats.
        bind_command_stats(context.command_stats)
        return context

    async def execute_operation(
        self,
        request: Any,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Any,
    ) -> Any:
        for data in request_data if isinstance(request_data, list) else [request_data]:
            size = len(orjson.dumps(data.variables or {}))
            if size > self.settings.max_variables_bytes:
                return _refusal(
                    f"Variables take {size} bytes; the limit is "
                    f"{self.settings.max_variables_bytes}.",
                    "VARIABLES_TOO_LARGE",
                )
        try:
            async with asyncio.timeout(self.settings.request_timeout_seconds):
                return await super().execute_operation(
                    request, request_adapter, request_data, context, root_value, sub_response
                )
        except TimeoutError:
            logger.warning("request %s timed out", context.request_id)
            if isinstance(sub_response, Response):
                sub_response.status_code = 504
            return _refusal(
                f"The request took longer than {self.settings.request_timeout_seconds:g}s "
                "and was stopped.",
                "REQUEST_TIMEOUT",
            )

    def encode_json(self, data: object) -> str | bytes:
        if self.settings.naive:
            return json.dumps(data)
        return orjson.dumps(data)


def _refusal(message: str, code: str) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])
