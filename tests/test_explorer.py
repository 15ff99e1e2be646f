"""The trend explorer's server side: pages, deep links, versioned assets, its GraphQL documents.

The app in a real browser is tested in ``test_explorer_browser.py``.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from graphql import parse, validate

from app.storage.database import Database
from app.storage.persisted_queries import sha256_hex
from app.web import explorer
from schema.root import schema

PAGES = ["/", "/trends/asyncio", "/trends/no-such-trend", "/compare?slugs=asyncio,x", "/watchlists"]
STATIC_BUDGET_BYTES = 60_000
"""Shell plus every module, stylesheet and icon, each gzipped: the whole app's code."""


def assets_of(shell: str) -> list[str]:
    return re.findall(r"(?:src|href)=\"(/explorer-assets/[^\"]+)\"", shell)


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_is_the_shell_with_local_assets_only(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy
    assert not re.search(r"(src|href)=\"(https?:)?//", response.text)
    assert len(assets_of(response.text)) == 3  # stylesheet, icon, entry module


async def test_graphiql_stays_at_graphql(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


async def test_assets_are_versioned_compressed_and_cached_for_a_year(
    client: httpx.AsyncClient,
) -> None:
    version = explorer.assets_version()
    current = await client.get(
        f"/explorer-assets/{version}/app.js", headers={"accept-encoding": "gzip"}
    )
    assert current.status_code == 200
    assert current.headers["content-type"].startswith("text/javascript")
    assert current.headers["content-encoding"] == "gzip"
    assert current.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert current.headers["x-content-type-options"] == "nosniff"
    assert current.text == (explorer.ASSETS / "app.js").read_text(encoding="utf-8")

    stale = await client.get("/explorer-assets/0123456789abcdef/app.js")
    assert stale.status_code == 200
    assert stale.headers["cache-control"] == "no-cache"  # today's file, never kept as old
    missing = await client.get(f"/explorer-assets/{version}/nothing.js")
    assert missing.status_code == 404
    escape = await client.get(f"/explorer-assets/{version}/..%2F..%2Fexplorer.py")
    assert escape.status_code == 404


def test_every_module_import_is_relative_and_exists() -> None:
    """No bare specifier or remote URL: the browser resolves everything under the version."""
    for module in explorer.ASSETS.glob("*.js"):
        text = module.read_text(encoding="utf-8")
        for specifier in re.findall(r"^import .*? from \"([^\"]+)\";", text, re.MULTILINE):
            assert specifier.startswith("./"), f"{module.name} imports {specifier}"
            assert (explorer.ASSETS / specifier).is_file(), f"{module.name}: {specifier}"
        # The SVG namespace is a name, not a request.
        remote = re.findall(r"(?:https?:|wss?:)?//[a-z0-9.-]+\.[a-z]{2,}", text)
        assert set(remote) <= {"http://www.w3.org"}, f"{module.name}: {remote}"


def test_the_shell_and_code_stay_within_budget() -> None:
    weight = len(gzip.compress(explorer.shell().encode()))
    for path in explorer.ASSETS.rglob("*"):
        if path.is_file():
            weight += len(gzip.compress(path.read_bytes()))
    assert weight < STATIC_BUDGET_BYTES, f"{weight} bytes gzipped"


def test_every_document_validates_against_the_schema() -> None:
    documents = explorer.documents()
    assert {"Leaderboard", "TrendPage", "TrendPageChanged", "CompareTrends"} <= set(documents)
    for name, document in documents.items():
        assert document["sha256Hash"] == sha256_hex(document["query"])
        ast = parse(document["query"])
        assert validate(schema._schema, ast) == [], name
        assert len(ast.definitions[0:1]) == 1 and name in document["query"], name


def test_the_shell_carries_the_documents_intact() -> None:
    shell = explorer.shell()
    embedded = re.search(
        r"<script type=\"application/json\" id=\"tg-documents\">(.*?)</script>", shell, re.S
    )
    assert embedded is not None
    assert json.loads(embedded.group(1)) == explorer.documents()


def test_fragments_are_appended_once_even_when_nested() -> None:
    fragments = {
        "A": "fragment A on Trend { slug ...B }",
        "B": "fragment B on Trend { name }",
    }
    composed = explorer.compose('query Q { trend(slug: "x") { ...A ...B } }', fragments)
    assert composed.count("fragment A") == 1 and composed.count("fragment B") == 1
    with pytest.raises(ValueError, match="unknown fragment C"):
        explorer.compose('query Q { trend(slug: "x") { ...C } }', fragments)


def apq_params(name: str, variables: Mapping[str, object]) -> dict[str, str]:
    document = explorer.documents()[name]
    return {
        "variables": json.dumps(variables),
        "extensions": json.dumps(
            {"persistedQuery": {"version": 1, "sha256Hash": document["sha256Hash"]}}
        ),
    }


async def test_the_app_reads_by_hash_over_get_and_is_served_from_cache(
    client: httpx.AsyncClient, seeded: Database
) -> None:
    """The README's flow with the app's own document: miss, register, then hits with ETag."""
    since = (date.today() - timedelta(days=365)).isoformat()
    variables = {
        "first": 25,
        "after": None,
        "filter": {"status": ["REGULAR"]},
        "orderBy": {"field": "GROWTH", "direction": "DESC", "window": "ONE_YEAR"},
        "window": "ONE_YEAR",
        "since": since,
        "withCount": True,
    }
    params = apq_params("Leaderboard", variables)
    miss = await client.get("/graphql", params=params)
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    query = explorer.documents()["Leaderboard"]["query"]
    registered = await client.get("/graphql", params={**params, "query": query})
    assert registered.status_code == 200, registered.text
    trends = registered.json()["data"]["trends"]
    assert trends["totalCount"] == 1
    assert trends["edges"][0]["node"]["growthFor"] == {"label": "1y", "percent": 21.0}

    # The registration is a write, so the cache starts over once the change stream says so.
    for _ in range(100):
        hit = await client.get("/graphql", params=params)
        if hit.headers.get("x-cache") == "HIT":
            break
        await asyncio.sleep(0.05)
    assert hit.headers.get("x-cache") == "HIT", (hit.status_code, hit.headers, hit.text[:300])
    assert hit.json() == registered.json()
    revalidated = await client.get(
        "/graphql", params=params, headers={"if-none-match": hit.headers["etag"]}
    )
    assert revalidated.status_code == 304


async def test_the_trend_page_document_answers_every_seed_fact(
    client: httpx.AsyncClient, seeded: Database
) -> None:
    query = explorer.documents()["TrendPage"]["query"]
    response = await client.get(
        "/graphql", params={"query": query, "variables": json.dumps({"slug": "python-asyncio"})}
    )
    trend = response.json()["data"]["trend"]
    assert trend["name"] == "Asyncio"
    assert [(w["label"], w["percent"]) for w in trend["growth"]] == [
        ("3mo", 20.0),
        ("1y", 21.0),
        ("5y", 51.0),
    ]
    assert trend["analyses"]["jobsToBeDone"]["keyOutcome"].startswith("Speed and efficiency")
    assert trend["signals"] == []  # only reported figures, so the page says why no forecast
    assert trend["forecastUnavailable"]["reason"] == "NO_SERIES"


@pytest.mark.parametrize("name", ["TrendPage", "TrendPageChanged"])
def test_the_trend_page_asks_each_signal_for_its_forecast_band(name: str) -> None:
    """What chart.js draws and trend.js words; the browser test shows them on a page."""
    selected = re.sub(r"\s+", " ", explorer.documents()[name]["query"])
    fragment = selected[selected.index("fragment SignalChart on Signal") :]
    end = fragment.find(" fragment ", 1)  # the next fragment, if any, is not the signal's
    fragment = fragment if end < 0 else fragment[:end]
    for field in (
        "forecast { method horizonMonths generatedAt stale outlook confidence growthPercent",
        "points { date value lower80 upper80 lower95 upper95 }",
        "backtest { mase coverage80 origins }",
        "forecastUnavailable { reason message }",
    ):
        assert field in fragment, (name, field)


def test_the_readme_shows_a_small_committed_screenshot(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    image = repo_root / "docs" / "images" / "explorer-trend-page.jpg"
    assert "](docs/images/explorer-trend-page.jpg)" in readme
    assert 10_000 < image.stat().st_size < 100_000


COST_BUDGET = 250
"""Most points one of the app's reads may cost: four of them fit the anonymous burst (1,000)."""


@pytest.mark.parametrize(
    ("name", "variables"),
    [
        (
            "Leaderboard",
            {
                "first": 25,
                "window": "ONE_YEAR",
                "since": "2026-01-01",
                "withCount": True,
                "filter": {"signal": {"source": "search-volume", "region": "WORLD"}},
                "orderBy": {"field": "VOLUME", "direction": "DESC"},
            },
        ),
        ("SearchTrends", {"query": "async", "first": 20, "window": "ONE_YEAR"}),
        ("TrendPage", {"slug": "asyncio"}),
        ("CompareTrends", {"slugs": ["asyncio"] * 20, "scale": "JOINT_INDEX"}),
        ("Categories", {}),
    ],
)
async def test_each_read_of_the_app_stays_within_its_cost_budget(
    client: httpx.AsyncClient, name: str, variables: dict[str, object]
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": explorer.documents()[name]["query"], "variables": variables},
    )
    body = response.json()
    assert "errors" not in body, body["errors"]
    assert body["extensions"]["cost"]["requestedQueryCost"] <= COST_BUDGET
