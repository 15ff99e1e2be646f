"""The fence around the compiled executor: opt-in direct resolvers, no resolver run twice,
a path-less Info that makes it fall back, counted fallbacks, and the switch that turns it
off. (tests/schema/test_differential.py compares its answers with graphql-core's.)"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import strawberry
from graphql import GraphQLObjectType

from app.observability import Metrics
from app.settings import Settings
from schema import execution
from schema.execution import FastExecutor
from schema.plans import DIRECT, FieldPlans, direct, static_direct_resolver
from schema.root import build_schema
from schema.root import schema as real_schema

CALLS: Counter[tuple[str, str]] = Counter()


async def _later(value: str) -> str:
    return value


@strawberry.type
class Item:
    key: str

    @strawberry.field
    @direct
    def label(self) -> str:
        CALLS["label", self.key] += 1
        return self.key.upper()

    @strawberry.field
    @direct
    def required(self) -> str:
        CALLS["required", self.key] += 1
        return None if self.key == "bad" else self.key  # type: ignore[return-value]

    @strawberry.field
    @direct
    def boom(self) -> str | None:
        CALLS["boom", self.key] += 1
        if self.key == "boom":
            raise ValueError("boom at " + self.key)
        return self.key

    @strawberry.field
    @direct
    def where(self, info: strawberry.Info) -> str:
        CALLS["where", self.key] += 1
        return ".".join(map(str, info.path.as_list()))

    @strawberry.field(graphql_type=str)
    @direct
    def later(self) -> str | Awaitable[str]:
        CALLS["later", self.key] += 1
        return _later(self.key) if self.key == "slow" else self.key

    @strawberry.field
    @direct
    def child(self) -> Item | None:
        CALLS["child", self.key] += 1
        return None if "." in self.key else Item(key=self.key + ".child")

    @strawberry.field
    def unmarked(self) -> str:
        return self.key


@strawberry.type
class Query:
    @strawberry.field
    def items(self, keys: list[str]) -> list[Item]:
        return [Item(key=key) for key in keys]


@dataclass
class ToyContext:
    metrics: Metrics


COMPILED = strawberry.Schema(query=Query, execution_context_class=FastExecutor)
PLAIN = strawberry.Schema(query=Query)


async def _both(query: str, keys: list[str]) -> tuple[Any, Any, Counter[tuple[str, str]], Metrics]:
    metrics = Metrics()
    CALLS.clear()
    compiled = await COMPILED.execute(
        query, variable_values={"keys": keys}, context_value=ToyContext(metrics)
    )
    calls = Counter(CALLS)
    plain = await PLAIN.execute(query, variable_values={"keys": keys})
    return compiled, plain, calls, metrics


def _fallbacks(metrics: Metrics, reason: str) -> float:
    value = metrics.registry.get_sample_value(
        "trendgraph_compiled_execution_fallbacks_total", {"reason": reason}
    )
    return value or 0.0


@pytest.mark.parametrize(
    ("query", "keys", "reason"),
    [
        # a null in a non-null field after two resolvers (one of an object) ran
        ("query($keys: [String!]!) { items(keys: $keys) { label child { label } required } }",
         ["a", "b", "bad", "c"], "give_up"),
        # a resolver's error: raised again at its path, not by calling it again
        ("query($keys: [String!]!) { items(keys: $keys) { label boom child { boom } } }",
         ["a", "b", "boom", "c"], "resolver_error"),
        # an awaitable: graphql-core awaits the one the resolver returned
        ("query($keys: [String!]!) { items(keys: $keys) { label child { label } later } }",
         ["a", "b", "slow", "c"], "awaiting"),
    ],
)  # fmt: skip
async def test_resolvers_under_a_compiled_selection_run_once(
    query: str, keys: list[str], reason: str
) -> None:
    compiled, plain, calls, metrics = await _both(query, keys)
    assert compiled.data == plain.data
    assert [(e.message, e.path) for e in compiled.errors or []] == [
        (e.message, e.path) for e in plain.errors or []
    ]
    assert calls, "nothing ran"
    assert max(calls.values()) == 1, calls
    assert _fallbacks(metrics, reason) == 1


async def test_a_resolver_reading_the_path_gets_the_real_one() -> None:
    query = "query($keys: [String!]!) { items(keys: $keys) { label where } }"
    compiled, plain, _, metrics = await _both(query, ["a", "b", "c"])
    assert compiled.errors is None
    assert compiled.data == plain.data
    assert compiled.data["items"][2]["where"] == "items.2.where"
    assert _fallbacks(metrics, "path") == 1
    # The field is not compiled again: no more fallbacks for it.
    compiled, plain, _, metrics = await _both(query, ["a", "b", "c"])
    assert compiled.data == plain.data
    assert _fallbacks(metrics, "path") == 0


def test_resolvers_are_direct_only_when_marked() -> None:
    item = COMPILED._schema.type_map["Item"]
    assert isinstance(item, GraphQLObjectType)
    assert static_direct_resolver(item.fields["label"], handlers=False) is not None
    assert static_direct_resolver(item.fields["unmarked"], handlers=False) is None


def _direct_methods(schema: strawberry.Schema) -> set[str]:
    found = set()
    for name, type_ in schema._schema.type_map.items():
        if name.startswith("__") or not isinstance(type_, GraphQLObjectType):
            continue
        for field_name, field in type_.fields.items():
            resolver = static_direct_resolver(field, handlers=False)
            if resolver is not None and resolver.definition.base_resolver is not None:
                found.add(f"{name}.{field_name}")
    return found


def test_the_real_schemas_direct_resolvers_are_its_marked_sync_readers() -> None:
    direct_methods = _direct_methods(real_schema)
    assert direct_methods == {
        "Trend.category",
        "Trend.growth",
        "Trend.analyses",
        "TrendEdge.cursor",
    }
    for name, type_ in real_schema._schema.type_map.items():
        if name.startswith("__") or not isinstance(type_, GraphQLObjectType):
            continue
        for field_name, field in type_.fields.items():
            definition = field.extensions.get("strawberry-definition")
            resolver = getattr(definition, "base_resolver", None)
            if resolver is not None and getattr(resolver.wrapped_func, DIRECT, False):
                # Marked: it must be usable directly, else the mark would silently do nothing.
                assert f"{name}.{field_name}" in direct_methods, f"{name}.{field_name}"
                assert not resolver.is_async


def test_the_setting_switches_the_executor_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRENDGRAPH_COMPILED_EXECUTION", "false")
    assert Settings().compiled_execution is False
    assert build_schema(Settings()).execution_context_class is not FastExecutor
    monkeypatch.setenv("TRENDGRAPH_COMPILED_EXECUTION", "true")
    assert build_schema(Settings()).execution_context_class is FastExecutor


def test_untested_library_versions_get_graphql_cores_executor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert execution.executor_supported()
    monkeypatch.setitem(execution.TESTED_VERSIONS, "graphql-core", ("9.9.",))
    assert not execution.executor_supported()
    assert build_schema(Settings.model_construct()).execution_context_class is not FastExecutor


def test_field_plans_remember_fields_that_read_the_path() -> None:
    assert isinstance(FieldPlans.of(COMPILED._schema).needs_path, set)


async def test_metrics_count_fallbacks_by_reason(client: httpx.AsyncClient) -> None:
    text = (await client.get("/metrics")).text
    assert "# TYPE trendgraph_compiled_execution_fallbacks_total counter" in text
