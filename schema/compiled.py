"""Compiled selections: the closures :class:`schema.execution.FastExecutor` completes a whole
selection with, and the record of what they did when they give up.

A completion builds a value's response without paths, resolve infos or awaitable checks.
At the first thing only graphql-core can answer (a null in a non-null field, a value a
scalar refuses, an awaitable, a resolver's error, a read of ``info.path``) it raises, and
graphql-core's path completes the same value again. So that no resolver runs twice, each
object and list completion leaves a :class:`Replay` on its way out: what every resolver it
called returned (or raised), and the finished responses of the values it completed. The
executor's general path takes those instead of calling the resolvers again.
See docs/executor.md.
"""

from __future__ import annotations

import inspect
import keyword
from collections.abc import Callable, Hashable, Sequence
from typing import Any, NamedTuple

from graphql import GraphQLEnumType, GraphQLObjectType, GraphQLResolveInfo, GraphQLScalarType
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Undefined

from schema.plans import in_output_form

Completion = Callable[[Any], Any]
"""Completes a resolved value into its response value, or raises :class:`GiveUp`."""


class GiveUp(Exception):
    """A completion met something only graphql-core's path can answer."""


class Awaiting(GiveUp):
    """A completion met an awaitable (it would meet one again for every sibling)."""


class PathUnavailable(GiveUp):
    """A resolver under a compiled selection read ``info.path``, which it does not have."""

    def __init__(self, parent_type: GraphQLObjectType, field_name: str) -> None:
        self.parent_type, self.field_name = parent_type, field_name
        super().__init__(f"{parent_type.name}.{field_name} read info.path")


def _unavailable_path(info: GraphQLResolveInfo[Any]) -> Any:
    raise PathUnavailable(info.parent_type, info.field_name)


_PATHLESS: dict[type[Any], type[Any]] = {}


def pathless_info(info: GraphQLResolveInfo[Any]) -> GraphQLResolveInfo[Any]:
    """``info`` (built without a path) as the resolve info of a compiled selection's field:
    one for all its objects, so reading its ``path`` raises :class:`PathUnavailable`
    instead of answering ``None``, and the executor falls back to calling the resolver
    with the real info. (A subclass of ``info``'s own class: strawberry adds a field.)"""
    info_class = type(info)
    pathless = _PATHLESS.get(info_class)
    if pathless is None:
        namespace = {"__slots__": (), "path": property(_unavailable_path)}
        pathless = _PATHLESS[info_class] = type(
            f"Pathless{info_class.__name__}", (info_class,), namespace
        )
    made: GraphQLResolveInfo[Any] = pathless(*info)
    return made


class Raised(NamedTuple):
    """What a resolver raised under a completion; graphql-core's path raises it again."""

    error: Exception


UNSET: Any = object()
"""A field a completion did not reach."""


class Replay:
    """What completions did before they gave up, for graphql-core's path to reuse: by
    ``(id(source), id(field details))`` what each resolver returned, and by
    ``(id(value), id(field details))`` the responses already built. Each entry keeps its
    source or value, so an id reused by another object never matches."""

    __slots__ = ("completed", "resolved")

    def __init__(self) -> None:
        self.resolved: dict[tuple[int, int], tuple[Any, Any]] = {}
        self.completed: dict[tuple[int, int], tuple[Any, Any]] = {}

    def __bool__(self) -> bool:
        return bool(self.resolved or self.completed)

    def take_resolved(self, source: Any, details: FieldDetailsList) -> Any:
        """What the field's resolver returned for ``source``, or ``UNSET``."""
        entry = self.resolved.pop((id(source), id(details)), None)
        return entry[1] if entry is not None and entry[0] is source else UNSET

    def take_completed(self, value: Any, details: FieldDetailsList) -> Any:
        """The response already built for ``value``, or ``UNSET`` (kept: the same object
        twice in a list has the same response twice)."""
        entry = self.completed.get((id(value), id(details)))
        return entry[1] if entry is not None and entry[0] is value else UNSET

    def clear(self) -> None:
        """Forget what was not taken, closing the coroutines nobody will await."""
        for _, raw in self.resolved.values():
            if inspect.iscoroutine(raw):
                raw.close()
        self.resolved.clear()
        self.completed.clear()


class CompiledField(NamedTuple):
    """A field of a compiled object."""

    response_name: str
    resolve: Callable[[Any], Any]
    complete: Completion
    from_method: bool
    """The resolver is a method, which may return an awaitable."""
    attribute: str | None = None
    """Set when the value is this attribute of the object (read inline)."""
    details: FieldDetailsList | None = None
    """The field's details, the key of what a replay keeps of it (``None``: nothing)."""
    composite: bool = False
    """Objects under it: its response is worth keeping when a sibling gives up."""


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


def list_completion(
    complete_item: Completion,
    non_null: bool,
    replay: Replay | None = None,
    details: FieldDetailsList | None = None,
) -> Completion:
    """Completes a list; with ``replay``, the items done before one gives up are kept
    there (their responses, under ``details``)."""
    if replay is None or details is None:

        def complete_list(value: Any) -> Any:
            if type(value) is list:
                return [complete_item(item) for item in value]
            if value is None and not non_null:
                return None
            raise GiveUp  # another iterable, or a null in a non-null list

        return complete_list
    completed = replay.completed
    details_id = id(details)

    def complete_kept_list(value: Any) -> Any:
        if type(value) is not list:
            if value is None and not non_null:
                return None
            raise GiveUp
        done: list[Any] = []
        append = done.append
        try:
            for item in value:
                append(complete_item(item))
        except BaseException:
            for item, response in zip(value, done, strict=False):
                completed[(id(item), details_id)] = (item, response)
            raise
        return done

    return complete_kept_list


