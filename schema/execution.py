"""A graphql-core executor that completes plain leaf fields without the per-field machinery.

graphql-core executes every field alike: a :class:`~graphql.pyutils.Path`, a resolve info
object, argument coercion, the resolver call and ``complete_value``'s chain of type tests.
For most fields of a response that is all overhead: a strawberry "basic" field (no
resolver, no extension, no argument) of scalar or enum type is just an attribute read and
an output coercion. :class:`FastExecutor` plans each selection set once per request and
completes such fields inline; every other field, and any field whose fast completion
fails (a null in a non-null field, a value the scalar refuses, a missing attribute), goes
through graphql-core's own ``execute_field``, so errors, paths and null propagation are
exactly graphql-core's. Deferred fields (``position_context`` set) always take that path.

Resolvers that take only ``self`` (and maybe strawberry's ``Info``), with no arguments and
no extension, are called directly, without strawberry's argument conversion and wrapping.

Whole selections go further: when every field under a value is a plain leaf, ``__typename``
or such a direct resolver (and there is no ``@defer``/``@stream``), the executor compiles
the selection, on its second use in a request (a list's second item), into nested closures
(a "completion") that build the response without paths, resolve infos or awaitable
checks. A resolver taking ``Info`` gets one per selection, without a path: one that reads
``info.path`` fails, and is called again the general way. A completion is optimistic: at
the first thing only graphql-core can answer (an error, a null in a non-null field, a value
``is_type_of`` refuses, an awaitable) it gives up, and graphql-core's path completes the
same value from the start, so errors and nulls are graphql-core's. Resolvers under a
completion may therefore run twice when one of their subtrees fails: direct resolvers
must be reads without side effects, as this schema's are.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    get_nullable_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from strawberry.schema.schema import Schema, StrawberryGraphQLCoreExecutionContext

from schema.plans import (
    Awaiting,
    CompiledField,
    Completion,
    DirectResolver,
    FastField,
    FieldPlans,
    PlannedField,
    constant,
    leaf_completion,
    list_completion,
    object_completion,
    same,
    static_direct_resolver,
    static_fast_field,
)

_NOT_COMPILED: Any = object()
_SEEN_ONCE: Any = object()


class FastExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with plain leaf fields completed inline, direct resolvers
    and compiled selections (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keyed by the id of the grouped field set, which is kept alive with its plan
        # (graphql-core memoizes grouped field sets for the executor's lifetime).
        self._plans: dict[tuple[str, int], tuple[GroupedFieldSet, list[PlannedField]]] = {}
        # Completions by (id of the return type, id of the field details list); the list
        # is kept alive with its completion, like graphql-core's subfield memo.
        self._completions: dict[tuple[int, int], tuple[FieldDetailsList, Completion | None]] = {}
        self._strawberry: Schema = self.schema._strawberry_schema  # type: ignore[attr-defined]
        # A schema extension with a ``resolve`` hook must see every field: no shortcuts then.
        middleware = self.middleware_manager
        self._shortcuts = not (middleware and middleware.middlewares)
        self._handlers = bool(self._strawberry.exception_handlers)
        self._field_plans = FieldPlans.of(self.schema)

    def _fast_field(
        self, field_def: GraphQLField, field_details_list: FieldDetailsList
    ) -> FastField | None:
        """The inline completion of a plain leaf field, or ``None``."""
        leaves = self._field_plans.leaves
        key = id(field_def)
        if key in leaves:
            fast = leaves[key]
        else:
            fast = leaves[key] = static_fast_field(field_def)
        if fast is None or any(details.node.arguments for details in field_details_list):
            return None
        return fast

    def _direct_resolver(self, field_def: GraphQLField) -> DirectResolver | None:
        resolvers = self._field_plans.resolvers
        key = id(field_def)
        if key in resolvers:
            return resolvers[key]
        direct = resolvers[key] = static_direct_resolver(field_def, self._handlers)
        return direct

    def _info(self, direct: DirectResolver, info: GraphQLResolveInfo[Any]) -> Any:
        """Strawberry's ``Info`` around graphql-core's ``info``, as its resolvers get it."""
        return self._strawberry.config.info_class(_raw_info=info, _field=direct.definition)

    def _completion(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> Completion | None:
        """The compiled completion of a selection, or ``None`` when it cannot have one."""
        key = (id(return_type), id(field_details_list))
        cached = self._completions.get(key)
        if cached is None:
            # Compiled on second sight: a selection completed once per request (a single
            # object) costs less through the general path than compiled and run once.
            # A list's items are compiled from the first (see ``_expect_reuse``).
            self._completions[key] = (field_details_list, _SEEN_ONCE)
            return None
        if cached[1] is _SEEN_ONCE:
            return self._compiled(return_type, field_details_list)
        return cached[1]

    def _expect_reuse(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> None:
        """The selection will be completed again (a list's items): compile it at first
        sight, so the first item does not take the general path alone."""
        self._completions.setdefault(
            (id(return_type), id(field_details_list)), (field_details_list, _SEEN_ONCE)
        )

    def _compiled(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> Completion | None:
        """:meth:`_completion`, compiled now (the parts of a selection being compiled)."""
        key = (id(return_type), id(field_details_list))
        cached = self._completions.get(key)
        if cached is None or cached[1] is _SEEN_ONCE:
            compiled = self._compile(return_type, field_details_list)
            cached = self._completions[key] = (field_details_list, compiled)
        return cached[1]

    def _compile(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> Completion | None:
        if not self._shortcuts:
            return None
        non_null = isinstance(return_type, GraphQLNonNull)
        nullable = get_nullable_type(return_type)
        if type(nullable) is GraphQLList:
            if any(details.node.directives for details in field_details_list):
                return None  # @stream, or a directive graphql-core should see
            complete_item = self._compiled(nullable.of_type, field_details_list)
            return None if complete_item is None else list_completion(complete_item, non_null)
        if isinstance(nullable, GraphQLScalarType | GraphQLEnumType):
            return leaf_completion(nullable, non_null)
        if type(nullable) is not GraphQLObjectType:
            return None  # interfaces and unions: graphql-core finds the runtime type
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            nullable, field_details_list
        )
        if new_defer_usages:
            return None
        fields: list[CompiledField] = []
        for response_name, sub_details in grouped_field_set.items():
            name = sub_details[0].node.name.value
            if name == "__typename":
                fields.append(CompiledField(response_name, constant(nullable.name), same, False))
                continue
            if any(details.node.arguments for details in sub_details):
                return None
            field_def = self.schema.get_field(nullable, name)
            direct = self._direct_resolver(field_def) if field_def else None
            if field_def is None or direct is None:
                return None
            complete = self._compiled(field_def.type, sub_details)
            if complete is None:
                return None
            resolve: Callable[[Any], Any] = direct.function
            if direct.info_name is not None:
                # One Info for every object of this selection, so without a path: a
                # resolver that reads ``info.path`` fails here and runs again in
                # graphql-core's path with the real one.
                nodes = [details.node for details in sub_details]
                raw = self.build_resolve_info(field_def, nodes, nullable, None)  # type: ignore[arg-type]
                resolve = functools.partial(resolve, **{direct.info_name: self._info(direct, raw)})
            from_method = direct.definition.base_resolver is not None
            fields.append(
                CompiledField(response_name, resolve, complete, from_method, direct.attribute)
            )
        return object_completion(
            nullable, fields, non_null, self.is_awaitable, self._field_plans.object_templates
        )

    def _complete_compiled(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList, result: Any
    ) -> Any:
        """The compiled completion of ``result``, or ``_NOT_COMPILED`` when there is none or
        it gave up (then graphql-core's path must complete ``result``)."""
        completion = self._completion(return_type, field_details_list)
        if completion is None:
            return _NOT_COMPILED
        try:
            return completion(result)
        except Awaiting:
            # Its siblings would wait too: the general path for the rest of the request.
            key = (id(return_type), id(field_details_list))
            self._completions[key] = (field_details_list, None)
        except Exception:
            pass  # graphql-core's path meets it again and reports it
        return _NOT_COMPILED

    def _plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> list[PlannedField]:
        key = (parent_type.name, id(grouped_field_set))
        cached = self._plans.get(key)
        if cached is not None:
            return cached[1]
        plan: list[PlannedField] = []
        for response_name, field_details_list in grouped_field_set.items():
            field_def = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
            fast = self._fast_field(field_def, field_details_list) if field_def else None
            plan.append((response_name, field_details_list, fast))
        self._plans[key] = (grouped_field_set, plan)
        return plan

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        if position_context is not None or not self._shortcuts:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list, fast in self._plan(
                parent_type, grouped_field_set
            ):
                if fast is not None:
                    read, coerce, non_null = fast
                    try:
                        value = read(source_value)
                        if value is None:
                            if not non_null:
                                results[response_name] = None
                                continue
                        else:
                            coerced = coerce(value)
                            if coerced is not None and coerced is not Undefined:
                                results[response_name] = coerced
                                continue
                    except Exception:
                        pass  # the general path below reports it
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self._gather_fields(results, awaitable_fields)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """Direct resolvers (see :class:`DirectResolver`) are called without strawberry's
        argument handling and wrapping; the rest as graphql-core does it."""
        first = field_details_list[0].node
        field_def = self.schema.get_field(parent_type, first.name.value)
        direct = (
            self._direct_resolver(field_def)
            if self._shortcuts and field_def is not None and not first.arguments
            else None
        )
        if direct is None or field_def is None:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        return_type = field_def.type
        info: GraphQLResolveInfo[Any] | None = None
        try:
            if direct.info_name is None:
                result = direct.function(source)
            else:
                info = self._resolve_info(field_def, field_details_list, parent_type, path)
                result = direct.function(source, **{direct.info_name: self._info(direct, info)})
            if self.is_awaitable(result):
                info = info or self._resolve_info(field_def, field_details_list, parent_type, path)
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, result, position_context
                )
            if position_context is None:
                completed = self._complete_compiled(return_type, field_details_list, result)
                if completed is not _NOT_COMPILED:
                    return completed
            info = info or self._resolve_info(field_def, field_details_list, parent_type, path)
            completed = self._complete_general(
                return_type, field_details_list, info, path, result, position_context
            )
        except Exception as error:
            self.handle_field_error(error, return_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._completed_later(completed, return_type, field_details_list, path)
        return completed

    async def _completed_later(
        self,
        completed: Awaitable[Any],
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as error:
            self.handle_field_error(error, return_type, field_details_list, path)
            return None

    def _resolve_info(
        self,
        field_def: GraphQLField,
        field_details_list: FieldDetailsList,
        parent_type: GraphQLObjectType,
        path: Path,
    ) -> GraphQLResolveInfo[Any]:
        nodes = [details.node for details in field_details_list]
        return self.build_resolve_info(field_def, nodes, parent_type, path)

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        """A compiled completion when the selection has one and it does not give up;
        otherwise :meth:`_complete_general`."""
        if position_context is None:
            completed = self._complete_compiled(return_type, field_details_list, result)
            if completed is not _NOT_COMPILED:
                return completed
        return self._complete_general(
            return_type, field_details_list, info, path, result, position_context
        )

    def _complete_general(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        """Objects go straight to their fields, lists (without directives, so never
        streamed) straight to their items; everything else as graphql-core does it."""
        object_type = return_type
        if type(object_type) is GraphQLNonNull:
            object_type = object_type.of_type
        if (
            type(object_type) is GraphQLList
            and type(result) is list
            and position_context is None
            and not any(details.node.directives for details in field_details_list)
        ):
            return self._complete_list(object_type.of_type, field_details_list, info, path, result)
        if (
            type(object_type) is GraphQLObjectType
            and position_context is None
            and result is not None
            and result is not Undefined
            and not isinstance(result, Exception)
        ):
            is_type_of = object_type.is_type_of
            if is_type_of is None or is_type_of(result, info) is True:
                grouped_field_set, new_defer_usages, _ = self.collect_subfields(
                    object_type, field_details_list
                )
                if not new_defer_usages:
                    return self.execute_fields(
                        object_type, result, path, grouped_field_set, position_context
                    )
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _complete_list(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: list[Any],
    ) -> AwaitableOrValue[list[Any]]:
        is_awaitable = self.is_awaitable
        completed: list[Any] = []
        pending: list[int] = []
        index = 0
        if len(items) > 1:
            self._expect_reuse(item_type, field_details_list)
        try:
            for index, item in enumerate(items):
                item_path = path.add_key(index, None)
                value: Any
                try:
                    if is_awaitable(item):
                        value = self.complete_awaitable_list_item_value(
                            item, item_type, field_details_list, info, item_path, None
                        )
                    else:
                        value = self.complete_value(
                            item_type, field_details_list, info, item_path, item, None
                        )
                        if is_awaitable(value):
                            value = self._completed_later(
                                value, item_type, field_details_list, item_path
                            )
                except Exception as error:
                    self.handle_field_error(error, item_type, field_details_list, item_path)
                    value = None
                if is_awaitable(value):
                    pending.append(index)
                completed.append(value)
        except Exception:
            # A null in a non-null item: settle what was started and what was never reached.
            started = [completed[position] for position in pending]
            unreached = [item for item in items[index + 1 :] if is_awaitable(item)]
            if started or unreached:
                self.settle_in_background([*started, *unreached])
            raise
        if not pending:
            return completed
        return self._gather_items(completed, pending)

    @staticmethod
    async def _gather_items(completed: list[Any], pending: list[int]) -> list[Any]:
        if len(pending) == 1:
            completed[pending[0]] = await completed[pending[0]]
        else:
            awaited = await gather_with_cancel(*(completed[position] for position in pending))
            for position, value in zip(pending, awaited, strict=True):
                completed[position] = value
        return completed

    @staticmethod
    async def _gather_fields(results: dict[str, Any], awaitable_fields: list[str]) -> Any:
        if len(awaitable_fields) == 1:
            name = awaitable_fields[0]
            awaitable: Awaitable[Any] = results[name]
            results[name] = await awaitable
        else:
            awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
            results.update(zip(awaitable_fields, awaited, strict=True))
        return results
