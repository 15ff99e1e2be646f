"""The query cost model, in the style of Shopify's: what a query may cost before it runs.

- Every field that returns an object costs 1; scalars and enums cost 0.
- A connection (``trends``) costs 2 plus its page size times the cost of one item; its
  ``edges`` and ``pageInfo`` wrappers cost nothing of their own.
- A list field sized by an argument costs that size times one item: ``first``/``last``
  (the argument's default when left out; sizes above the page-size limit count as the
  limit, since the resolver refuses them with its own message), or the length of
  ``slugs``/``ids``.
- Other lists (``growth``, ``categories``) cost one item: they are embedded or tiny. So
  do lists of series points, sized or not (``series(last: 12)``): a signal's points are
  one array of its stored document, read in one go, and each point is a date and a value.
- A bulk write costs its number of items times one item (the payload with its selection),
  like a list: ``upsertTrends``/``upsertCategories`` the length of ``inputs``,
  ``importTrends`` the lines of ``jsonLines`` as the mutation splits them (blank lines
  are items too: they fail). Counts above :data:`~schema.mutations.bulk.MAX_BATCH` count
  as that, since the mutation refuses them with its own message. So 500 trends cost the
  same whichever way they are sent.
- Introspection fields cost nothing (switch introspection off to forbid it).
- An operation costs at least 1: that is what the rate limiter charges for any request, so
  ``{ __typename }`` reports the 1 point it takes.

The cost is computed from the document and the variables alone, before execution.
``count_bulk_items=False`` counts each bulk write as one item: what the limits see for
API-key holders, whose batches :data:`~schema.mutations.bulk.MAX_BATCH` bounds instead
(see :class:`schema.guards.CostGuard`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_composite_type,
    value_from_ast,
)
from graphql.language import ArgumentNode, Node

from schema.documents import CACHE_SIZE, Same
from schema.mutations.bulk import MAX_BATCH

CONNECTION_BASE_COST = 2
MINIMUM_COST = 1  # what the rate limiter takes for any operation, reported as such
PAGE_SIZE_ARGUMENTS = ("first", "last")
LIST_ARGUMENTS = ("slugs", "ids")
BULK_ARGUMENTS = ("inputs", "jsonLines")
"""Arguments carrying the items of a bulk write: a list, or JSON Lines in one string."""
FREE_WRAPPERS = ("PageInfo",)
EMBEDDED_ITEMS = ("SeriesPoint",)
"""Item types of lists that cost one item whatever their size (see the module's docstring)."""


class _CostWalker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        default_page_size: int,
        max_page_size: int,
        count_bulk_items: bool,
    ) -> None:
        self.schema = schema
        self.max_page_size = max_page_size
        self.fragments = fragments
        self.variables = variables
        self.default_page_size = default_page_size
        self.count_bulk_items = count_bulk_items

    def selection_set(
        self, parent: GraphQLCompositeType, selection_set: SelectionSetNode, seen: frozenset[str]
    ) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                if is_composite_type(condition):
                    total += self.selection_set(condition, selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:  # validation reports these
                    continue
                condition = self.schema.get_type(fragment.type_condition.name.value)
                if is_composite_type(condition):
                    total += self.selection_set(condition, fragment.selection_set, seen | {name})
        return total

    def field(self, parent: GraphQLCompositeType, node: FieldNode, seen: frozenset[str]) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return 0
        definition = parent.fields.get(name)
        if definition is None or node.selection_set is None:
            return 0
        item_type = get_named_type(definition.type)
        if not is_composite_type(item_type):
            return 0
        children = self.selection_set(item_type, node.selection_set, seen)
        type_name = item_type.name
        if type_name.endswith("Connection"):
            return CONNECTION_BASE_COST + self.size(definition, node) * children
        if type_name.endswith("Edge") or type_name in FREE_WRAPPERS:
            return children
        item_cost = 1 + children
        if _is_list(definition):
            size = 1 if type_name in EMBEDDED_ITEMS else self.size(definition, node)
            return size * item_cost
        if self.count_bulk_items:
            return self.bulk_items(definition, node) * item_cost
        return item_cost

    def bulk_items(self, definition: GraphQLField, node: FieldNode) -> int:
        """The number of items a bulk write is given (at most MAX_BATCH); 1 for other fields."""
        for argument in node.arguments or ():
            name = argument.name.value
            if name in BULK_ARGUMENTS and name in definition.args:
                value = value_from_ast(argument.value, definition.args[name].type, self.variables)
                if isinstance(value, str):  # JSON Lines: what the mutation counts as items
                    value = value.splitlines()
                if isinstance(value, list):
                    return min(len(value), MAX_BATCH)
        return 1

    def size(self, definition: GraphQLField, node: FieldNode) -> int:
        """The number of items a sized field asks for; 1 for unsized lists."""
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        for name in PAGE_SIZE_ARGUMENTS:
            if name in definition.args:
                value = (
                    value_from_ast(given[name], definition.args[name].type, self.variables)
                    if name in given
                    else None
                )
                if isinstance(value, int):
                    return min(max(value, 0), self.max_page_size)
        for name in PAGE_SIZE_ARGUMENTS:
            if name in definition.args:
                default = definition.args[name].default_value
                return default if isinstance(default, int) else self.default_page_size
        for name in LIST_ARGUMENTS:
            if name in given and name in definition.args:
                value = value_from_ast(given[name], definition.args[name].type, self.variables)
                if isinstance(value, list):
                    return len(value)
        return 1


def _is_list(definition: GraphQLField) -> bool:
    field_type = definition.type
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    return isinstance(field_type, GraphQLList)


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
    default_page_size: int = 20,
    max_page_size: int = 100,
    count_bulk_items: bool = True,
) -> int:
    """The cost of the operation ``operation_name`` of ``document``, at least 1 (0 if there
    is no such operation); with ``count_bulk_items=False``, each bulk write counts as one
    item."""
    operation: OperationDefinitionNode | None = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if root is None:
        return 0
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    walker = _CostWalker(
        schema,
        fragments,
        dict(variables or {}),
        default_page_size,
        max_page_size,
        count_bulk_items,
    )
    return max(MINIMUM_COST, walker.selection_set(root, operation.selection_set, frozenset()))


