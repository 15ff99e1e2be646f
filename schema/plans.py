"""What :class:`schema.execution.FastExecutor` can do without graphql-core's per-field
machinery: per-field plans (a plain leaf's read and coercion, a direct resolver), kept per
schema, and the closures a compiled selection is made of (see :mod:`schema.execution`).
"""

from __future__ import annotations

import inspect
import keyword
import weakref
from collections.abc import Callable, Hashable
from math import isfinite
from operator import attrgetter
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
    attribute: str | None = None
    """For a basic field read with ``getattr``: the attribute (compiled code reads it inline)."""


class FieldPlans:
    """What the executor learned about one schema's fields, by field identity."""

    def __init__(self) -> None:
        self.leaves: dict[int, FastField | None] = {}
        self.resolvers: dict[int, DirectResolver | None] = {}
        self.object_templates: dict[Hashable, ObjectTemplate] = {}
        """Generated object completions by shape, at most ``MAX_OBJECT_TEMPLATES``."""

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
            return DirectResolver(attrgetter(python_name), None, definition, python_name)

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


class CompiledField(NamedTuple):
    """A field of a compiled object."""

    response_name: str
    resolve: Callable[[Any], Any]
    complete: Completion
    from_method: bool
    """The resolver is a method, which may return an awaitable."""
    attribute: str | None = None
    """Set when the value is this attribute of the object (read inline)."""


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
    leaf_type: GraphQLScalarType | GraphQLEnumType, non_null: bool
) -> Completion | None:
    """Completes a value of ``leaf_type``; ``None`` when the type has no output coercion."""
    coerce = leaf_type.coerce_output_value
    if coerce is None:
        return None

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
    return in_output_form(leaf_type, complete_leaf)


def list_completion(complete_item: Completion, non_null: bool) -> Completion:
    def complete_list(value: Any) -> Any:
        if type(value) is list:
            return [complete_item(item) for item in value]
        if value is None and not non_null:
            return None
        raise GiveUp  # another iterable, or a null in a non-null list

    return complete_list


MAX_OBJECT_TEMPLATES = 512
"""Object shapes whose generated code a schema keeps (a client can send any number)."""
ObjectTemplate = Callable[..., Completion]


def object_completion(
    object_type: GraphQLObjectType,
    fields: list[CompiledField],
    non_null: bool,
    is_awaitable: Callable[[Any], bool],
    templates: dict[Hashable, ObjectTemplate],
) -> Completion:
    """Completes an object of ``object_type`` with ``fields``: a function generated for the
    selection's shape (as ``dataclasses`` generates ``__init__``), the fields' reads and
    completions unrolled, attributes read inline; generated once per shape and schema."""
    is_type_of = object_type.is_type_of
    shape = (
        non_null,
        is_type_of is not None,
        tuple((f.response_name, _inline(f.attribute), f.from_method) for f in fields),
    )
    template = templates.get(shape)
    if template is None:
        template = _object_template(*shape)
        if len(templates) < MAX_OBJECT_TEMPLATES:
            templates[shape] = template
    arguments = [is_type_of, is_awaitable]
    for field in fields:
        arguments += (field.resolve, field.complete)
    return template(*arguments)


def _inline(attribute: str | None) -> str | None:
    """``attribute`` when generated code may spell it as ``value.attribute``."""
    if attribute is None or not attribute.isidentifier() or keyword.iskeyword(attribute):
        return None
    return attribute


def _object_template(
    non_null: bool, type_check: bool, fields: tuple[tuple[str, str | None, bool], ...]
) -> ObjectTemplate:
    """Generates a factory taking ``is_type_of``, ``is_awaitable`` and each field's resolver
    and completion, and returning the object completion (see :func:`object_completion`)."""
    parameters = ["is_type_of", "is_awaitable"]
    body = ["    if value is None:", "        raise GiveUp" if non_null else "        return None"]
    body += ["    if isinstance(value, Exception):", "        raise GiveUp"]
    if type_check:
        # strawberry's is_type_of ignores the info; one that needs it fails here, and
        # graphql-core's path calls it properly.
        body += [
            "    accepted = is_type_of(value, None)",
            "    if accepted is not True:",
            "        discard(accepted)",
            "        raise GiveUp",
        ]
    for index, (_response_name, attribute, from_method) in enumerate(fields):
        resolve, complete, field = f"resolve{index}", f"complete{index}", f"field{index}"
        parameters += (resolve, complete)
        read = f"value.{attribute}" if attribute else f"{resolve}(value)"
        if not from_method:
            body.append(f"    {field} = {complete}({read})")
            continue
        body += [
            f"    {field} = {read}",
            f"    if is_awaitable({field}):",
            f"        discard({field})",
            "        raise Awaiting",
            "    try:",
            f"        {field} = {complete}({field})",
            "    except Exception:",
            f"        discard({field})",
            "        raise",
        ]
    # Response names are GraphQL names (letters, digits, underscores): safe in a literal.
    items = ", ".join(f"{name!r}: field{index}" for index, (name, _, _) in enumerate(fields))
    body.append(f"    return {{{items}}}")
    source = "\n".join(
        [f"def make({', '.join(parameters)}):", "  def complete_object(value):"]
        + ["  " + line for line in body]
        + ["  return complete_object"]
    )
    namespace: dict[str, Any] = {"GiveUp": GiveUp, "Awaiting": Awaiting, "discard": discard}
    exec(compile(source, "<compiled selection>", "exec"), namespace)
    template: ObjectTemplate = namespace["make"]
    return template
