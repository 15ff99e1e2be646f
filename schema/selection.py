"""What a query selects below the current field, so reads can skip what nobody asked for."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    """The fields of a selection set, with fragments flattened."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)


def _level(info: Any, path: tuple[str, ...]) -> list[SelectedField] | None:
    """The fields selected at ``path`` below the current field; ``None`` if it is not reached."""
    level = [child for field in info.selected_fields for child in _fields(field.selections)]
    for name in path:
        matching = [field for field in level if field.name == name]
        if not matching:
            return None
        level = [child for field in matching for child in _fields(field.selections)]
    return level


def selects(info: Any, *path: str) -> bool:
    """Whether the current field's selection reaches ``path`` (GraphQL names), via any fragment."""
    return _level(info, path) is not None


def selected_names(info: Any, *path: str) -> set[str]:
    """The names of the fields selected at ``path`` below the current field (empty if none)."""
    return {field.name for field in _level(info, path) or ()}
