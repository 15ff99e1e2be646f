"""GraphQL over HTTP (graphql/graphql-over-http): media types, parameters and status codes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.settings import Settings
from app.storage.database import Database
from app.web.graphql_http import GRAPHQL_RESPONSE_JSON, negotiate_media_type
from tests.conftest import app_client

ASYNCIO_NAME = '{ trend(slug: "asyncio") { name } }'
GRAPHQL_JSON = "application/graphql-response+json; charset=utf-8"
JSON_UTF8 = "application/json; charset=utf-8"


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"]


# --- media types --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON_UTF8),
        ("*/*", JSON_UTF8),
        ("application/*", JSON_UTF8),
        ("application/json", JSON_UTF8),
        ("application/graphql-response+json", GRAPHQL_JSON),
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_JSON),
        ("application/json, application/graphql-response+json", GRAPHQL_JSON),
        ("application/graphql-response+json;q=0.5, application/json", JSON_UTF8),
        ("text/plain, application/json;q=0.1", JSON_UTF8),
    ],
)
async def test_the_response_media_type_follows_accept(
    client: httpx.AsyncClient, accept: str | None, expected: str
) -> None:
    headers = {"accept": accept} if accept else {}
    response = await client.post("/graphql", json={"query": ASYNCIO_NAME}, headers=headers)
    assert (response.status_code, media_type(response)) == (200, expected)
    assert response.json()["data"] == {"trend": {"name": "Asyncio"}}


@pytest.mark.parametrize(
    "accept", ["text/html", "application/xml", "application/json;q=0", "image/*"]
)
async def test_unacceptable_accept_gets_406(client: httpx.AsyncClient, accept: str) -> None:
    response = await client.post(
        "/graphql", json={"query": ASYNCIO_NAME}, headers={"accept": accept}
    )
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"
    assert "data" not in response.json()


def test_a_garbled_quality_counts_as_zero() -> None:
    assert negotiate_media_type(f"{GRAPHQL_RESPONSE_JSON};q=x, application/json") == (
        "application/json"
    )


# --- request bodies -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
async def test_other_content_types_get_415(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post(
        "/graphql", content=b'{"query": "{ __typename }"}', headers=headers
    )
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


async def test_utf8_charset_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        content='{"query": "{ __type(name: \\"Run🏃\\") { name } }"}'.encode(),
        headers={"content-type": "application/json; charset=UTF-8"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"{not json", "not valid JSON"),
        (b"[]", "Batched"),
        (b'"query"', "JSON object"),
        (b'{"query": 42}', "`query` must be a string"),
        (b'{"query": "{ __typename }", "operationName": 1}', "`operationName` must be"),
        (b'{"query": "{ __typename }", "variables": []}', "`variables` must be an object"),
        (b'{"query": "{ __typename }", "extensions": "x"}', "`extensions` must be an object"),
        (b'{"variables": {}}', "No GraphQL query"),
        (b'{"query": "query A { __typename }", "operationName": "B"}', "operation"),
    ],
)
@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE_JSON])
async def test_bad_requests_get_400_without_data(
    client: httpx.AsyncClient, body: bytes, message: str, accept: str
) -> None:
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json", "accept": accept}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(accept)
    payload = response.json()
    assert "data" not in payload
    assert message in payload["errors"][0]["message"]


async def test_oversized_bodies_get_413(database: Database, settings: Settings) -> None:
    small = settings.model_copy(update={"max_body_bytes": 1_024})
    query = "{ __typename }" + " " * 2_000
    async with app_client(database, small) as client:
        declared = await client.post("/graphql", json={"query": query})

        async def chunks() -> Any:  # no Content-Length: counted while streaming
            yield b'{"query": "{ __typename }'
            for _ in range(100):
                yield b" " * 100
            yield b'"}'

        streamed = await client.post(
            "/graphql", content=chunks(), headers={"content-type": "application/json"}
        )
        fits = await client.post("/graphql", json={"query": "{ __typename }"})
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert fits.status_code == 200


# --- GraphQL errors -----------------------------------------------------------------------

REQUEST_ERRORS = [
    pytest.param({"query": "{"}, id="parse"),
    pytest.param({"query": "{ noSuchField }"}, id="validation"),
    pytest.param(
        {"query": "query Q($slug: String!) { trend(slug: $slug) { name } }", "variables": {}},
        id="missing-variable",
    ),
    pytest.param(
        {"query": "query Q($n: Int) { trends(first: $n) { totalCount } }", "variables": {"n": "x"}},
        id="variable-type",
    ),
]


@pytest.mark.parametrize("payload", REQUEST_ERRORS)
async def test_request_errors_are_400_with_graphql_response_json(
    client: httpx.AsyncClient, payload: dict[str, Any]
) -> None:
    response = await client.post(
        "/graphql", json=payload, headers={"accept": GRAPHQL_RESPONSE_JSON}
    )
    assert response.status_code == 400
    assert "data" not in response.json()
    assert response.json()["errors"]


@pytest.mark.parametrize("payload", REQUEST_ERRORS)
async def test_request_errors_are_200_with_json(
    client: httpx.AsyncClient, payload: dict[str, Any]
) -> None:
    response = await client.post("/graphql", json=payload, headers={"accept": "application/json"})
    assert response.status_code == 200
    assert "data" not in response.json()  # never executed: no data entry, as for the other type
    assert response.json()["errors"]


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE_JSON])
async def test_field_errors_keep_200_and_data(client: httpx.AsyncClient, accept: str) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "{ trends(first: 0) { totalCount } }"},
        headers={"accept": accept},
    )
    assert response.status_code == 200
    payload = response.json()
    assert "data" in payload
    assert payload["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# --- methods ------------------------------------------------------------------------------


async def test_get_runs_queries_with_variables_and_operation_name(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/graphql",
        params={
            "query": "query A { __typename } query B($s: String!) { trend(slug: $s) { name } }",
            "operationName": "B",
            "variables": '{"s": "asyncio"}',
        },
        headers={"accept": GRAPHQL_RESPONSE_JSON},
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"trend": {"name": "Asyncio"}}


@pytest.mark.parametrize(
    "query", ["mutation { __typename }", "query A { __typename } mutation B { __typename }"]
)
async def test_mutations_over_get_get_405_with_allow(client: httpx.AsyncClient, query: str) -> None:
    params = {"query": query}
    if "B" in query:
        params["operationName"] = "B"
    response = await client.get("/graphql", params=params)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_subscriptions_over_http_get_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "subscription { trendChanged { kind } }"}
    )
    assert response.status_code == 400
    assert "WebSocket" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"query": "{ __typename }", "variables": "{nope"}, "`variables` is not valid JSON"),
        ({"query": "{ __typename }", "variables": "[1]"}, "`variables` must be an object"),
        ({"query": "{ __typename }", "extensions": "{nope"}, "`extensions` is not valid JSON"),
        ({"variables": "{}"}, "No GraphQL query"),
    ],
)
async def test_bad_get_parameters_get_400(
    client: httpx.AsyncClient, params: dict[str, str], message: str
) -> None:
    response = await client.get("/graphql", params=params)
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_get_405(client: httpx.AsyncClient, method: str) -> None:
    response = await client.request(method, "/graphql")
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


async def test_graphiql_is_not_served_to_api_clients(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "application/json"})
    assert response.status_code == 400
    assert "No GraphQL query" in response.json()["errors"][0]["message"]


async def test_graphiql_can_be_switched_off(seeded: Database, settings: Settings) -> None:
    async with app_client(seeded, settings.model_copy(update={"graphiql": False})) as client:
        response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 404


# --- CORS ---------------------------------------------------------------------------------


async def test_no_cors_headers_by_default(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/graphql",
        headers={"origin": "https://app.example.com", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in response.headers


async def test_cors_allows_configured_origins_only(seeded: Database, settings: Settings) -> None:
    configured = settings.model_copy(update={"cors_origins": ["https://app.example.com"]})
    async with app_client(seeded, configured) as client:
        preflight = await client.options(
            "/graphql",
            headers={
                "origin": "https://app.example.com",
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type",
            },
        )
        stranger = await client.options(
            "/graphql",
            headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        )
        simple = await client.get(
            "/graphql",
            params={"query": ASYNCIO_NAME},
            headers={"origin": "https://app.example.com"},
        )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example.com"
    assert stranger.status_code == 400
    assert "access-control-allow-origin" not in stranger.headers
    assert simple.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "etag" in simple.headers["access-control-expose-headers"].lower()


# --- request ids --------------------------------------------------------------------------

REFUSALS: list[tuple[str, dict[str, Any], int]] = [
    ("POST", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 400),
    ("POST", {"content": b"query=x", "headers": {"content-type": "text/plain"}}, 415),
    ("POST", {"json": {"query": "{ trend("}}, 200),  # a parse error under application/json
    ("POST", {"json": {"query": "{"}, "headers": {"accept": GRAPHQL_RESPONSE_JSON}}, 400),
    ("POST", {"json": {"query": ASYNCIO_NAME}, "headers": {"accept": "text/html"}}, 406),
    ("POST", {"json": {"variables": {}}}, 400),  # no query at all
    ("PUT", {"json": {"query": ASYNCIO_NAME}}, 405),
    ("GET", {"params": {"query": 'mutation { deleteTrend(slug: "x") { deletedTrendId } }'}}, 405),
]


@pytest.mark.parametrize(("method", "request_options", "status"), REFUSALS)
async def test_every_answer_carries_the_request_id_and_refusals_no_data_entry(
    client: httpx.AsyncClient, method: str, request_options: dict[str, Any], status: int
) -> None:
    options = {**request_options}
    headers = {"accept": "application/json", **options.pop("headers", {})}
    given = await client.request(
        method, "/graphql", headers={**headers, "x-request-id": "caller-id-42"}, **options
    )
    assert given.status_code == status
    assert given.headers["x-request-id"] == "caller-id-42"
    assert "data" not in given.json()
    assert given.json()["errors"]
    generated = await client.request(method, "/graphql", headers=headers, **options)
    assert len(generated.headers.get_list("x-request-id")) == 1
    assert generated.headers["x-request-id"] != "caller-id-42"


async def test_an_executed_answer_carries_one_request_id(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": ASYNCIO_NAME}, headers={"x-request-id": "caller-id-43"}
    )
    assert response.headers.get_list("x-request-id") == ["caller-id-43"]
