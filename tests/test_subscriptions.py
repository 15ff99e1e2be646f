"""``trendChanged`` over graphql-transport-ws, against two API processes on one database.

The cross-process test writes through process A's mutations and listens on both A and B;
the others write straight to the database (the change stream sees every writer alike).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError, InvalidStatus
from websockets.typing import Subprotocol

from app.storage.database import Database
from app.storage.repositories import TrendRepository
from tests.conftest import SERVED_API_KEY, TEST_DATABASE
from tests.factories import CATEGORIES, trend_spec, upsert_categories, upsert_trends
from tests.graphql_ws import GraphQLWebSocket
from tests.served import ServedAPI

ALLOWED_ORIGIN = "https://app.example.com"
MAX_SUBSCRIPTIONS = 2

SUBSCRIPTION = """
subscription Changes($slug: String, $category: String) {
  trendChanged(slug: $slug, category: $category) {
    kind id slug
    trend { slug name description version category { slug } }
  }
}
"""


@pytest.fixture(scope="module")
def api_b(mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedAPI]:
    """A second API process on the same database, with tight WebSocket limits."""
    log_path = tmp_path_factory.mktemp("served") / "api-b.log"
    limits = {
        "TRENDGRAPH_CONNECTION_INIT_TIMEOUT_SECONDS": "1",
        "TRENDGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION": str(MAX_SUBSCRIPTIONS),
        "TRENDGRAPH_ALLOWED_ORIGINS": ALLOWED_ORIGIN,
    }
    with ServedAPI(mongodb_uri, TEST_DATABASE, log_path, extra_env=limits) as server:
        yield server


@pytest.fixture
async def trends(database: Database) -> TrendRepository:
    """Categories and trends t-00 (tech), t-01 (food), t-02 (ai) in the test database."""
    await upsert_categories(database, CATEGORIES)
    repository = TrendRepository(database)
    report = await upsert_trends(database, [trend_spec(index) for index in range(3)])
    assert len(report.inserted) == 3, report
    return repository


def changed(payload: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in payload, payload
    event: dict[str, Any] = payload["data"]["trendChanged"]
    return event


async def synchronise(
    database: Database, slug: str, *subscriptions: tuple[GraphQLWebSocket, str]
) -> None:
    """Touch ``slug`` until every subscription hears it, then drain up to a barrier write.

    The server registers a subscription asynchronously after the client's ``subscribe``;
    once one touch came through, every later write is delivered, in order.
    """
    touches = itertools.count()  # each touch changes the document: no-op writes send no event
    for socket, operation_id in subscriptions:
        for attempt in itertools.count():
            touch = {"$set": {"description": f"touch {next(touches)}"}}
            await database.trends.update_one({"slug": slug}, touch)
            try:
                await asyncio.wait_for(socket.next_event(operation_id), 0.5)  # a poll interval
                break
            except TimeoutError:
                assert attempt < 100, "the subscription never heard a write"
    await database.trends.update_one({"slug": slug}, {"$set": {"description": "barrier"}})
    for socket, operation_id in subscriptions:
        while True:
            event = changed(await socket.next_event(operation_id))
            if event["trend"] and event["trend"]["description"] == "barrier":
                break


async def mutate(api: ServedAPI, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """A mutation through ``api``'s HTTP endpoint, with the test API key."""
    async with httpx.AsyncClient() as http:
        response = await http.post(
            api.url,
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {SERVED_API_KEY}"},
        )
    body: dict[str, Any] = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    payload: dict[str, Any] = next(iter(body["data"].values()))
    assert payload["userErrors"] == [], payload
    return payload


CREATE = """mutation Create($input: TrendInput!) {
  createTrend(input: $input) { trend { version } userErrors { message } }
}"""
UPDATE = """mutation Update($slug: String!, $input: TrendInput!, $version: Int!) {
  updateTrend(slug: $slug, input: $input, expectedVersion: $version) {
    trend { version } userErrors { message }
  }
}"""
DELETE = """mutation Delete($slug: String!, $version: Int!) {
  deleteTrend(slug: $slug, expectedVersion: $version) { userErrors { message } }
}"""


async def test_a_write_through_one_process_reaches_subscribers_on_both(
    served_api: ServedAPI, api_b: ServedAPI, trends: TrendRepository, database: Database
) -> None:
    async with (
        GraphQLWebSocket.open(served_api.ws_url) as on_a,
        GraphQLWebSocket.open(api_b.ws_url) as on_b,
    ):
        await on_a.subscribe("a", SUBSCRIPTION)
        await on_b.subscribe("b", SUBSCRIPTION)
        await synchronise(database, "t-00", (on_a, "a"), (on_b, "b"))

        new_trend = {"slug": "live-trend", "name": "Live", "category": "tech"}
        created_version = (await mutate(served_api, CREATE, {"input": new_trend}))["trend"]
        for socket, operation_id in ((on_b, "b"), (on_a, "a")):
            created = changed(await socket.next_event(operation_id))
            assert created["kind"] == "CREATED"
            assert created["slug"] == "live-trend"
            assert created["trend"]["name"] == "Live"
            assert created["trend"]["version"] == created_version["version"]
            assert created["trend"]["category"] == {"slug": "tech"}  # read when delivered

        renamed = {**new_trend, "name": "Live, renamed"}
        await mutate(
            served_api,
            UPDATE,
            {"slug": "live-trend", "input": renamed, "version": created_version["version"]},
        )
        updated = changed(await on_b.next_event("b"))
        assert (updated["kind"], updated["trend"]["name"]) == ("UPDATED", "Live, renamed")
        assert updated["trend"]["version"] == created_version["version"] + 1

        await mutate(
            served_api, DELETE, {"slug": "live-trend", "version": updated["trend"]["version"]}
        )
        deleted = changed(await on_b.next_event("b"))
        assert deleted == {
            "kind": "DELETED",
            "id": created["id"],
            "slug": "live-trend",  # from the feed's id -> slug map: no pre-image needed
            "trend": None,
        }


