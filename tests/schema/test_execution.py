"""The fast executor answers exactly like graphql-core's own, errors and nulls included."""

from __future__ import annotations

import enum
import gc
import math
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import pytest
import strawberry
from graphql import GraphQLObjectType, GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from schema import compiled, plans
from schema.execution import FastExecutor
from schema.plans import direct


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Leaf:
    name: str
    maybe: str | None
    score: float
    colour: Colour
    tags: list[str]

    @strawberry.field
    def shout(self, suffix: str = "!") -> str:
        return self.name.upper() + suffix

    @strawberry.field
    @direct
    def upper(self) -> str:
        return self.name.upper()

    @strawberry.field
    @direct
    def fails(self) -> str | None:
        raise ValueError("no " + self.name)

    @strawberry.field
    @direct
    def children(self) -> list[Leaf]:
        return [_leaf(name=self.name + "1"), _leaf(name=None)]


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Pet(Named):
    legs: int


@strawberry.type
class Holder:
    leaf: Leaf
    leaves: list[Leaf]
    optional_leaf: Leaf | None


def _leaf(**overrides: Any) -> Leaf:
    values: dict[str, Any] = {
        "name": "a",
        "maybe": None,
        "score": 1.5,
        "colour": Colour.RED,
        "tags": ["x"],
    }
    values.update(overrides)
    return Leaf(**values)


async def _later_leaf(name: str | None) -> Leaf:
    return _leaf(name=name)


@strawberry.type
class Wide:
    """Resolvers taking ``info``: compiled completions call them with an ``Info`` per
    selection (no path), and give up to graphql-core's path when that is not enough."""

    label: str

    @strawberry.field
    @direct
    def loud(self, info: strawberry.Info) -> str:
        return f"{self.label}:{info.field_name}"

    @strawberry.field
    @direct
    def where(self, info: strawberry.Info) -> str:
        return ".".join(map(str, info.path.as_list()))

    @strawberry.field(graphql_type=Leaf | None)
    @direct
    def sometimes_later(self, info: strawberry.Info) -> Leaf | Awaitable[Leaf] | None:
        if self.label == "w1":
            return _later_leaf(self.label)
        return _leaf(name=self.label)

    @strawberry.field(graphql_type=list[Leaf])
    @direct
    def lazy_children(self) -> list[Awaitable[Leaf]]:
        return [_later_leaf(self.label), _later_leaf(None)]

    @strawberry.field
    @direct
    def ratio(self) -> float | None:
        return {"w0": 1.5, "w1": 2, "w2": math.inf}.get(self.label)

    @strawberry.field
    @direct
    def size(self) -> int | None:
        return {"w0": 3, "w1": 2**40, "w2": True}.get(self.label)

    @strawberry.field
    @direct
    def child(self) -> Leaf:
        return _leaf(name=None if self.label == "w2" else self.label)


@strawberry.type
class Query:
    @strawberry.field
    def wides(self, count: int = 3) -> list[Wide]:
        return [Wide(label=f"w{index}") for index in range(count)]

    @strawberry.field
    def holder(self) -> Holder:
        broken = _leaf(name=None)  # a null in a non-null field
        return Holder(
            leaf=_leaf(),
            leaves=[_leaf(name="b", maybe="m", colour=Colour.BLUE), _leaf(score="nan?")],
            optional_leaf=broken,
        )

    @strawberry.field
    def pets(self) -> list[Pet | None]:
        not_a_pet: Any = _leaf()  # is_type_of refuses it
        return [Pet(name="rex", legs=4), None, not_a_pet]

    @strawberry.field
    def named(self) -> list[Named]:
        return [Pet(name="tom", legs=4)]

    @strawberry.field(graphql_type=list[Leaf])
    def lazy(self) -> list[Awaitable[Leaf]]:
        async def leaf(name: str | None) -> Leaf:
            return _leaf(name=name)

        return [leaf("d"), leaf(None), leaf("e")]

    @strawberry.field(graphql_type=list[Leaf | None])
    def lazy_nullable(self) -> list[Awaitable[Leaf | None]]:
        async def leaf(name: str | None) -> Leaf:
            return _leaf(name=name)

        return [leaf("d"), leaf(None), leaf("e")]

    @strawberry.field
    async def later(self) -> list[Leaf]:
        return [_leaf(name="c"), _leaf(colour="not a colour")]


fast = strawberry.Schema(query=Query, execution_context_class=FastExecutor)
plain = strawberry.Schema(query=Query)


@pytest.mark.parametrize(
    "query",
    [
        "{ holder { leaf { name maybe score colour tags shout } } }",
        "{ holder { leaves { name maybe score colour } } }",
        "{ holder { optionalLeaf { name maybe } leaf { name } } }",
        '{ holder { leaf { n: name n2: name __typename shout(suffix: "?") } } }',
        "{ holder { leaf { ... on Leaf { name } ...F colour @skip(if: true) } } } "
        "fragment F on Leaf { score }",
        "{ later { name colour } holder { leaf { name } } }",
        "{ holder { leaf { name } } later { name } }",
        "{ pets { name legs __typename } named { name ... on Pet { legs } } }",
        "{ holder { leaf { upper fails children { name upper } } } }",
        "{ lazy { name } }",
        "{ lazyNullable { name colour } holder { leaves { upper } } }",
        "{ holder { leaf { tags children { tags } } } }",
        "{ holder { optionalLeaf { children { upper } } leaves { fails upper } } }",
        "{ wides { label loud __typename child { name __typename } } }",
        "{ wides { label where } }",
        "{ wides { label sometimesLater { name } } }",
        "{ wides { lazyChildren { name } } }",
        "{ wides { child { upper } } }",
        "{ wides { child { name } } }",
        "{ wides { child { fails } loud } }",
        "{ wides { child { score colour tags } } }",
        "{ wides { label ratio } }",
        "{ wides { label size } }",
        "{ wides(count: 2) { ratio size } }",
        "{ wides { a: label b: label _c: loud __typename child { class: name } } }",
    ],
)
async def test_fast_executor_matches_graphql_core(query: str) -> None:
    expected = await plain.execute(query)
    actual = await fast.execute(query)
    assert actual.data == expected.data
    assert [error.formatted for error in actual.errors or []] == [
        error.formatted for error in expected.errors or []
    ]


