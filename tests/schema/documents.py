"""Every GraphQL query document the project knows of: the README's examples, the benchmark's
queries and the documents the test suite sends (its string constants that parse as
executable queries valid against the schema). The differential test runs them all."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    type_from_ast,
    validate,
)
from graphql.type import get_named_type, is_non_null_type

from bench.__main__ import LEADERBOARD, SEARCH, TREND_PAGE

REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Document:
    """One operation to run: where it comes from, its text, name and variables."""

    origin: str
    query: str
    operation_name: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)


def readme_documents() -> list[tuple[str, dict[str, Any]]]:
    """Each ```graphql block of the README, with the ```json block right after it, if any."""
    text = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(\w+)\n(.*?)```", text, re.DOTALL)
    found: list[tuple[str, dict[str, Any]]] = []
    for position, (language, block) in enumerate(blocks):
        if language != "graphql":
            continue
        following = blocks[position + 1] if position + 1 < len(blocks) else ("", "")
        found.append((block, _variables(following[1]) if following[0] == "json" else {}))
    return found


def _variables(block: str) -> dict[str, Any]:
    """A ```json block's variables; ``{}`` for a response shown as an example."""
    try:
        value = json.loads(block)
    except json.JSONDecodeError:
        return {}
    if not isinstance(value, dict) or "data" in value or "errors" in value:
        return {}
    return value


def bench_documents() -> list[tuple[str, dict[str, Any]]]:
    return [
        (TREND_PAGE, {"slug": "asyncio"}),
        (LEADERBOARD, {}),
        (SEARCH, {"q": "async python"}),
    ]


def suite_strings() -> list[tuple[str, str]]:
    """Every string constant of the test modules, with the module it is in."""
    found: list[tuple[str, str]] = []
    for path in sorted((REPOSITORY / "tests").rglob("*.py")):
        if "node_modules" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append((str(path.relative_to(REPOSITORY)), node.value))
    return found


def _queries(text: str, schema: GraphQLSchema) -> DocumentNode | None:
    """``text`` parsed, when it is a valid document of queries only."""
    if "{" not in text:
        return None
    try:
        document = parse(text)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations or any(o.operation is not OperationType.QUERY for o in operations):
        return None
    if validate(schema, document):
        return None
    return document


def _sample(type_: Any, samples: dict[str, Any]) -> Any:
    """A value of an input type for a required variable, or ``...`` when there is none."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLInputObjectType):
        return ...
    if isinstance(named, GraphQLEnumType):
        value: Any = next(iter(named.values))
    elif named.name in samples:
        value = samples[named.name]
    else:
        return ...
    nullable = type_.of_type if is_non_null_type(type_) else type_
    return [value] if isinstance(nullable, GraphQLList) else value


def operations(
    origin: str,
    text: str,
    variables: dict[str, Any],
    schema: GraphQLSchema,
    samples: dict[str, Any],
) -> list[Document]:
    """The operations of ``text`` that can run: required variables given or sampled."""
    document = _queries(text, schema)
    if document is None:
        return []
    found: list[Document] = []
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        values = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name in values or definition.default_value is not None:
                continue
            if is_non_null_type(type_from_ast(schema, definition.type)):
                values[name] = _sample(type_from_ast(schema, definition.type), samples)
        if any(value is ... for value in values.values()):
            continue
        operation_name = operation.name.value if operation.name else None
        found.append(Document(origin, text, operation_name, values))
    return found


def all_documents(schema: GraphQLSchema, samples: dict[str, Any]) -> list[Document]:
    """The README's, the benchmark's and the suite's query operations, each once."""
    found: list[Document] = []
    seen: set[tuple[str, str | None, str]] = set()
    sources = [
        *(("README.md", text, values) for text, values in readme_documents()),
        *(("bench/__main__.py", text, values) for text, values in bench_documents()),
        *((origin, text, {}) for origin, text in suite_strings()),
    ]
    for origin, text, values in sources:
        for document in operations(origin, text, values, schema, samples):
            key = (document.query, document.operation_name, json.dumps(document.variables))
            if key not in seen:
                seen.add(key)
                found.append(document)
    return found
