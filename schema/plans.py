"""What :class:`schema.execution.FastExecutor` can do without graphql-core's per-field
machinery: per-field plans (a plain leaf's read and coercion, a direct resolver), kept per
schema, and the closures a compiled selection is made of (see :mod:`schema.execution`).
"""

from __future__ import annotations

import inspect
import weakref
from operator import attrgetter
from collections.abc import Callable
from math import isfinite
from typing import Any, NamedTuple

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    get_nullable_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Undefined
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

FastField = tuple[Callable[[Any], Any], Callable[[Any], Any], bool]
"""How to complete a plain leaf field: read it, coerce it, whether null is an error."""
PlannedField = tuple[str, FieldDetailsList, FastField | None]


class DirectResolver(NamedTuple):
    """A field resolved by calling its function directly: an attribute read, or a sync
    method taking ``self`` and at most strawberry's ``Info`` (``info_name``)."""

    function: Callable[..., Any]
    info_name: str | None
    definition: StrawberryField


class FieldPlans:
    """What the executor learned about one schema's fields, by field identity."""

    def __init__(self) -> None:
        self.leaves: dict[int, FastField | None] = {}
        self.resolvers: dict[int, DirectResolver | None] = {}

    @classmethod
    def of(cls, schema: GraphQLSchema) -> FieldPlans:
        """The plans of ``schema``'s fields, kept as long as the schema (and its fields)."""
        plans = _BY_SCHEMA.get(schema)
        if plans is None:
            plans = _BY_SCHEMA[schema] = cls()
        return plans


_BY_SCHEMA: weakref.WeakKeyDictionary[GraphQLSchema, FieldPlans] = weakref.WeakKeyDictionary()


def output_coercion(leaf_type: GraphQLScalarType | GraphQLEnumType) -> Callable[[Any], Any] | None:
    """The leaf type's output coercion, answering at once for values already in their
    output form: a ``str`` for String and ID, a finite ``float`` for Float, a 32-bit ``int``
    for Int, a ``bool`` for Boolean (what graphql-core's coercion returns unchanged)."""
    coerce = leaf_type.coerce_output_value
    if coerce is None:
        return None
    if leaf_type is GraphQLString or leaf_type is GraphQLID:

        def coerce_text(value: Any) -> Any:
            return value if type(value) is str else coerce(value)

        return coerce_text
    if leaf_type is GraphQLFloat:

        def coerce_float(value: Any) -> Any:
            return value if type(value) is float and isfinite(value) else coerce(value)

        return coerce_float
    if leaf_type is GraphQLInt:

        def coerce_int(value: Any) -> Any:
            if type(value) is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT:
                return value
            return coerce(value)

        return coerce_int
    if leaf_type is GraphQLBoolean:

        def coerce_boolean(value: Any) -> Any:
            return value if type(value) is bool else coerce(value)

        return coerce_boolean
    return coerce


def static_fast_field(field_def: GraphQLField) -> FastField | None:
    """How to complete a plain leaf field inline: a basic (attribute) field of scalar or
    enum type without arguments."""
    if not getattr(field_def.resolve, "_is_default", False):
        return None  # a resolver, a permission, a field extension: the general path
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
        return None
    if field_def.args:
        return None
    return_type = field_def.type
    non_null = isinstance(return_type, GraphQLNonNull)
    leaf_type = get_nullable_type(return_type)
    if not isinstance(leaf_type, GraphQLScalarType | GraphQLEnumType):
        return None
    coerce = output_coercion(leaf_type)
    if coerce is None:
        return None
    default_resolver = definition.default_resolver
    python_name = definition.python_name

    def read(source: Any) -> Any:
        return default_resolver(source, python_name)

    return read, coerce, non_null