async def test_errors_keep_their_paths() -> None:
    result = await fast.execute("{ holder { optionalLeaf { name } leaves { score } } }")
    assert result.data is None  # the non-null leaves list nulls the whole holder
    paths = sorted(error.path for error in result.errors or [] if error.path)
    assert paths == [["holder", "leaves", 1, "score"], ["holder", "optionalLeaf", "name"]]


class Counting(SchemaExtension):
    """A per-field hook: every field must still go through it."""

    seen: ClassVar[list[str]] = []

    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: str,
        **kwargs: Any,
    ) -> Any:
        self.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


async def test_resolve_hooks_see_every_field() -> None:
    hooked = strawberry.Schema(
        query=Query, execution_context_class=FastExecutor, extensions=[Counting]
    )
    result = await hooked.execute("{ holder { leaf { name upper } } }")
    assert result.data == {"holder": {"leaf": {"name": "a", "upper": "A"}}}
    assert Counting.seen == ["holder", "leaf", "name", "upper"]


class CountingInfos(FastExecutor):
    """Counts the resolve infos built: graphql-core builds one per field it resolves."""

    built: ClassVar[int] = 0

    def build_resolve_info(self, *args: Any, **kwargs: Any) -> Any:
        CountingInfos.built += 1
        return super().build_resolve_info(*args, **kwargs)


async def test_compiled_selections_do_not_resolve_field_by_field() -> None:
    counting = strawberry.Schema(query=Query, execution_context_class=CountingInfos)
    query = "query($n: Int!) { wides(count: $n) { label loud child { tags colour } } }"
    built = []
    for count in (3, 300):
        CountingInfos.built = 0
        result = await counting.execute(query, variable_values={"n": count})
        assert result.errors is None
        assert result.data == {
            "wides": [
                {"label": f"w{i}", "loud": f"w{i}:loud", "child": {"tags": ["x"], "colour": "RED"}}
                for i in range(count)
            ]
        }
        built.append(CountingInfos.built)
    # The first item goes through graphql-core's path; from the second on, the compiled
    # selection needs no resolve info per field, however long the list.
    assert built[0] == built[1]


async def test_a_list_compiles_its_items_from_the_first() -> None:
    counting = strawberry.Schema(query=Query, execution_context_class=CountingInfos)
    built = []
    for count in (1, 2):
        CountingInfos.built = 0
        result = await counting.execute(f"{{ wides(count: {count}) {{ label loud }} }}")
        assert result.data == {
            "wides": [{"label": f"w{i}", "loud": f"w{i}:loud"} for i in range(count)]
        }
        built.append(CountingInfos.built)
    # A lone item takes the general path (one info for ``loud``); two items are compiled
    # from the first, whose one info serves both: no more infos than for one item.
    assert built[0] == built[1]


async def test_field_plans_go_with_their_schema() -> None:
    built = strawberry.Schema(query=Query, execution_context_class=FastExecutor)
    result = await built.execute("{ wides { label loud child { tags } } }")
    assert result.errors is None
    wide = built._schema.get_type("Wide")
    assert isinstance(wide, GraphQLObjectType)
    graphql_schema, field = weakref.ref(built._schema), weakref.ref(wide.fields["loud"])
    del built, result, wide
    gc.collect()
    # Nothing the executor keeps (its plans per field) holds them alive.
    assert graphql_schema() is None
    assert field() is None


async def test_object_code_is_generated_once_per_shape() -> None:
    built = strawberry.Schema(query=Query, execution_context_class=FastExecutor)
    templates = plans.FieldPlans.of(built._schema).object_templates
    query = "{ wides(count: 2) { label loud child { name } } }"
    expected = {
        "wides": [
            {"label": f"w{i}", "loud": f"w{i}:loud", "child": {"name": f"w{i}"}} for i in (0, 1)
        ]
    }
    assert (await built.execute(query)).data == expected
    shapes = set(templates)
    assert len(shapes) == 2  # Wide's and Leaf's
    assert (await built.execute(query)).data == expected
    assert set(templates) == shapes  # the second request reuses both
    aliased = await built.execute("{ wides(count: 2) { l: label child { name } } }")
    assert aliased.data == {"wides": [{"l": f"w{i}", "child": {"name": f"w{i}"}} for i in (0, 1)]}
    assert len(templates) == 3  # a new shape of Wide; Leaf's again


async def test_object_code_kept_per_schema_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled, "MAX_OBJECT_TEMPLATES", 2)
    built = strawberry.Schema(query=Query, execution_context_class=FastExecutor)
    for alias in ("a", "b", "c", "d"):
        result = await built.execute(f"{{ wides {{ {alias}: label }} }}")
        assert result.data == {"wides": [{alias: f"w{i}"} for i in range(3)]}
    assert len(plans.FieldPlans.of(built._schema).object_templates) == 2
