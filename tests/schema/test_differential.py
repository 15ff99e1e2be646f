"""Differential test of the fenced executor: every query document the project knows of (the
README's examples, the benchmark's queries, the documents the suite sends) gets the same
data and the same errors from trendgraph's executor as from graphql-core's own, on the real
schema and the seed data."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError

from app.observability import Metrics
from app.settings import Settings
from app.storage.database import Database
from schema.context import Context
from schema.execution import FastExecutor
from schema.root import build_schema
from tests.conftest import TEST_SETTINGS
from tests.factories import make_trends
from tests.schema.documents import Document, all_documents

COMPILED = build_schema(TEST_SETTINGS, compiled_execution=True)
PLAIN = build_schema(TEST_SETTINGS, compiled_execution=False)
SETTINGS = Settings(database="x", max_query_cost=100_000)


def _errors(errors: list[GraphQLError] | None) -> list[tuple[str, Any, Any]]:
    return [(error.message, error.path, error.extensions) for error in errors or []]


async def _run(
    schema: strawberry.Schema, database: Database, document: Document, metrics: Metrics
) -> tuple[Any, list[tuple[str, Any, Any]]]:
    context = Context.create(database, SETTINGS, metrics=metrics)
    result = await schema.execute(
        document.query,
        variable_values=document.variables,
        operation_name=document.operation_name,
        context_value=context,
    )
    return result.data, _errors(result.errors)


def test_the_two_schemas_differ_only_in_their_executor() -> None:
    assert COMPILED._schema is not PLAIN._schema
    assert COMPILED.execution_context_class is FastExecutor
    assert PLAIN.execution_context_class is not FastExecutor
    assert not issubclass(PLAIN.execution_context_class, FastExecutor)


async def test_every_known_query_answers_alike_on_both_executors(seeded: Database) -> None:
    await make_trends(seeded, 30, related_per_trend=3)
    metrics = Metrics()
    asyncio_id = (
        await _run(PLAIN, seeded, Document("-", '{ trend(slug: "asyncio") { id } }'), metrics)
    )[0]["trend"]["id"]
    samples = {"String": "asyncio", "Int": 3, "Float": 1.5, "Boolean": True, "ID": asyncio_id}
    documents = all_documents(COMPILED._schema, samples)
    origins = {document.origin for document in documents}
    # The collection itself is checked: a parser change must not make it find nothing.
    assert len(documents) >= 80, len(documents)
    assert {"README.md", "bench/__main__.py", "tests/schema/test_node.py"} <= origins
    differences = []
    for document in documents:
        # Twice each: the compiled executor compiles a selection on its second sight.
        for _ in range(2):
            compiled = await _run(COMPILED, seeded, document, metrics)
            plain = await _run(PLAIN, seeded, document, metrics)
            if compiled != plain:
                differences.append((document.origin, document.query, compiled, plain))
    assert not differences, differences[:3]
    # No compiled selection met an error it could not explain.
    assert metrics.registry.get_sample_value(
        "trendgraph_compiled_execution_fallbacks_total", {"reason": "error"}
    ) in (None, 0.0)