def remember_object(
    replay: Replay, fields: Sequence[CompiledField]
) -> Callable[[Any, BaseException, tuple[Any, ...], tuple[Any, ...]], None]:
    """What an object completion calls when it gives up: keeps in ``replay`` what its
    fields' resolvers returned (or raised) and the responses of its finished fields."""

    def remember(
        value: Any, error: BaseException, raws: tuple[Any, ...], responses: tuple[Any, ...]
    ) -> None:
        for field, raw, response in zip(fields, raws, responses, strict=True):
            if field.details is None:  # a leaf read: nothing runs, nothing to keep
                if response is UNSET:
                    return
                continue
            key = (id(value), id(field.details))
            if raw is UNSET:
                # This field's resolver raised: graphql-core's path raises it again,
                # unless it only read the path, which the real info has.
                if isinstance(error, Exception) and not isinstance(error, PathUnavailable):
                    replay.resolved[key] = (value, Raised(error))
                return
            replay.resolved[key] = (value, raw)
            if response is UNSET:
                return
            if field.composite:
                replay.completed[(id(raw), id(field.details))] = (raw, response)

    return remember


MAX_OBJECT_TEMPLATES = 512
"""Object shapes whose generated code a schema keeps (a client can send any number)."""
ObjectTemplate = Callable[..., Completion]


def object_completion(
    object_type: GraphQLObjectType,
    fields: list[CompiledField],
    non_null: bool,
    is_awaitable: Callable[[Any], bool],
    replay: Replay,
    templates: dict[Hashable, ObjectTemplate],
) -> Completion:
    """Completes an object of ``object_type`` with ``fields``: a function generated for the
    selection's shape (as ``dataclasses`` generates ``__init__``), the fields' reads and
    completions unrolled, attributes read inline; generated once per shape and schema."""
    is_type_of = object_type.is_type_of
    shape = (
        non_null,
        is_type_of is not None,
        tuple(
            (f.response_name, _inline(f.attribute), f.from_method, f.details is not None)
            for f in fields
        ),
    )
    template = templates.get(shape)
    if template is None:
        template = _object_template(*shape)
        if len(templates) < MAX_OBJECT_TEMPLATES:
            templates[shape] = template
    arguments = [is_type_of, is_awaitable, remember_object(replay, fields)]
    for field in fields:
        arguments += (field.resolve, field.complete)
    return template(*arguments)


def _inline(attribute: str | None) -> str | None:
    """``attribute`` when generated code may spell it as ``value.attribute``."""
    if attribute is None or not attribute.isidentifier() or keyword.iskeyword(attribute):
        return None
    return attribute


def _object_template(
    non_null: bool, type_check: bool, fields: tuple[tuple[str, str | None, bool, bool], ...]
) -> ObjectTemplate:
    """Generates a factory taking ``is_type_of``, ``is_awaitable``, ``remember`` and each
    field's resolver and completion, and returning the object completion (see
    :func:`object_completion`)."""
    parameters = ["is_type_of", "is_awaitable", "remember"]
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
    kept = [f"raw{i}" for i, (_, _, _, keep) in enumerate(fields) if keep]
    responses = [f"field{index}" for index in range(len(fields))]
    body.append(f"    {' = '.join([*kept, *responses])} = UNSET")
    body.append("    try:")
    for index, (_response_name, attribute, from_method, keep) in enumerate(fields):
        resolve, complete = f"resolve{index}", f"complete{index}"
        parameters += (resolve, complete)
        read = f"value.{attribute}" if attribute else f"{resolve}(value)"
        if not keep:
            body.append(f"        field{index} = {complete}({read})")
            continue
        body.append(f"        raw{index} = {read}")
        if from_method:
            body += [f"        if is_awaitable(raw{index}):", "            raise Awaiting"]
        body.append(f"        field{index} = {complete}(raw{index})")
    raws = [f"raw{i}" if keep else "UNSET" for i, (_, _, _, keep) in enumerate(fields)]
    body += [
        "    except BaseException as error:",
        f"        remember(value, error, ({', '.join(raws)},), ({', '.join(responses)},))",
        "        raise",
    ]
    # Response names are GraphQL names (letters, digits, underscores): safe in a literal.
    items = ", ".join(f"{name!r}: field{index}" for index, (name, *_) in enumerate(fields))
    body.append(f"    return {{{items}}}")
    source = "\n".join(
        [f"def make({', '.join(parameters)}):", "  def complete_object(value):"]
        + ["  " + line for line in body]
        + ["  return complete_object"]
    )
    namespace: dict[str, Any] = {
        "GiveUp": GiveUp,
        "Awaiting": Awaiting,
        "UNSET": UNSET,
        "discard": discard,
    }
    exec(compile(source, "<compiled selection>", "exec"), namespace)
    template: ObjectTemplate = namespace["make"]
    return template


def discard(value: Any) -> None:
    """Closes a coroutine nobody will await (an ``is_type_of`` that answered with one)."""
    if inspect.iscoroutine(value):
        value.close()
