"""The general path of trendgraph's executor: graphql-core's, with plain leaf fields
completed inline and objects and lists sent straight to their fields and items.

:class:`InlineExecutor` is the base of :class:`schema.execution.FastExecutor`, which adds
direct resolvers and compiled selections; both are fenced behind
``TRENDGRAPH_COMPILED_EXECUTION`` (docs/executor.md). Any field this path does not
complete inline, and any inline completion that fails (a null in a non-null field, a value
the scalar refuses, a missing attribute), goes through graphql-core's own
``execute_field``/``complete_value``, so errors, paths and null propagation are
graphql-core's. Deferred fields (``position_context`` set) always take that path.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    OperationType,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema import collected
from schema.collected import SharedCollections
from schema.plans import FastField, FieldPlans, PlannedField, static_fast_field


class InlineExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with plain leaf fields completed inline (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keyed by the id of the grouped field set, which is kept alive with its plan
        # (graphql-core memoizes grouped field sets for the executor's lifetime).
        self._plans: dict[tuple[str, int], tuple[GroupedFieldSet, list[PlannedField]]] = {}
        # A schema extension with a ``resolve`` hook must see every field: no shortcuts then.
        middleware = self.middleware_manager
        self._shortcuts = not (middleware and middleware.middlewares)
        self._field_plans = FieldPlans.of(self.schema)
        self._shared = self._shared_collections() if self._shortcuts else None
        if self._shared is not None:
            # graphql-core memoizes by field group identity; shared groups keep hitting.
            self._relevant_sub_fields = self._shared.sub_fields
            self._plans = self._shared.plans

    def _shared_collections(self) -> SharedCollections | None:
        """This operation's collections shared across requests (:mod:`schema.collected`),
        or ``None``: not a query, switched off, or directives in its selections."""
        context = self.context_value
        settings = getattr(context, "settings", None)
        if self.operation.operation is not OperationType.QUERY or not getattr(
            settings, "shared_selections", True
        ):
            return None
        shared = collected.of_schema(self.schema).get(self.operation, self.fragments)
        metrics = getattr(context, "metrics", None)
        if shared is None and metrics is not None:
            metrics.compiled_fallbacks.labels("selections_not_shared").inc()
        return shared

    def execute_root_grouped_field_set(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        shared = self._shared
        if shared is not None and position_context is None:
            # The first request's root fields, so the groups below them are the shared ones.
            if shared.root is None:
                shared.root = grouped_field_set
            else:
                grouped_field_set = shared.root
        return super().execute_root_grouped_field_set(
            root_type, root_value, grouped_field_set, serially, position_context
        )

    def _expect_reuse(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> None:
        """A hook: the selection will be completed again (a list's items)."""

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
