"""Strawberry's ASGI GraphQL view, wired to trendgraph's context and JSON encoder."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, cast

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from app import graphiql, http_cache
from app.context import Context
from app.database import Database, bind_command_stats
from app.graphql_http import (
    GRAPHQL_RESPONSE_JSON,
    JSON,
    GraphQLHTTPError,
    GraphQLParams,
    bad_request,
    content_type_header,
    is_request_error,
    negotiate_media_type,
    read_params,
    status_for,
)
from app.persisted_queries import PersistedQueries
from app.settings import Settings


class TextWebSocketAdapter(ASGIWebSocketAdapter):
    """Sends text frames: graphql-transport-ws messages are JSON *text* (binary frames reach
    browser clients as Blobs that ``JSON.parse`` cannot read)."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class GraphQLView(GraphQL[Context, None]):
    """``/graphql``: GraphQL over HTTP (POST, GET), subscriptions over WebSocket, GraphiQL."""

    websocket_adapter_class = TextWebSocketAdapter

    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(
                seconds=settings.connection_init_timeout_seconds
            ),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
            allowed_origins=settings.allowed_origins,
        )
        self.settings = settings
        self.persisted_queries = PersistedQueries(only_registered=settings.persisted_queries_only)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        database: Database = request.state.database
        context = Context.create(
            database,
            self.settings,
            request=request,
            response=response if isinstance(response, Response) else None,
            trend_changes=getattr(request.state, "trend_changes", None),
        )
        # The rest of this request runs in this task (or tasks copied from it), so the
        # driver's command listener counts into this request's stats.
        bind_command_stats(context.command_stats)
        return context

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # Browsers navigating here; not an APQ GET (extensions without a query).
        return (
            request.method == "GET"
            and "query" not in request.query_params
            and "extensions" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql.page(), headers=graphiql.PAGE_HEADERS)

    async def run(  # type: ignore[override]
        self,
        request: Request | WebSocket,
        context: Context = UNSET,
        root_value: None = UNSET,
    ) -> Response | WebSocket:
        if self.is_websocket_request(request):
            return await super().run(request, context, root_value)
        return await self.run_http(cast(Request, request))

    async def run_http(self, request: Request) -> Response:
        """One GraphQL-over-HTTP request, status codes and media types as the spec says."""
        if request.method not in ("GET", "POST"):
            return self.error_response(
                GraphQLHTTPError(
                    405,
                    "Use GET or POST",
                    code="METHOD_NOT_ALLOWED",
                    headers={"allow": "GET, POST"},
                ),
                JSON,
            )
        if self.should_render_graphql_ide(self.request_adapter_class(request)):
            if self.graphql_ide:
                return await self.render_graphql_ide(request)
            return Response("Not Found", status_code=404, media_type="text/plain")
        try:
            media_type = negotiate_media_type(request.headers.get("accept"))
        except GraphQLHTTPError as error:
            return self.error_response(error, JSON)
        try:
            params = await read_params(request, self.settings.max_body_bytes)
            database: Database = request.state.database
            resolved = await self.persisted_queries.resolve(database.persisted_queries, params)
            sub_response = await self.get_sub_response(request)
            result = await self.execute_http(request, resolved.params, sub_response)
        except GraphQLHTTPError as error:
            return self.error_response(error, media_type)
        if resolved.register_hash and resolved.params.query and not is_request_error(result):
            await self.persisted_queries.register(
                database.persisted_queries, resolved.register_hash, resolved.params.query
            )
        response = await self.result_response(request, result, media_type)
        response.headers.raw.extend(sub_response.headers.raw)  # set by resolvers, if any
        return response

    async def execute_http(
        self, request: Request, params: GraphQLParams, sub_response: Response
    ) -> ExecutionResult:
        """Execute a query (GET, POST) or mutation (POST only: 405 over GET)."""
        if not params.query:
            raise bad_request("No GraphQL query found in the request (`query` is missing)")
        is_get = request.method == "GET"
        allowed = {OperationType.QUERY} if is_get else {OperationType.QUERY, OperationType.MUTATION}
        context = await self.get_context(request, response=sub_response)
        try:
            return await self.schema.execute(
                params.query,
                variable_values=params.variables,
                context_value=context,
                root_value=None,
                operation_name=params.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=params.extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                raise bad_request(
                    "Subscriptions run over WebSocket (graphql-transport-ws) at this URL"
                ) from None
            raise GraphQLHTTPError(
                405,
                "Mutations need POST; GET runs queries only",
                code="METHOD_NOT_ALLOWED",
                headers={"allow": "POST"},
            ) from None
        except CannotGetOperationTypeError as error:
            raise bad_request(error.as_http_error_reason()) from None
        except MissingQueryError:
            raise bad_request("No GraphQL query found in the request") from None

    async def result_response(
        self, request: Request, result: ExecutionResult, media_type: str
    ) -> Response:
        response_data = await self.process_result(request=request, result=result)
        if result.errors:
            self._handle_errors(result.errors, response_data)
        if is_request_error(result):
            response_data.pop("data", None)  # it never executed: no data entry at all
        response = Response(
            self.encode_json(response_data),
            status_code=status_for(result, media_type),
            headers={"content-type": content_type_header(media_type)},
        )
        return http_cache.apply(
            response,
            request.headers,
            cacheable=request.method == "GET" and not result.errors,
            max_age=self.settings.cache_max_age,
        )

    def error_response(self, error: GraphQLHTTPError, media_type: str) -> Response:
        status_code = error.status_code
        if status_code == 200 and media_type == GRAPHQL_RESPONSE_JSON:
            status_code = 400  # no data entry: the spec wants a 4xx for this media type
        return Response(
            self.encode_json(error.body()),
            status_code=status_code,
            headers={
                **error.headers,
                "content-type": content_type_header(media_type),
                "cache-control": http_cache.NO_STORE,
            },
        )
