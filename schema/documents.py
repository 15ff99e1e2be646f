"""Parsing and validating documents: the token limit, the extra validation rules, and the
caches shared by every request.

One extension instead of strawberry's ``MaxTokensLimiter``, ``AddValidationRules``,
``ParserCache`` and ``ValidationCache``: strawberry builds and enters a context manager per
extension hook on every request, which cost more than the parse and the validation these
caches save.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

CACHE_SIZE = 256
"""Documents (and their validations) kept per process: bounded, whatever the clients send."""


@functools.lru_cache(maxsize=CACHE_SIZE)
def _cached_parse(query: str, max_tokens: int | None) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


class Same:
    """A key that matches only the very same object: a parsed document hashes its whole
    syntax tree, while the parse cache hands out one object per query text."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.value is self.value


# The key holds the document, so its id is not reused while the entry lives.
@functools.lru_cache(maxsize=CACHE_SIZE)
def _cached_validation(
    schema: Same, document: Same, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    return validate_document(schema.value, document.value, rules)  # type: ignore[arg-type]


def validate(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    """``validate_document``, remembered for this very document object and rules."""
    return _cached_validation(Same(schema), Same(document), rules)


class DocumentLimits(SchemaExtension):
    """Parses with at most ``max_tokens`` tokens and validates with ``rules`` added;
    with ``cached``, reuses parses (by query text) and validations (by document).

    A document that fails to parse is left for strawberry to parse again and report, so
    the error passes through every extension's ``on_operation`` like any other
    (strawberry's ``ParserCache`` raising from ``on_parse`` skips them).
    """

    def __init__(
        self, *, max_tokens: int, rules: Sequence[type[ASTValidationRule]], cached: bool
    ) -> None:
        super().__init__()
        self.max_tokens = max_tokens
        self.rules = tuple(rules)
        self.cached = cached

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        execution.parse_options["max_tokens"] = self.max_tokens
        if self.cached and execution.query is not None and execution.graphql_document is None:
            with contextlib.suppress(GraphQLError):
                execution.graphql_document = _cached_parse(execution.query, self.max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        execution.validation_rules = (*execution.validation_rules, *self.rules)
        document = execution.graphql_document
        if self.cached and document is not None and execution.pre_execution_errors is None:
            execution.pre_execution_errors = validate(
                execution.schema._schema, document, execution.validation_rules
            )
        yield
