"""A graphql-core executor that completes plain fields and whole selections without the
per-field machinery; fenced: ``TRENDGRAPH_COMPILED_EXECUTION=false`` replaces it with
graphql-core's own, and docs/executor.md lists its semantics and differences.

graphql-core executes every field alike: a :class:`~graphql.pyutils.Path`, a resolve info
object, argument coercion, the resolver call and ``complete_value``'s chain of type tests.
:class:`FastExecutor` plans each selection set once per request and completes plain leaf
fields (a strawberry basic field of scalar or enum type, without arguments) inline, calls
resolvers marked :func:`schema.plans.direct` without strawberry's wrapping, and compiles a
selection made only of those (on its second use in a request, a list's items at once) into
the closures of :mod:`schema.compiled`. Everything else, and anything a fast completion
cannot answer, goes through graphql-core's ``execute_field``/``complete_value``, so errors,
paths and null propagation are graphql-core's; a compiled selection that gives up leaves a
:class:`~schema.compiled.Replay`, so graphql-core's path reuses what its resolvers returned
instead of calling them again. Fallbacks are counted in ``/metrics``
(``trendgraph_compiled_execution_fallbacks_total``) and logged.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
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
    get_named_type,
    get_nullable_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import Schema

from schema.compiled import (
    UNSET,
    Awaiting,
    CompiledField,
    Completion,
    GiveUp,
    PathUnavailable,
    Raised,
    Replay,
    constant,
    leaf_completion,
    list_completion,
    object_completion,
    pathless_info,
    same,
)
from schema.inline import InlineExecutor
from schema.plans import (
    DirectResolver,
    static_direct_resolver,
)

logger = logging.getLogger("trendgraph.execution")
_SEEN_ONCE: Any = object()
_GAVE_UP: Any = object()

TESTED_VERSIONS = {"graphql-core": ("3.3.",), "strawberry-graphql": ("0.340.", "0.341.")}
"""The versions the executor was tested with: it overrides graphql-core methods marked
private and reads strawberry internals, so with others the schema uses graphql-core's."""


def executor_supported() -> bool:
    """Whether the installed graphql-core and strawberry are versions it was tested with."""
    try:
        return all(
            version(package).startswith(prefixes) for package, prefixes in TESTED_VERSIONS.items()
        )
    except PackageNotFoundError:
        return False


