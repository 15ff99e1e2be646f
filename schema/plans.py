"""What :class:`schema.execution.FastExecutor` can do without graphql-core's per-field
machinery: per-field plans (a plain leaf's read and coercion, a direct resolver), kept per
schema, and the :func:`direct` marker resolvers opt in with (see docs/executor.md).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from math import isfinite
from operator import attrgetter
from typing import Any, NamedTuple, TypeVar

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
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    get_nullable_type,
)
from graphql.execution.collect_fields import FieldDetailsList
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
    attribute: str | None = None
    """For a basic field read with ``getattr``: the attribute (compiled code reads it inline)."""


DIRECT = "__trendgraph_direct__"
Resolver = TypeVar("Resolver", bound=Callable[..., Any])


def direct(resolver: Resolver) -> Resolver:
    """Marks a resolver the executor may call directly and under compiled selections: sync,
    taking ``self`` and at most strawberry's ``Info``, a read without side effects that
    does not read ``info.path``. Put it under ``@strawberry.field``. Unmarked resolvers
    always go through strawberry and graphql-core (docs/executor.md)."""
    setattr(resolver, DIRECT, True)
    return resolver


class FieldPlans:
    """What the executor learned about one schema's fields, by field identity."""

    def __init__(self) -> None:
        self.leaves: dict[int, FastField | None] = {}
        self.resolvers: dict[int, DirectResolver | None] = {}
        self.object_templates: dict[Hashable, Callable[..., Any]] = {}
        """Generated object completions by shape (see :mod:`schema.compiled`)."""
        self.needs_path: set[int] = set()
        """Fields whose resolver read ``info.path``: never compiled again."""

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
    output form (see :func:`in_output_form`)."""
    coerce = leaf_type.coerce_output_value
    return None if coerce is None else in_output_form(leaf_type, coerce)


def in_output_form(
    leaf_type: GraphQLScalarType | GraphQLEnumType, otherwise: Callable[[Any], Any]
) -> Callable[[Any], Any]:
    """``otherwise``, but answering at once (the value itself) for a value already in the
    leaf type's output form: a ``str`` for String and ID, a finite ``float`` for Float, a
    32-bit ``int`` for Int, a ``bool`` for Boolean (what graphql-core's coercion returns
    unchanged)."""
    if leaf_type is GraphQLString or leaf_type is GraphQLID:

        def text(value: Any) -> Any:
            return value if type(value) is str else otherwise(value)

        return text
    if leaf_type is GraphQLFloat:

        def finite_float(value: Any) -> Any:
            return value if type(value) is float and isfinite(value) else otherwise(value)

        return finite_float
    if leaf_type is GraphQLInt:

        def int32(value: Any) -> Any:
            if type(value) is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT:
                return value
            return otherwise(value)

        return int32
    if leaf_type is GraphQLBoolean:

        def boolean(value: Any) -> Any:
            return value if type(value) is bool else otherwise(value)

        return boolean
    return otherwise


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
    """Basic fields (an attribute) and sync resolvers marked :func:`direct`, taking ``self``
    and maybe ``info``, without extensions or arguments: they need no argument conversion
    nor the wrapping strawberry puts around every resolver call."""
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
            return DirectResolver(attrgetter(python_name), None, definition, python_name)

        def read(source: Any) -> Any:
            return default_resolver(source, python_name)

        return DirectResolver(read, None, definition)
    if (
        not getattr(resolver.wrapped_func, DIRECT, False)
        or resolver.is_async
        or resolver.self_parameter is None
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
        or resolver.arguments
        or not callable(resolver.wrapped_func)
    ):
        return None
    info = resolver.info_parameter
    return DirectResolver(resolver.wrapped_func, info.name if info else None, definition)
