"""Operations over HTTP: rate limits, error masking, request ids, metrics, request hygiene."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from app.domain.keys import hash_key
from app.settings import Settings
from app.storage.database import Database
from app.web.asgi import create_app
from tests.conftest import asgi_client

ClientFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client_with(seeded: Database) -> ClientFactory:
    @asynccontextmanager
    async def factory(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        settings = Settings(database="trendgraph_test", **overrides)
        app = create_app(settings, database=seeded)
        async with asgi_client(app) as client:
            yield client

    return factory


async def post(client: httpx.AsyncClient, query: str, **extra: Any) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, **extra})


async def test_rate_limit_headers_burst_and_refusal(client_with: ClientFactory) -> None:
    query = '{ trend(slug: "asyncio") { name category { name } } }'  # costs 2
    async with client_with(
        rate_limit_anonymous_capacity=5, rate_limit_anonymous_restore_rate=0.001
    ) as client:
        first = await post(client, query)
        assert first.status_code == 200
        assert first.headers["ratelimit-limit"] == "5"
        assert first.headers["ratelimit-remaining"] == "3"
        assert (await post(client, query)).headers["ratelimit-remaining"] == "1"

        refused = await post(client, query)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        body = refused.json()
        assert "data" not in body  # refused before execution
        assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert body["extensions"]["cost"]["throttleStatus"] == {
            "maximumAvailable": 5,
            "currentlyAvailable": 1,
            "restoreRate": 0.001,
        }
        # A cheaper query still fits in what is left.
        assert (await post(client, '{ trend(slug: "asyncio") { name } }')).status_code == 200


async def test_rate_limit_can_be_switched_off(client_with: ClientFactory) -> None:
    async with client_with(rate_limit_enabled=False, rate_limit_anonymous_capacity=1) as client:
        for _ in range(3):
            response = await post(client, '{ trend(slug: "asyncio") { category { name } } }')
            assert response.status_code == 200
            assert "ratelimit-limit" not in response.headers


async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    client_with: ClientFactory, seeded: Database, caplog: pytest.LogCaptureFixture
) -> None:
    # A stored document the code cannot read (no name): a bug's worth of surprise.
    await seeded.trends.insert_one({"slug": "broken", "aliasSlugs": []})
    async with client_with() as client:
        with caplog.at_level(logging.ERROR, logger="trendgraph.errors"):
            response = await post(
                client,
                '{ categories { slug } bad: trend(slug: "broken") { name } }',
                operationName=None,
            )
    body = response.json()
    request_id = response.headers["x-request-id"]
    assert len(body["data"]["categories"]) == 8
    assert body["data"]["bad"] is None
    [error] = body["errors"]
    assert error["message"] == f"Internal server error (request id {request_id})"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert "validation error" not in response.text
    [record] = [r for r in caplog.records if r.name == "trendgraph.errors"]
    assert request_id in record.getMessage()
    assert record.exc_info is not None


async def test_expected_errors_keep_their_message_and_code(client_with: ClientFactory) -> None:
    async with client_with() as client:
        bad_argument = (await post(client, "{ trends(first: 0) { edges { cursor } } }")).json()
        invalid = (await post(client, "{ trend(slug: 1) { name } }")).json()
        unparsable = (await post(client, "{ trend(")).json()
    assert bad_argument["errors"][0]["message"] == "first must be between 1 and 100, got 0"
    assert bad_argument["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert invalid["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert unparsable["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_request_id_is_taken_from_the_caller_when_sane(client_with: ClientFactory) -> None:
    async with client_with() as client:
        given = await client.post(
            "/graphql",
            json={"query": "{ categories { slug } }"},
            headers={"x-request-id": "trace-1234abcd"},
        )
        forged = await client.post(
            "/graphql",
            json={"query": "{ categories { slug } }"},
            headers={"x-request-id": "bad id\nwith newline"},
        )
    assert given.headers["x-request-id"] == "trace-1234abcd"
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["x-request-id"])


async def test_variables_over_the_size_limit_are_refused(client_with: ClientFactory) -> None:
    query = "query($slugs: [String!]!) { compareTrends(slugs: $slugs) { name } }"
    async with client_with(max_variables_bytes=100) as client:
        small = await post(client, query, variables={"slugs": ["asyncio"]})
        big = await post(client, query, variables={"slugs": ["x" * 200]})
    assert small.json()["data"] == {"compareTrends": [{"name": "Asyncio"}]}
    assert big.json()["errors"][0]["extensions"]["code"] == "VARIABLES_TOO_LARGE"


async def test_requests_with_an_api_key_are_bounded_by_the_body_limit_alone(
    client_with: ClientFactory,
) -> None:
    query = "query($slugs: [String!]!) { compareTrends(slugs: $slugs) { name } }"
    variables = {"slugs": ["asyncio", "x" * 1_500]}
    keyed = {"authorization": "Bearer bulk-loader"}
    async with client_with(
        max_variables_bytes=100, max_body_bytes=2_048, api_key_hashes=hash_key("bulk-loader")
    ) as client:
        fits = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=keyed
        )
        too_big = await client.post(
            "/graphql", json={"query": query, "variables": {"slugs": ["x" * 3_000]}}, headers=keyed
        )
    assert fits.json()["data"] == {"compareTrends": [{"name": "Asyncio"}, None]}
    assert too_big.status_code == 413


async def test_slow_requests_time_out(client_with: ClientFactory) -> None:
    async with client_with(request_timeout_seconds=0.000001) as client:
        response = await post(client, '{ trend(slug: "asyncio") { name } }')
    assert response.status_code == 504
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"


def metric(text: str, name: str, labels: str = "") -> float:
    pattern = rf"^{re.escape(name)}{re.escape(labels)} ([0-9.e+-]+)$"
    match = re.search(pattern, text, flags=re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def test_metrics_move(client_with: ClientFactory) -> None:
    async with client_with() as client:
        before = (await client.get("/metrics")).text
        for _ in range(3):
            await post(
                client,
                'query TrendPage { trend(slug: "asyncio") { category { name } related { name } } }',
            )
        await post(client, "{ trends(first: 0) { edges { cursor } } }")
        response = await client.get("/metrics")
    after = response.text
    assert response.headers["content-type"].startswith("text/plain")
    ok = 'trendgraph_graphql_requests_total{operation="TrendPage",status="ok"}'
    assert metric(before, ok) == 0
    assert metric(after, ok) == 3
    assert metric(after, 'trendgraph_graphql_errors_total{code="BAD_USER_INPUT"}') == 1
    assert metric(after, "trendgraph_database_commands_per_request_count") == 4
    assert metric(after, "trendgraph_database_commands_per_request_sum") >= 3 * 2
    assert metric(after, 'trendgraph_dataloader_batch_size_count{loader="trend_by_slug"}') == 3
    assert (
        metric(after, 'trendgraph_graphql_request_duration_seconds_count{operation="TrendPage"}')
        == 3
    )
    for name in ("trendgraph_graphql_query_cost", "trendgraph_active_subscriptions"):
        assert name in after


async def test_one_json_access_log_line_per_request(
    client_with: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    async with client_with() as client:
        with caplog.at_level(logging.INFO, logger="trendgraph.access"):
            response = await post(client, 'query One { trend(slug: "asyncio") { name } }')
    [record] = [r for r in caplog.records if r.name == "trendgraph.access"]
    assert record.__dict__["request_id"] == response.headers["x-request-id"]
    assert record.__dict__["operation"] == "One"
    assert record.__dict__["status"] == "ok"
    assert record.__dict__["cost"] == 1
    # One find, and one for the client's rate-limit bucket (shared through the database).
    assert record.__dict__["database_commands"] == 2
    assert record.__dict__["duration_ms"] >= 0


async def test_requests_refused_before_execution_are_counted_and_logged(
    client_with: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    async with client_with() as client:
        with caplog.at_level(logging.INFO, logger="trendgraph.access"):
            refused = await client.post(
                "/graphql", content=b"query=x", headers={"content-type": "text/plain"}
            )
        text = (await client.get("/metrics")).text
    assert refused.status_code == 415
    assert (
        metric(text, 'trendgraph_graphql_requests_total{operation="unparsed",status="refused"}')
        == 1
    )
    assert metric(text, 'trendgraph_graphql_errors_total{code="UNSUPPORTED_MEDIA_TYPE"}') == 1
    [record] = [r for r in caplog.records if r.name == "trendgraph.access"]
    assert record.__dict__["status"] == "refused"
    assert record.__dict__["http_status"] == 415