class FastExecutor(InlineExecutor):
    """Strawberry's executor, with plain leaf fields completed inline, direct resolvers
    and compiled selections (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Completions by (id of the return type, id of the field details list); the list
        # is kept alive with its completion, like graphql-core's subfield memo.
        self._completions: dict[tuple[int, int], tuple[FieldDetailsList, Completion | None]] = {}
        self._strawberry: Schema = self.schema._strawberry_schema  # type: ignore[attr-defined]
        self._handlers = bool(self._strawberry.exception_handlers)
        self._replay = Replay()
        self._replaying = False
        self._metrics = getattr(self.context_value, "metrics", None)

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
            if complete_item is None:
                return None
            kept = _has_objects(nullable.of_type)
            replay = self._replay if kept else None
            return list_completion(complete_item, non_null, replay, field_details_list)
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
            if id(field_def) in self._field_plans.needs_path:
                return None
            complete = self._compiled(field_def.type, sub_details)
            if complete is None:
                return None
            resolve: Callable[[Any], Any] = direct.function
            if direct.info_name is not None:
                # One Info for every object of this selection, so without a path: reading
                # it raises, and the executor falls back (see ``_fell_back``).
                nodes = [details.node for details in sub_details]
                raw = self.build_resolve_info(field_def, nodes, nullable, None)  # type: ignore[arg-type]
                info = self._info(direct, pathless_info(raw))
                resolve = functools.partial(resolve, **{direct.info_name: info})
            from_method = direct.definition.base_resolver is not None
            composite = _has_objects(field_def.type)
            fields.append(
                CompiledField(
                    response_name,
                    resolve,
                    complete,
                    from_method,
                    direct.attribute,
                    sub_details if from_method or composite else None,
                    composite,
                )
            )
        return object_completion(
            nullable,
            fields,
            non_null,
            self.is_awaitable,
            self._replay,
            self._field_plans.object_templates,
        )

    def _complete_fast(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList, result: Any
    ) -> Any:
        """The compiled completion of ``result``; ``UNSET`` when there is none, ``_GAVE_UP``
        when it gave up (then :meth:`_replayed` must complete ``result``). While replaying,
        only the responses completions already built."""
        if self._replaying:
            return self._replay.take_completed(result, field_details_list)
        completion = self._completion(return_type, field_details_list)
        if completion is None:
            return UNSET
        try:
            return completion(result)
        except Exception as error:
            self._fell_back(error, return_type, field_details_list)
            return _GAVE_UP
        except BaseException:
            self._replay.clear()
            raise

    def _fell_back(
        self, error: Exception, return_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> None:
        """Counts and logs a completion that gave up, and learns from why."""
        if isinstance(error, Awaiting):
            reason = "awaiting"  # its siblings would wait too: the general path for them
            key = (id(return_type), id(field_details_list))
            self._completions[key] = (field_details_list, None)
        elif isinstance(error, PathUnavailable):
            reason = "path"  # that field is never compiled again
            field_def = self.schema.get_field(error.parent_type, error.field_name)
            self._field_plans.needs_path.add(id(field_def))
            self._completions.clear()
        elif isinstance(error, GiveUp):
            reason = "give_up"
        elif any(
            isinstance(raw, Raised) and raw.error is error
            for _, raw in self._replay.resolved.values()
        ):
            reason = "resolver_error"  # graphql-core's path raises it again, at its path
        else:
            reason = "error"
        if reason == "error":
            logger.warning(
                "compiled completion of %s failed; graphql-core's path completes it",
                return_type,
                exc_info=error,
            )
        else:
            logger.debug("compiled completion of %s gave up (%s)", return_type, reason)
        if self._metrics is not None:
            self._metrics.compiled_fallbacks.labels(reason).inc()

    def _replayed(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
    ) -> AwaitableOrValue[Any]:
        """graphql-core's path for a value whose completion gave up, reusing what the
        completion's resolvers returned (its synchronous part; anything left after it
        was never reached, and is dropped)."""
        self._replaying = True
        try:
            return self._complete_general(return_type, field_details_list, info, path, result, None)
        finally:
            self._replaying = False
            self._replay.clear()

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
            result = (
                self._replay.take_resolved(source, field_details_list) if self._replaying else UNSET
            )
            if type(result) is Raised:
                raise result.error  # what it raised under a completion, raised at its path
            if result is UNSET:
                if direct.info_name is None:
                    result = direct.function(source)
                else:
                    info = self._resolve_info(field_def, field_details_list, parent_type, path)
                    info_value = self._info(direct, info)
                    result = direct.function(source, **{direct.info_name: info_value})
            if self.is_awaitable(result):
                info = info or self._resolve_info(field_def, field_details_list, parent_type, path)
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, result, position_context
                )
            completed = UNSET
            if position_context is None:
                completed = self._complete_fast(return_type, field_details_list, result)
                if completed is not UNSET and completed is not _GAVE_UP:
                    return completed
            info = info or self._resolve_info(field_def, field_details_list, parent_type, path)
            if completed is _GAVE_UP:
                completed = self._replayed(return_type, field_details_list, info, path, result)
            else:
                completed = self._complete_general(
                    return_type, field_details_list, info, path, result, position_context
                )
        except Exception as error:
            self.handle_field_error(error, return_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._completed_later(completed, return_type, field_details_list, path)
        return completed

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
        """A compiled completion when the selection has one and it does not give up (else
        :meth:`_replayed`); otherwise :meth:`_complete_general`."""
        if position_context is None:
            completed = self._complete_fast(return_type, field_details_list, result)
            if completed is _GAVE_UP:
                return self._replayed(return_type, field_details_list, info, path, result)
            if completed is not UNSET:
                return completed
        return self._complete_general(
            return_type, field_details_list, info, path, result, position_context
        )


def _has_objects(output_type: GraphQLOutputType) -> bool:
    """Whether values of ``output_type`` hold objects (whose fields have resolvers)."""
    return not isinstance(get_named_type(output_type), GraphQLScalarType | GraphQLEnumType)
