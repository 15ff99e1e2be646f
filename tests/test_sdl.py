"""``schema/schema.graphql`` is the exported SDL: it matches the code and describes everything."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    build_schema,
)

from schema.__main__ import SDL_PATH, sdl


def test_committed_sdl_matches_the_code() -> None:
    assert SDL_PATH.read_text(encoding="utf-8") == sdl(), (
        "schema/schema.graphql is out of date: run `.venv/bin/python -m schema` and commit it"
    )


def test_every_type_field_and_argument_is_described() -> None:
    built = build_schema(sdl())
    undocumented = []
    for name, graphql_type in built.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not graphql_type.description:
            undocumented.append(name)
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    undocumented.append(f"{name}.{field_name}")
                for arg_name, arg in field.args.items():
                    if not arg.description:
                        undocumented.append(f"{name}.{field_name}({arg_name})")
        if isinstance(graphql_type, GraphQLInputObjectType):
            for field_name, input_field in graphql_type.fields.items():
                if not input_field.description:
                    undocumented.append(f"{name}.{field_name}")
        if isinstance(graphql_type, GraphQLEnumType):
            if not graphql_type.description:
                undocumented.append(name)
            for value_name, value in graphql_type.values.items():
                if not value.description:
                    undocumented.append(f"{name}.{value_name}")
    assert undocumented == []


def test_contract_names_are_present() -> None:
    built = build_schema(sdl())
    query = built.query_type
    assert query is not None
    for field in ("node", "nodes", "trend", "trends", "compareTrends", "categories"):
        assert field in query.fields, field
    trend = built.get_type("Trend")
    assert isinstance(trend, GraphQLObjectType)
    for field in [
        "id",
        "slug",
        "name",
        "description",
        "category",
        "tags",
        "growth",
        "growthFor",
        "status",
        "analyses",
        "related",
        "createdAt",
        "updatedAt",
        "version",
    ]:
        assert field in trend.fields, field
    window = built.get_type("GrowthWindowKey")
    assert isinstance(window, GraphQLEnumType)
    assert list(window.values) == [
        "THREE_MONTHS",
        "SIX_MONTHS",
        "ONE_YEAR",
        "TWO_YEARS",
        "FIVE_YEARS",
    ]
