"""The HTTP surface: GraphQL over POST and GET, GraphiQL, health and readiness probes."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from app.settings import Settings
from app.storage.database import Database, redact
from app.storage.embedded import free_port
from app.web.asgi import create_app
from tests.conftest import asgi_client


@pytest.fixture
async def client(seeded: Database, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, database=seeded)
    async with asgi_client(app) as client:
        yield client


async def test_post_query(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={
            "query": "query One($slug: String!) { trend(slug: $slug) { name } }",
            "variables": {"slug": "asyncio"},
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"trend": {"name": "Asyncio"}}
    assert "errors" not in body
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1
    assert len(response.headers["x-request-id"]) == 32


async def test_get_query(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql", params={"query": '{ trend(slug: "asyncio") { growth { label percent } } }'}
    )
    assert response.status_code == 200
    assert response.json()["data"]["trend"]["growth"][0] == {"label": "3mo", "percent": 20.0}


async def test_browsers_get_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_root_serves_the_web_app(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert '<main id="main"' in response.text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"query": 42}', "application/json"),
        (b'{"variables": {}}', "application/json"),
    ],
)
async def test_bad_bodies_get_400(
    client: httpx.AsyncClient, body: bytes, content_type: str
) -> None:
    response = await client.post("/graphql", content=body, headers={"content-type": content_type})
    assert response.status_code == 400


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_when_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_readyz_is_503_without_a_database(settings: Settings) -> None:
    nowhere = Database.connect(
        f"mongodb://127.0.0.1:{free_port()}/?directConnection=true", "x", timeout_ms=300
    )
    app = create_app(settings, database=nowhere)
    try:
        async with asgi_client(app) as client:
            response = await client.get("/readyz")
            assert response.status_code == 503
            assert response.json() == {"status": "unavailable", "database": "unreachable"}
            assert (await client.get("/healthz")).status_code == 200
    finally:
        await nowhere.close()


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        ("mongodb://user:secret@db:27017/x", "mongodb://user:***@db:27017/x"),
        ("mongodb://db:27017", "mongodb://db:27017"),
    ],
)
def test_passwords_never_reach_the_logs(uri: str, shown: str) -> None:
    assert redact(uri) == shown


@pytest.fixture
def restored_gc_threshold() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)
    gc.unfreeze()


@pytest.mark.usefixtures("restored_gc_threshold")
@pytest.mark.parametrize(("configured", "expected"), [(25_000, 25_000), (0, 700)])
async def test_serving_tunes_the_garbage_collector(
    database: Database, settings: Settings, configured: int, expected: int
) -> None:
    gc.set_threshold(700, 10, 10)
    tuned = settings.model_copy(update={"gc_young_threshold": configured})
    async with asgi_client(create_app(tuned, database=database)) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert gc.get_threshold() == (expected, 10, 10)
