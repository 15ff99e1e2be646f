"""The GraphiQL page and its vendored assets, served by the app with no external URL."""

from __future__ import annotations

import re

import httpx
import pytest

from app.web import graphiql


async def page(client: httpx.AsyncClient) -> httpx.Response:
    return await client.get("/graphql", headers={"accept": "text/html,application/xhtml+xml"})


async def test_the_page_loads_only_local_assets(client: httpx.AsyncClient) -> None:
    response = await page(client)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert not re.search(r"(src|href)=\"(https?:)?//", response.text)
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", response.text)
    assert len(assets) == 5
    for asset in assets:
        assert asset.startswith(graphiql.ASSETS_URL + "/")
        served = await client.get(asset)
        assert served.status_code == 200, asset
        assert served.content


async def test_the_page_allows_nothing_but_this_origin(client: httpx.AsyncClient) -> None:
    policy = (await page(client)).headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy  # no inline or remote script


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("graphiql.min.js", "text/javascript"),
        ("graphiql.min.css", "text/css"),
        ("react.production.min.js", "text/javascript"),
        ("react-dom.production.min.js", "text/javascript"),
        ("init.js", "text/javascript"),
    ],
)
async def test_assets_have_their_media_types(
    client: httpx.AsyncClient, name: str, media_type: str
) -> None:
    response = await client.get(f"{graphiql.ASSETS_URL}/{name}")
    assert response.headers["content-type"].startswith(media_type)
    assert "etag" in response.headers


def test_the_vendored_packages_keep_their_licences() -> None:
    versions = (graphiql.ASSETS / "VERSIONS").read_text(encoding="utf-8").split()
    packages = versions[0::2]
    assert packages == ["graphiql", "react", "react-dom"]
    for package in packages:
        licence = (graphiql.ASSETS / f"LICENSE.{package}").read_text(encoding="utf-8")
        assert "MIT License" in licence or "Permission is hereby granted" in licence


async def test_unknown_assets_are_404(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{graphiql.ASSETS_URL}/nope.js")).status_code == 404
    assert (await client.get(f"{graphiql.ASSETS_URL}/../settings.py")).status_code == 404
