"""Field collections shared across requests (schema/collected.py): the same answers as
graphql-core's executor request after request, no sharing for operations with directives
(counted as fallbacks), and the setting that turns it off."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
import strawberry
from graphql import parse

from app.observability import Metrics
from app.settings import Settings
from schema import collected
from schema.documents import DocumentLimits, _cached_parse
from schema.execution import FastExecutor


@strawberry.type
class Part:
    name: str

    @strawberry.field
    def upper(self) -> str:
        return self.name.upper()


@strawberry.type
class Query:
    @strawberry.field
    def parts(self, names: list[str]) -> list[Part]:
        return [Part(name=name) for name in names]

    @strawberry.field
    async def part(self, name: str) -> Part:
        return Part(name=name)


# With the parse cache: one document object per query text, as the service's schema has.
COMPILED = strawberry.Schema(
    query=Query,
    execution_context_class=FastExecutor,
    extensions=[lambda: DocumentLimits(max_tokens=1000, rules=(), cached=True)],
)
PLAIN = strawberry.Schema(query=Query)


@dataclass
class ToyContext:
    settings: Settings = field(default_factory=Settings.model_construct)
    metrics: Metrics = field(default_factory=Metrics)


def _not_shared(metrics: Metrics) -> float:
    value = metrics.registry.get_sample_value(
        "trendgraph_compiled_execution_fallbacks_total", {"reason": "selections_not_shared"}
    )
    return value or 0.0


STATIC = """query($names: [String!]!, $one: String!) {
  parts(names: $names) { name ...Upper again: name }
  single: part(name: $one) { ... on Part { upper } name } }
fragment Upper on Part { upper }"""
WITH_DIRECTIVES = """query($names: [String!]!, $flag: Boolean!) {
  parts(names: $names) { name upper @include(if: $flag) ...F @skip(if: $flag) } }
fragment F on Part { shouted: upper }"""


async def _compare(query: str, variables: dict[str, Any], context: ToyContext) -> None:
    compiled = await COMPILED.execute(query, variable_values=variables, context_value=context)
    plain = await PLAIN.execute(query, variable_values=variables)
    assert compiled.errors is None, compiled.errors
    assert (compiled.data, compiled.errors) == (plain.data, plain.errors)


async def test_an_operation_without_directives_is_collected_once_for_every_request() -> None:
    context = ToyContext()
    document = _cached_parse(STATIC, 1000)
    operation = document.definitions[0]
    for names in (["a", "b"], ["c"], [], ["d", "e", "f"]):
        variables = {"names": names, "one": names[0] if names else "z"}
        await _compare(STATIC, variables, context)
    shared = collected.of_schema(COMPILED._schema).get(operation, {})  # type: ignore[arg-type]
    assert shared is not None
    assert shared.root is not None
    assert shared.sub_fields  # the groups below the root, collected by the first request
    assert _not_shared(context.metrics) == 0


async def test_an_operation_with_directives_is_collected_per_request_and_counted() -> None:
    context = ToyContext()
    for flag in (True, False, True, False):
        await _compare(WITH_DIRECTIVES, {"names": ["a", "b"], "flag": flag}, context)
    assert _not_shared(context.metrics) == 4


@pytest.mark.parametrize(
    ("query", "static"),
    [
        ("{ parts(names: []) { name } }", True),
        ("{ parts(names: []) { ... on Part { name } ...F } } fragment F on Part { upper }", True),
        ("{ parts(names: []) { name @skip(if: true) } }", False),
        ("{ parts(names: []) { ... @include(if: false) { name } } }", False),
        ("{ parts(names: []) { ...F } } fragment F on Part { upper @include(if: true) }", False),
        ("{ parts(names: []) { ...F @skip(if: false) } } fragment F on Part { upper }", False),
    ],
)
def test_only_operations_without_any_directive_are_static(query: str, static: bool) -> None:
    document = parse(query)
    operation = document.definitions[0]
    fragments = {
        definition.name.value: _Details(definition)  # type: ignore[attr-defined]
        for definition in document.definitions[1:]
    }
    assert collected._static(operation, fragments) is static  # type: ignore[arg-type]


@dataclass
class _Details:
    definition: Any


async def test_the_setting_turns_sharing_off() -> None:
    context = ToyContext(settings=Settings.model_construct(shared_selections=False))
    query = "query($n: [String!]!) { parts(names: $n) { upper name } }"
    operation = _cached_parse(query, 1000).definitions[0]
    shared = collected.of_schema(COMPILED._schema)
    for names in (["a"], ["b", "c"]):
        await _compare(query, {"n": names}, context)
    assert all(node is not operation for node, _ in shared._entries.values())
    await _compare(query, {"n": ["a"]}, ToyContext())
    assert any(node is operation for node, _ in shared._entries.values())


def test_the_shared_collections_are_bounded() -> None:
    shared = collected.SharedByOperation(size=2)
    operations = [parse(f"{{ parts(names: []) {{ name{n}: name }} }}") for n in range(3)]
    for document in operations:
        assert shared.get(document.definitions[0], {}) is not None  # type: ignore[arg-type]
    assert [node for node, _ in shared._entries.values()] == [
        document.definitions[0] for document in operations[1:]
    ]
