"""Findings 5 and 6: slow clients are closed, a client going away logs one line, and
X-Forwarded-For is believed only from configured proxies. Through a served process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import TEST_DATABASE
from tests.faults.served import log_text, raw_connection, read_until_closed, serving
from tests.served import ServedAPI

QUERY = {"query": '{ trend(slug: "asyncio") { name } }'}
COSTLY = {"query": "{ trends(first: 100) { edges { node { name } } } }"}
"""Costs about 100 points: more than a bucket refills between two requests."""
SHORT_DEADLINES = {
    "TRENDGRAPH_HEADER_TIMEOUT_SECONDS": "1",
    "TRENDGRAPH_BODY_TIMEOUT_SECONDS": "1",
    "TRENDGRAPH_LOG_LEVEL": "INFO",
}


@pytest.fixture(scope="module")
async def api(
    faults_database_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServedAPI]:
    log_path = tmp_path_factory.mktemp("hostile") / "api.log"
    served = ServedAPI(faults_database_uri, TEST_DATABASE, log_path, extra_env=SHORT_DEADLINES)
    async with serving(served):
        yield served


def _a_client_that_never_finishes_its_headers_is_closed(api: ServedAPI) -> None:
    with raw_connection(api) as connection:
        connection.sendall(b"POST /graphql HTTP/1.1\r\nHost: test\r\nX-Slow: ")
        answer = read_until_closed(connection)  # socket.timeout (15 s) if held open
    assert answer.startswith(b"HTTP/1.1 408 ")


def _a_client_that_never_finishes_its_body_is_closed(api: ServedAPI) -> None:
    with raw_connection(api) as connection:
        connection.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: test\r\ncontent-type: application/json\r\n"
            b'content-length: 200\r\n\r\n{"query": '
        )
        read_until_closed(connection)  # socket.timeout (15 s) if held open
    assert "its body did not arrive within 1s" in log_text(api)


def _a_client_going_away_mid_body_logs_one_line_not_a_traceback(api: ServedAPI) -> None:
    with raw_connection(api) as connection:
        connection.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: test\r\ncontent-type: application/json\r\n"
            b'content-length: 200\r\n\r\n{"query": '
        )
        time.sleep(0.2)
    # The next request is served after the disconnect was handled (one event loop).
    for _ in range(50):
        if "went away" in log_text(api):
            break
        time.sleep(0.1)
    log = log_text(api)
    assert log.count("went away before its request was read") == 1
    assert "Traceback" not in log
    assert "Exception in ASGI application" not in log


def remaining(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.headers["ratelimit-remaining"])


def _forwarded_headers_from_an_unconfigured_peer_are_ignored(api: ServedAPI) -> None:
    """A forged X-Forwarded-For does not buy a fresh bucket."""
    first = httpx.post(api.url, json=COSTLY, headers={"x-forwarded-for": "203.0.113.1"})
    second = httpx.post(api.url, json=COSTLY, headers={"x-forwarded-for": "203.0.113.2"})
    assert remaining(second) < remaining(first)


async def test_forwarded_headers_from_a_trusted_proxy_name_the_client(
    faults_database_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    log_path = tmp_path_factory.mktemp("proxied") / "api.log"
    trusted = {"TRENDGRAPH_TRUSTED_PROXIES": "127.0.0.1"}
    proxied = ServedAPI(faults_database_uri, "trendgraph_proxied", log_path, extra_env=trusted)
    async with serving(proxied), httpx.AsyncClient() as client:
        client_a = {"x-forwarded-for": "198.51.100.7"}
        client_b = {"x-forwarded-for": "198.51.100.8"}
        first_a = remaining(await client.post(proxied.url, json=COSTLY, headers=client_a))
        second_a = remaining(await client.post(proxied.url, json=COSTLY, headers=client_a))
        first_b = remaining(await client.post(proxied.url, json=COSTLY, headers=client_b))
    assert second_a < first_a
    assert first_b == first_a  # a bucket of its own


def _slow_clients_do_not_lock_out_others(api: ServedAPI) -> None:
    """Sockets held a byte at a time are closed at their deadline; others are served."""
    slow = [raw_connection(api) for _ in range(20)]
    try:
        for connection in slow:
            connection.sendall(b"GET /graphql HTTP/1.1\r\n")
        assert httpx.post(api.url, json=QUERY).status_code == 200
        closed = 0
        for connection in slow:
            try:
                read_until_closed(connection)
            except TimeoutError:
                continue
            closed += 1
        assert closed == len(slow)
    finally:
        for connection in slow:
            connection.close()


async def test_a_client_that_never_finishes_its_headers_is_closed(api: ServedAPI) -> None:
    await asyncio.to_thread(_a_client_that_never_finishes_its_headers_is_closed, api)


async def test_a_client_that_never_finishes_its_body_is_closed(api: ServedAPI) -> None:
    await asyncio.to_thread(_a_client_that_never_finishes_its_body_is_closed, api)


async def test_a_client_going_away_mid_body_logs_one_line_not_a_traceback(api: ServedAPI) -> None:
    await asyncio.to_thread(_a_client_going_away_mid_body_logs_one_line_not_a_traceback, api)


async def test_forwarded_headers_from_an_unconfigured_peer_are_ignored(api: ServedAPI) -> None:
    await asyncio.to_thread(_forwarded_headers_from_an_unconfigured_peer_are_ignored, api)


async def test_slow_clients_do_not_lock_out_others(api: ServedAPI) -> None:
    await asyncio.to_thread(_slow_clients_do_not_lock_out_others, api)
