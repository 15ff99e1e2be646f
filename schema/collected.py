"""Field collections shared by the requests that run the same operation.

graphql-core collects the fields of every selection set anew for each request (merging
fragments, checking ``@skip``/``@include``), and :class:`schema.inline.InlineExecutor`
plans each collected set anew. For an operation whose selections carry no directive at
all, the collection depends on nothing but the document: the parse cache hands out one
document object per query text, so the collections and plans made for it by one request
serve the next ones. Operations with a directive anywhere in their selections (their
collection may depend on variables) are collected per request, as graphql-core does;
they are counted as fallbacks (``selections_not_shared``).

Part of the compiled executor (docs/executor.md): ``TRENDGRAPH_COMPILED_EXECUTION=false``
turns it off with the rest, and ``TRENDGRAPH_SHARED_SELECTIONS=false`` alone.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from schema.documents import CACHE_SIZE


class SharedCollections:
    """What the requests running one operation of one document share: graphql-core's
    collected subfields (by return type and field group), the root's collected fields,
    and the executor's plans of each collected set."""

    __slots__ = ("plans", "root", "static", "sub_fields")

    def __init__(self, *, static: bool) -> None:
        self.static = static
        """Whether the operation's collection depends on the document alone."""
        self.root: Any = None
        self.sub_fields: dict[Any, Any] = {}
        self.plans: dict[Any, Any] = {}


def _without_directives(selection_set: SelectionSetNode | None) -> bool:
    if selection_set is None:
        return True
    for selection in selection_set.selections:
        if selection.directives:
            return False
        if isinstance(selection, FieldNode | InlineFragmentNode) and not _without_directives(
            selection.selection_set
        ):
            return False
    return True


def _static(operation: OperationDefinitionNode, fragments: dict[str, Any]) -> bool:
    """Whether collecting the operation's fields depends on the document alone: no
    directive on any selection, no fragment taking variables (graphql-core's
    experimental fragment arguments)."""
    for details in fragments.values():
        definition: FragmentDefinitionNode = details.definition
        if definition.variable_definitions or not _without_directives(definition.selection_set):
            return False
    return _without_directives(operation.selection_set)


class SharedByOperation:
    """The shared collections of one schema's operations, by operation node (the very
    node: one per cached document, whose fragments are its own); the last
    :data:`~schema.documents.CACHE_SIZE` kept. Each entry holds its node, so its id is
    not reused while the entry lives."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[int, tuple[OperationDefinitionNode, SharedCollections]] = (
            OrderedDict()
        )

    def get(
        self, operation: OperationDefinitionNode, fragments: dict[str, Any]
    ) -> SharedCollections | None:
        """The collections shared by the requests running ``operation``, or ``None`` when
        its collection may depend on variables."""
        key = id(operation)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is operation:
            self._entries.move_to_end(key)
            shared = entry[1]
        else:
            shared = SharedCollections(static=_static(operation, fragments))
            self._entries[key] = (operation, shared)
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return shared if shared.static else None


_ATTRIBUTE = "_trendgraph_shared_collections"


def of_schema(schema: GraphQLSchema) -> SharedByOperation:
    """``schema``'s shared collections. Kept on the schema itself: they hold its types,
    and an entry of a table keyed weakly by the schema would then keep it alive."""
    shared: SharedByOperation | None = getattr(schema, _ATTRIBUTE, None)
    if shared is None:
        shared = SharedByOperation()
        setattr(schema, _ATTRIBUTE, shared)
    return shared