def static_direct_resolver(field_def: GraphQLField, handlers: bool) -> DirectResolver | None:
    """Basic fields (an attribute) and sync resolvers taking ``self`` and maybe ``info``,
    without extensions or arguments: they need no argument conversion nor the wrapping
    strawberry puts around every resolver call."""
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        not isinstance(definition, StrawberryField)
        or definition.extensions
        or field_def.args
        or handlers
    ):
        return None
    resolver = definition.base_resolver
    if resolver is None:
        default_resolver, python_name = definition.default_resolver, definition.python_name
        if default_resolver is getattr:  # strawberry's default: read in C
            return DirectResolver(attrgetter(python_name), None, definition)

        def read(source: Any) -> Any:
            return default_resolver(source, python_name)

        return DirectResolver(read, None, definition)
    if (
        resolver.is_async
        or resolver.self_parameter is None
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
        or resolver.arguments
        or not callable(resolver.wrapped_func)
    ):
        return None
    info = resolver.info_parameter
    return DirectResolver(resolver.wrapped_func, info.name if info else None, definition)


Completion = Callable[[Any], Any]
"""Completes a resolved value into its response value, or raises :class:`GiveUp`."""
CompiledField = tuple[str, Callable[[Any], Any], Completion, bool]
"""A field of a compiled object: response name, resolver, completion, whether the resolver
is a method (which may return an awaitable)."""


class GiveUp(Exception):
    """A completion met something only graphql-core's path can answer."""


class Awaiting(GiveUp):
    """A completion met an awaitable (it would meet one again for every sibling)."""


def discard(value: Any) -> None:
    """Closes the coroutines a resolver made for a completion that gave up: graphql-core's
    path calls the resolver again, and these would otherwise never be awaited."""
    for item in value if type(value) is list else (value,):
        if inspect.iscoroutine(item):
            item.close()


def same(value: Any) -> Any:
    return value


def constant(value: Any) -> Callable[[Any], Any]:
    return lambda _source: value


def leaf_completion(
    leaf_type: GraphQLScalarType | GraphQLEnumType, coerce: Callable[[Any], Any], non_null: bool
) -> Completion:
    def complete_leaf(value: Any) -> Any:
        if value is None:
            if non_null:
                raise GiveUp
            return None
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise GiveUp
        return coerced

    # The common cases answer in one call: a value already in its output form.
    if leaf_type is GraphQLString or leaf_type is GraphQLID:

        def complete_text(value: Any) -> Any:
            return value if type(value) is str else complete_leaf(value)

        return complete_text
    if leaf_type is GraphQLFloat:

        def complete_float(value: Any) -> Any:
            return value if type(value) is float and isfinite(value) else complete_leaf(value)

        return complete_float
    return complete_leaf


def list_completion(complete_item: Completion, non_null: bool) -> Completion:
    def complete_list(value: Any) -> Any:
        if type(value) is list:
            return [complete_item(item) for item in value]
        if value is None and not non_null:
            return None
        raise GiveUp  # another iterable, or a null in a non-null list

    return complete_list


def object_completion(
    object_type: GraphQLObjectType,
    fields: list[CompiledField],
    non_null: bool,
    is_awaitable: Callable[[Any], bool],
) -> Completion:
    is_type_of = object_type.is_type_of

    def complete_object(value: Any) -> Any:
        if value is None:
            if non_null:
                raise GiveUp
            return None
        if isinstance(value, Exception):
            raise GiveUp
        if is_type_of is not None:
            # strawberry's is_type_of ignores the info; one that needs it fails here, and
            # graphql-core's path calls it properly.
            accepted = is_type_of(value, None)  # type: ignore[arg-type]
            if accepted is not True:
                discard(accepted)
                raise GiveUp
        completed: dict[str, Any] = {}
        for response_name, resolve, complete, from_method in fields:
            field_value = resolve(value)
            if not from_method:
                completed[response_name] = complete(field_value)
                continue
            if is_awaitable(field_value):
                discard(field_value)
                raise Awaiting
            try:
                completed[response_name] = complete(field_value)
            except Exception:
                discard(field_value)
                raise
        return completed

    return complete_object
