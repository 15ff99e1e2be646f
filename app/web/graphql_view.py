"""Strawberry's ASGI GraphQL view, wired to trendgraph's context, limits and JSON encoder.

HTTP requests follow GraphQL over HTTP (``app.web.graphql_http``), with persisted queries
(``app.web.persisted_queries``), rate and size limits (``app.web.request_limits``) and
caching (``app.web.http_cache``); the view alone turns the operation's decisions into HTTP
status and headers (``app.web.http_decisions``). WebSockets speak graphql-transport-ws for
subscriptions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, cast

import orjson
from cross_web import AsyncHTTPRequestAdapter
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from app.domain.keys import ApiKeys
from app.observability import REQUEST_ID_HEADER, Metrics, access_logger, request_id_from
from app.settings import Settings
from app.storage.command_stats import bind_command_stats
from app.storage.database import Database
from app.web import graphiql, http_cache
from app.web.graphql_http import (
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
from app.web.http_decisions import http_outcome
from app.web.persisted_queries import PersistedQueries, Resolved
from app.web.request_limits import (
    PERSISTED_QUERY_LOOKUP_COST,
    PERSISTED_QUERY_REGISTRATION_COST,
    RequestLimiters,
    client_key,
    database_errors_as_503,
    oversized,
    peer,
    refusal,
)
from schema.context import Context

logger = logging.getLogger(__name__)


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

    def __init__(self, schema: Any, settings: Settings, *, metrics: Metrics | None) -> None:
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
        self.metrics = metrics
        self.limiters = RequestLimiters(settings)
        self.api_keys = ApiKeys(settings.api_key_hashes)
        self.persisted_queries = PersistedQueries(
            only_registered=settings.persisted_queries_only,
            ttl_seconds=settings.persisted_query_ttl_seconds,
        )

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        database: Database = request.state.database
        request_id = getattr(request.state, "request_id", None) or request_id_from(
            request.headers.get(REQUEST_ID_HEADER)
        )
        principal = self.api_keys.authenticate(request.headers.get("authorization"))
        # Valid keys draw on their own bucket; everyone else (wrong keys included) on their IP's.
        client = client_key(request, principal.key_id if principal else None)
        limiter = self.limiters.limiter(database, keyed=principal is not None)
        http_response = response if isinstance(response, Response) else None
        if http_response is not None:
            http_response.headers[REQUEST_ID_HEADER] = request_id
        context = Context.create(
            database,
            self.settings,
            request=request,
            response=http_response,
            request_id=request_id,
            client_key=client,
            rate_limiter=limiter,
            metrics=self.metrics,
            principal=principal,
            trend_changes=getattr(request.state, "trend_changes", None),
            response_cache=getattr(request.state, "response_cache", None),
            forecast_worker=getattr(request.state, "forecast_worker", None),
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
        # Writers with an API key send bulk loads as variables (importTrends); their requests
        # are bounded by max_body_bytes alone.
        if context.principal is None:
            for data in request_data if isinstance(request_data, list) else [request_data]:
                refused = oversized(data, self.settings)
                if refused is not None:
                    return refused
        try:
            async with asyncio.timeout(self.settings.request_timeout_seconds):
                return await super().execute_operation(
                    request, request_adapter, request_data, context, root_value, sub_response
                )
        except TimeoutError:
            logger.warning("request %s timed out", context.request_id)
            if isinstance(sub_response, Response):
                sub_response.status_code = 504
            return refusal(
                f"The request took longer than {self.settings.request_timeout_seconds:g}s "
                "and was stopped.",
                "REQUEST_TIMEOUT",
            )

    def encode_json(self, data: object) -> str | bytes:
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
        """One GraphQL-over-HTTP request, status codes and media types as the spec says.

        Every answer, refusals included, carries the request id in ``X-Request-ID``.
        """
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.state.request_id = request_id
        response = await self._answer_http(request)
        response.headers[REQUEST_ID_HEADER] = request_id
        return response

    async def _answer_http(self, request: Request) -> Response:
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
        request_adapter = self.request_adapter_class(request)
        if self.should_render_graphql_ide(request_adapter):
            if self.graphql_ide:
                return await self.render_graphql_ide(request)
            return Response("Not Found", status_code=404, media_type="text/plain")
        try:
            media_type = negotiate_media_type(request.headers.get("accept"))
        except GraphQLHTTPError as error:
            return self.error_response(error, JSON)
        try:
            return await self._answer(request, request_adapter, media_type)
        except GraphQLHTTPError as error:
            return self.error_response(error, media_type)
        except ClientDisconnect:
            # One line, not a traceback: clients going away is ordinary.
            logger.info("client %s went away before its request was read", peer(request))
            return Response(status_code=400)  # never sent: nobody is listening

    async def _answer(self, request: Request, request_adapter: Any, media_type: str) -> Response:
        params = await read_params(request, self.settings.max_body_bytes)
        database: Database = request.state.database
        resolved = await self._resolve_persisted(request, database, params)
        if not resolved.params.query:
            raise bad_request("No GraphQL query found in the request (`query` is missing)")
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, response=sub_response)
        request_data = GraphQLRequestData(
            query=resolved.params.query,
            variables=resolved.params.variables,
            operation_name=resolved.params.operation_name,
            extensions=resolved.params.extensions,
        )
        result = await self.execute_operation(
            request, request_adapter, request_data, context, None, sub_response
        )
        if resolved.register_hash and not is_request_error(result):
            await self._register_persisted(request, database, resolved.register_hash, request_data)
        response = await self.result_response(request, result, media_type)
        outcome = http_outcome(context.decisions)
        if sub_response.status_code and response.status_code != 304:
            response.status_code = sub_response.status_code  # e.g. 504 on a timeout
        elif outcome.status_code is not None:
            response.status_code = outcome.status_code
            if outcome.status_code >= 500:
                response.headers["cache-control"] = http_cache.NO_STORE
        response.headers.update(outcome.headers)
        response.headers.raw.extend(sub_response.headers.raw)  # request id
        return response

    async def _resolve_persisted(
        self, request: Request, database: Database, params: GraphQLParams
    ) -> Resolved:
        """The persisted query's text; refused fast while the database is away, and its
        database lookups charged to the client's bucket (misses cost as much as hits)."""
        if not self.persisted_queries.needs_database(params):
            return await self.persisted_queries.resolve(database.persisted_queries, params)
        await self._charge(request, database, PERSISTED_QUERY_LOOKUP_COST)
        async with database_errors_as_503(database):
            resolved = await self.persisted_queries.resolve(database.persisted_queries, params)
        if resolved.register_hash is not None:
            await self._charge(request, database, PERSISTED_QUERY_REGISTRATION_COST)
        return resolved

    async def _register_persisted(
        self, request: Request, database: Database, sha256_hash: str, data: GraphQLRequestData
    ) -> None:
        async with database_errors_as_503(database):
            await self.persisted_queries.register(
                database.persisted_queries, sha256_hash, data.query or ""
            )

    async def _charge(self, request: Request, database: Database, cost: int) -> None:
        """Take ``cost`` points from the client's bucket, or refuse the request (429)."""
        principal = self.api_keys.authenticate(request.headers.get("authorization"))
        key_id = principal.key_id if principal else None
        await self.limiters.charge(request, database, key_id, cost)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Execute a query (GET, POST) or mutation (POST only: 405 over GET)."""
        is_get = request_adapter.method == "GET"
        allowed = {OperationType.QUERY} if is_get else {OperationType.QUERY, OperationType.MUTATION}
        try:
            return await self.schema.execute(
                request_data.query,
                variable_values=request_data.variables,
                context_value=context,
                root_value=None,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
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
            # It never executed: no data entry at all, whatever the media type (the spec:
            # `data` is present only when execution started).
            response_data.pop("data", None)
        cacheable = request.method == "GET" and not result.errors
        if cacheable:
            _drop_client_state(response_data)
        response = Response(
            self.encode_json(response_data),
            status_code=status_for(result, media_type),
            headers={"content-type": content_type_header(media_type)},
        )
        return http_cache.apply(
            response, request.headers, cacheable=cacheable, max_age=self.settings.cache_max_age
        )

    def error_response(self, error: GraphQLHTTPError, media_type: str) -> Response:
        """A request refused before execution (method, media type, body, APQ miss)."""
        status_code = error.status_code
        if status_code == 200 and media_type == GRAPHQL_RESPONSE_JSON:
            status_code = 400  # no data entry: the spec wants a 4xx for this media type
        # Executed operations are counted and logged by the ErrorPolicy extension; these
        # never reach it, so they are counted and logged here.
        if self.metrics is not None:
            self.metrics.requests.labels("unparsed", "refused").inc()
            self.metrics.errors.labels(error.code).inc()
        access_logger.info(
            "graphql refused %s %s",
            status_code,
            error.code,
            extra={"status": "refused", "http_status": status_code, "error_codes": [error.code]},
        )
        return Response(
            self.encode_json(error.body()),
            status_code=status_code,
            headers={
                **error.headers,
                "content-type": content_type_header(media_type),
                "cache-control": http_cache.NO_STORE,
            },
        )


def _drop_client_state(response_data: GraphQLHTTPResponse) -> None:
    """A cacheable response may reach other clients through a shared cache: leave out this
    client's rate-limit bucket (``extensions.cost.throttleStatus``), which also changes on
    every request and would give every response a new ETag. The RateLimit-* headers stay."""
    cost = (response_data.get("extensions") or {}).get("cost")
    if isinstance(cost, dict):
        cost.pop("throttleStatus", None)
