"""Finding 7: crafted input answers BAD_USER_INPUT or null, never an internal error."""

from __future__ import annotations

import base64
import json

import httpx
import orjson
import pytest

PAGE = """query($after: String) { trends(first: 1, after: $after) {
  edges { cursor node { name } } } }"""
NODE = "query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }"


def codes(body: dict[str, object]) -> list[str]:
    errors = body.get("errors") or []
    assert isinstance(errors, list)
    return [error["extensions"]["code"] for error in errors]


async def post(client: httpx.AsyncClient, query: str, **variables: object) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, "variables": variables})


@pytest.mark.parametrize("value", [2**63, 2**64 - 1])
async def test_a_cursor_holding_an_integer_beyond_64_bits_is_bad_input(
    client: httpx.AsyncClient, value: int
) -> None:
    first = (await post(client, PAGE)).json()
    cursor = first["data"]["trends"]["edges"][0]["cursor"]
    signature, kind, _, object_id = orjson.loads(base64.urlsafe_b64decode(cursor))
    crafted = base64.urlsafe_b64encode(json.dumps([signature, kind, value, object_id]).encode())

    response = await post(client, PAGE, after=crafted.decode())

    assert response.status_code == 200
    assert codes(response.json()) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    "name",
    ["User:1", "PersistedQuery:x", "TrendSeries:abc", "GrowthWindow:1", "Query:1", "Node:1"],
)
async def test_a_global_id_naming_no_node_type_is_bad_input(
    client: httpx.AsyncClient, name: str
) -> None:
    global_id = base64.b64encode(name.encode()).decode()

    response = await post(client, NODE, id=global_id)

    body = response.json()
    assert body["data"] is None
    assert codes(body) == ["BAD_USER_INPUT", "BAD_USER_INPUT"]
    type_name = name.split(":")[0]
    assert f"`{type_name}` is not a type with IDs" in body["errors"][0]["message"]


async def test_a_huge_string_literal_is_refused_before_parsing(
    client: httpx.AsyncClient,
) -> None:
    literal = "x" * 900_000
    query = f'{{ trend(slug: "{literal}") {{ name }} }}'

    response = await client.post("/graphql", json={"query": query})

    assert response.status_code == 200
    body = response.json()
    assert codes(body) == ["DOCUMENT_TOO_LARGE"]
    assert "65536" in body["errors"][0]["message"]