async def test_slug_filter(api_b: ServedAPI, trends: TrendRepository, database: Database) -> None:
    async with GraphQLWebSocket.open(api_b.ws_url) as socket:
        await socket.subscribe("one", SUBSCRIPTION, {"slug": "t-01"})
        await synchronise(database, "t-01", (socket, "one"))
        await database.trends.update_one({"slug": "t-02"}, {"$set": {"name": "not wanted"}})
        await database.trends.update_one({"slug": "t-01"}, {"$set": {"name": "wanted"}})
        event = changed(await socket.next_event("one"))
        # Events arrive in write order: had t-02 passed the filter it would come first.
        assert (event["slug"], event["trend"]["name"]) == ("t-01", "wanted")


async def test_category_filter_and_deletions_of_older_trends(
    api_b: ServedAPI, trends: TrendRepository, database: Database
) -> None:
    async with GraphQLWebSocket.open(api_b.ws_url) as socket:
        await socket.subscribe("food", SUBSCRIPTION, {"category": "food"})
        await synchronise(database, "t-01", (socket, "food"))
        await database.trends.delete_one({"slug": "t-00"})  # tech
        await database.trends.delete_one({"slug": "t-01"})  # food, stored before the feed
        event = changed(await socket.next_event("food"))
        assert (event["kind"], event["slug"], event["trend"]) == ("DELETED", "t-01", None)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"slug": "Not A Slug"}, "slug must be a slug"),
        ({"category": ""}, "category must be a slug"),
        ({"slug": 42}, "String cannot represent"),
    ],
)
async def test_bad_arguments_get_an_error(
    api_b: ServedAPI, variables: dict[str, Any], message: str
) -> None:
    async with GraphQLWebSocket.open(api_b.ws_url) as socket:
        await socket.subscribe("bad", SUBSCRIPTION, variables)
        reply = await socket.receive()
        errors = reply["payload"] if reply["type"] == "error" else reply["payload"]["errors"]
        assert message in errors[0]["message"], reply


async def test_invalid_documents_get_an_error(api_b: ServedAPI) -> None:
    async with GraphQLWebSocket.open(api_b.ws_url) as socket:
        await socket.subscribe("bad", "subscription { trendChanged { noSuchField } }")
        reply = await socket.receive()
        assert reply["type"] == "error"
        assert "noSuchField" in reply["payload"][0]["message"]


async def test_the_subscription_limit_per_socket(api_b: ServedAPI) -> None:
    async with GraphQLWebSocket.open(api_b.ws_url) as socket:
        for number in range(MAX_SUBSCRIPTIONS):
            await socket.subscribe(str(number), SUBSCRIPTION)
        await socket.subscribe("one-too-many", SUBSCRIPTION)
        reply = await socket.receive()
        assert (reply["type"], reply["id"]) == ("error", "one-too-many")
        assert reply["payload"][0]["message"] == "Subscription limit reached"


async def test_sockets_must_send_connection_init_in_time(api_b: ServedAPI) -> None:
    async with GraphQLWebSocket.open(api_b.ws_url, init=False) as socket:
        assert await socket.closed() == (4408, "Connection initialisation timeout")


async def test_subscribing_before_connection_init_is_refused(api_b: ServedAPI) -> None:
    async with GraphQLWebSocket.open(api_b.ws_url, init=False) as socket:
        await socket.subscribe("early", SUBSCRIPTION)
        assert await socket.closed() == (4401, "Unauthorized")


@pytest.mark.parametrize(
    "origin",
    [None, ALLOWED_ORIGIN, "same-origin"],
)
async def test_allowed_origins_may_connect(api_b: ServedAPI, origin: str | None) -> None:
    if origin == "same-origin":
        origin = f"http://127.0.0.1:{api_b.port}"
    async with GraphQLWebSocket.open(api_b.ws_url, origin=origin) as socket:
        await socket.send({"type": "ping"})
        assert (await socket.connection.recv()) == '{"type":"pong"}'


@pytest.mark.parametrize("origin", ["https://evil.example", "https://app.example.com:8443"])
async def test_other_origins_are_refused(api_b: ServedAPI, origin: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with GraphQLWebSocket.open(api_b.ws_url, origin=origin):
            pass
    assert refused.value.response.status_code == 403


async def test_other_subprotocols_are_refused(api_b: ServedAPI) -> None:
    """Only graphql-transport-ws: the legacy graphql-ws protocol is closed with 4406."""
    with pytest.raises(ConnectionClosedError) as refused:
        async with connect(api_b.ws_url, subprotocols=[Subprotocol("graphql-ws")]) as connection:
            await asyncio.wait_for(connection.recv(), 20)
    assert refused.value.rcvd is not None
    assert (refused.value.rcvd.code, refused.value.rcvd.reason) == (
        4406,
        "Subprotocol not acceptable",
    )