def _holds_variable(value: ValueNode) -> bool:
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(_holds_variable(item) for item in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_holds_variable(field.value) for field in value.fields)
    return False


SIZING_ARGUMENTS = frozenset((*PAGE_SIZE_ARGUMENTS, *LIST_ARGUMENTS, *BULK_ARGUMENTS))
"""The only arguments whose values the cost model reads."""


def _sized_by_variables(node: Node) -> bool:
    """Whether an argument the cost model reads takes a variable anywhere under ``node``."""
    if isinstance(node, ArgumentNode):
        return node.name.value in SIZING_ARGUMENTS and _holds_variable(node.value)
    for key in node.keys:
        child = getattr(node, key, None)
        children = child if isinstance(child, tuple | list) else (child,)
        if any(isinstance(item, Node) and _sized_by_variables(item) for item in children):
            return True
    return False


@functools.lru_cache(maxsize=CACHE_SIZE)
def _cached_cost(
    schema: Same,
    document: Same,
    operation_name: str | None,
    default_page_size: int,
    max_page_size: int,
    count_bulk_items: bool,
) -> int | None:
    """The cost of an operation whose sizes no variable sets (``None`` when one does)."""
    if _sized_by_variables(document.value):  # type: ignore[arg-type]
        return None
    return query_cost(
        schema.value,  # type: ignore[arg-type]
        document.value,  # type: ignore[arg-type]
        operation_name=operation_name,
        default_page_size=default_page_size,
        max_page_size=max_page_size,
        count_bulk_items=count_bulk_items,
    )


def remembered_query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
    default_page_size: int = 20,
    max_page_size: int = 100,
    count_bulk_items: bool = True,
) -> int:
    """:func:`query_cost`, worked out once per document object (the parse cache hands out
    one per query text) when no argument the model reads takes a variable; otherwise
    worked out again with this request's variables."""
    cost = _cached_cost(
        Same(schema), Same(document), operation_name, default_page_size, max_page_size,
        count_bulk_items,
    )  # fmt: skip
    if cost is not None:
        return cost
    return query_cost(
        schema,
        document,
        operation_name=operation_name,
        variables=variables,
        default_page_size=default_page_size,
        max_page_size=max_page_size,
        count_bulk_items=count_bulk_items,
    )
