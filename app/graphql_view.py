"""Strawberry's ASGI GraphQL view, wired to trendgraph's context and JSON encoder."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from app.auth import ApiKeys
from app.context import Context
from app.database import Database, bind_command_stats
from app.settings import Settings


class GraphQLView(GraphQL[Context, None]):
    """``/graphql``: POST and GET queries, GraphiQL for browsers."""

    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None)
        self.settings = settings
        self.api_keys = ApiKeys(settings.api_key_hashes)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        database: Database = request.state.database
        context = Context.create(
            database,
            self.settings,
            request=request,
            response=response if isinstance(response, Response) else None,
            principal=self.api_keys.authenticate(request.headers.get("authorization")),
        )
        # The rest of this request runs in this task (or tasks copied from it), so the
        # driver's command listener counts into this request's stats.
        bind_command_stats(context.command_stats)
        return context

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
