"""A GraphQL client that sends an API key, as an authorized writer's HTTP request does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from strawberry.types import ExecutionResult

from app.auth import key_hash
from app.context import Context
from app.database import CommandStats, Database, count_commands
from app.settings import Settings
from schema.root import schema
from tests.conftest import GraphQLClient

API_KEY = "test-writer-key"


def writer_settings(settings: Settings) -> Settings:
    """``settings`` that accept :data:`API_KEY` for writes."""
    return settings.model_copy(update={"api_key_hashes": [key_hash(API_KEY)]})


@dataclass
class WriterClient(GraphQLClient):
    """Runs operations with ``Authorization: Bearer <api_key>`` (no header when ``None``)."""

    api_key: str | None = API_KEY

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> tuple[ExecutionResult, CommandStats]:
        headers = [] if self.api_key is None else [(b"authorization", f"Bearer {self.api_key}")]
        request = Request(
            {
                "type": "http",
                "method": "POST",
                "path": "/graphql",
                "headers": [(name, value.encode()) for name, value in headers],
            }
        )
        context = Context.create(self.database, self.settings, request=request)
        with count_commands(context.command_stats) as stats:
            result = await schema.execute(query, variable_values=variables, context_value=context)
        return result, stats


def writer(database: Database, settings: Settings, api_key: str | None = API_KEY) -> WriterClient:
    return WriterClient(database, writer_settings(settings), api_key)
