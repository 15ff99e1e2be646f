"""What a query selects below the current field, so reads can skip what nobody asked for.

Walks graphql-core's syntax tree of the current field (and the fragments it spreads)
rather than strawberry's ``Info.selected_fields``, which converts the whole selection below
the field, arguments and directives included, every time it is read. Like it, a field
under ``@skip``/``@include`` counts as selected: a read may fetch more than a query
finally shows, never less.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)


def _fields(
    selection_set: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    """The fields of a selection set, with fragments flattened."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments)


def _level(info: Any, path: tuple[str, ...]) -> list[FieldNode] | None:
    """The fields selected at ``path`` below the current field; ``None`` if it is not reached."""
    raw = info._raw_info  # strawberry's Info over graphql-core's GraphQLResolveInfo
    fragments = raw.fragments
    level = [child for node in raw.field_nodes for child in _fields(node.selection_set, fragments)]
    for name in path:
        matching = [field for field in level if field.name.value == name]
        if not matching:
            return None
        level = [child for field in matching for child in _fields(field.selection_set, fragments)]
    return level


def selects(info: Any, *path: str) -> bool:
    """Whether the current field's selection reaches ``path`` (GraphQL names), via any fragment."""
    return _level(info, path) is not None


def selected_names(info: Any, *path: str) -> set[str]:
    """The names of the fields selected at ``path`` below the current field (empty if none)."""
    return {field.name.value for field in _level(info, path) or ()}
